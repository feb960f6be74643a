"""Who may do what to an article. The admin, previews and tests all ask here."""

from django.db.models import Exists, OuterRef, Q

from articles.models import Article, Byline

# What a writer may still change; once submitted or live, the piece is the moderators'.
WRITER_EDITABLE_STATUSES = {Article.Status.DRAFT, Article.Status.CHANGES_REQUESTED}


def can_publish(user):
    return user.is_active and user.has_perm("articles.publish_article")


def is_contributor(user, article):
    """The writer created the piece or is named in its byline."""
    if article.pk is None:
        return True
    if article.created_by_id == user.pk:
        return True
    return article.bylines.filter(author__user=user).exists()


def can_edit(user, article):
    if not (user.is_active and user.has_perm("articles.change_article")):
        return False
    if can_publish(user):
        return True
    # A writer may also prepare a change to their own live piece: it waits as a pending
    # revision that only a moderator can publish.
    editable = article.status in WRITER_EDITABLE_STATUSES or article.is_published
    return editable and is_contributor(user, article)


def editable_statuses(user):
    """The statuses the status field offers this user; publishing belongs to moderators."""
    if can_publish(user):
        return list(Article.Status)
    return [Article.Status.DRAFT, Article.Status.IN_REVIEW]


def contributed_by(user):
    """A queryset filter for the articles a user wrote or is a byline author of."""
    # EXISTS rather than a join: a piece with several bylines is still one row, so lists
    # need no DISTINCT (which would sort every row, bodies included, on each page view).
    return Q(created_by=user) | Exists(
        Byline.objects.filter(article=OuterRef("pk"), author__user=user)
    )


def can_view(user, article):
    """Moderators see every article; writers their own work and what is already public."""
    if not (user.is_active and user.has_perm("articles.view_article")):
        return False
    return can_publish(user) or article.is_published or is_contributor(user, article)


def visible_to(user):
    """The queryset filter matching can_view, for the changelist."""
    if can_publish(user):
        return Q()
    return contributed_by(user) | Q(status=Article.Status.PUBLISHED)
