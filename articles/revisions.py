"""Revisions: snapshots of an article's content, and the ways they come and go.

Every save stores one. A draft's save also writes the article row; a live article's save only
stores a *pending* revision, which reaches readers when a moderator publishes it. Nothing here
deletes a revision: a restore is a new revision, a conflict keeps the loser's text as a copy.
"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, Author, Byline, Correction, Revision, Section
from articles.sanitize import sanitize_html
from articles.signals import article_changed
from articles.slugs import record_slug_change
from images.tasks import refresh_renditions_later

TEXT_FIELDS = [
    "headline",
    "slug",
    "standfirst",
    "body",
    "genre",
    "hero_image_alt",
    "hero_image_caption",
    "hero_image_credit",
    "seo_title",
    "meta_description",
]
MAX_TEXT = 200_000


def content_of(article, *, bylines=None, tags=None):
    """The snapshot of `article` as it is in memory, bylines and tags from the database unless
    given (authors in byline order, tag names)."""
    if bylines is None:
        bylines = [b.author for b in article.bylines.select_related("author").order_by("position")]
    if tags is None:
        tags = [tag.name for tag in article.tags.all()]
    section = article.section if article.section_id else None
    return {
        **{field: getattr(article, field) or "" for field in TEXT_FIELDS},
        "section": {"id": section.pk, "name": section.name} if section else None,
        "hero_image": article.hero_image.name or "",
        "bylines": [{"author": author.pk, "name": author.name} for author in bylines],
        "tags": sorted(tags, key=str.casefold),
    }


def content_from_post(data):
    """A snapshot of whatever a change form POSTed, valid or not: for autosaves and for the
    text of an editor whose save was refused, so nothing typed is lost."""

    def text(name):
        return str(data.get(name, ""))[:MAX_TEXT]

    content = {field: text(field) for field in TEXT_FIELDS}
    content["body"] = sanitize_html(content["body"])
    section = Section.objects.filter(pk=_int(data.get("section"))).first()
    content["section"] = {"id": section.pk, "name": section.name} if section else None
    content["hero_image"] = ""
    rows = []
    for n in range(min(_int(data.get("bylines-TOTAL_FORMS")) or 0, 50)):
        author_id = _int(data.get(f"bylines-{n}-author"))
        if author_id and not data.get(f"bylines-{n}-DELETE"):
            rows.append((_int(data.get(f"bylines-{n}-position")) or 0, n, author_id))
    authors = Author.objects.in_bulk([author_id for _, _, author_id in rows])
    content["bylines"] = [
        {"author": author_id, "name": authors[author_id].name}
        for _, _, author_id in sorted(rows)
        if author_id in authors
    ]
    tags = data.getlist("tags") if hasattr(data, "getlist") else data.get("tags", [])
    names = {" ".join(piece.split()) for raw in tags for piece in str(raw).split(",")}
    content["tags"] = sorted((name for name in names if name), key=str.casefold)
    return content


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def working_revision(article):
    """The newest revision in the line of saves (not autosaves or conflict copies)."""
    return article.revisions.filter(kind__in=Revision.WORKING_KINDS).order_by("-number").first()


def pending_revision(article):
    """The saved change to a live article that readers do not see yet, if there is one."""
    revision = working_revision(article)
    return revision if revision is not None and revision.is_waiting else None


def live_revision(article):
    """The newest saved revision readers are seeing (None for articles saved before history)."""
    return (
        article.revisions.filter(kind__in=Revision.WORKING_KINDS)
        .exclude(pending=True, applied_at__isnull=True)
        .order_by("-number")
        .first()
    )


def create_revision(article, *, by, content=None, kind=Revision.Kind.SAVE, **fields):
    # Numbers are per article; the caller's transaction holds the article row locked.
    last = article.revisions.aggregate(last=Max("number"))["last"] or 0
    return Revision.objects.create(
        article=article,
        number=last + 1,
        kind=kind,
        content=content if content is not None else content_of(article),
        created_by=by,
        **fields,
    )


def lock(article):
    return Article.objects.select_for_update().get(pk=article.pk)


def autosave(article, *, by, data, continuing=None):
    """Keep what `by` is typing. Within one editing session (`continuing`, the autosave this
    page made last) the same autosave is updated; a new session never overwrites an older
    session's unsaved text, it starts its own."""
    with transaction.atomic():
        lock(article)
        latest = working_revision(article)
        content = content_from_post(data)
        existing = None
        if continuing:
            existing = article.revisions.filter(
                pk=continuing, kind=Revision.Kind.AUTOSAVE, created_by=by
            ).first()
        if existing is not None:
            existing.content = content
            existing.created_at = timezone.now()
            existing.save(update_fields=["content", "created_at"])
            return existing
        return create_revision(
            article, by=by, content=content, kind=Revision.Kind.AUTOSAVE, based_on=latest
        )


def autosave_to_offer(article, *, user):
    """The user's autosave, if it is newer than the article's last save."""
    latest = working_revision(article)
    autosaves = article.revisions.filter(kind=Revision.Kind.AUTOSAVE, created_by=user)
    if latest is not None:
        autosaves = autosaves.filter(number__gt=latest.number)
    return autosaves.order_by("-number").first()


def apply_in_memory(article, content):
    """Show `content` in a form without writing anything: fields on the instance, bylines and
    tags stashed for the form and its inline."""
    for field in TEXT_FIELDS:
        setattr(article, field, content.get(field, ""))
    section = content.get("section")
    if section and Section.objects.filter(pk=section["id"]).exists():
        article.section_id = section["id"]
    article.hero_image.name = content.get("hero_image") or ""
    article._working_bylines = [row["author"] for row in content.get("bylines", [])]
    article._working_tags = list(content.get("tags", []))
    return article


def replace_bylines(article, author_ids):
    """Make the byline exactly these authors, in this order, keeping rows that stay."""
    known = Author.objects.in_bulk(author_ids)
    wanted = [author_id for author_id in dict.fromkeys(author_ids) if author_id in known]
    current = {byline.author_id: byline for byline in article.bylines.all()}
    article.bylines.exclude(author_id__in=wanted).delete()
    for position, author_id in enumerate(wanted):
        byline = current.get(author_id)
        if byline is None:
            Byline.objects.create(article=article, author_id=author_id, position=position)
        elif byline.position != position:
            byline.position = position
            byline.save(update_fields=["position"])


def write_content(article, content):
    """Make `content` the article's own: fields, section, bylines, tags, image, slug."""
    old_slug = article.slug
    for field in TEXT_FIELDS:
        setattr(article, field, content.get(field, ""))
    if not article.slug:
        article.slug = old_slug or slugify(article.headline)[:200]
    section = content.get("section")
    if section and Section.objects.filter(pk=section["id"]).exists():
        article.section_id = section["id"]
    article.hero_image.name = content.get("hero_image") or ""
    article.save()
    replace_bylines(article, [row["author"] for row in content.get("bylines", [])])
    article.tags.set(content.get("tags", []))
    article_changed.send(
        sender=Article, articles=Article.objects.filter(pk=article.pk), fields=None
    )
    refresh_renditions_later(article, field="hero_image", store="hero_renditions")
    if article.published_at and old_slug != article.slug:
        record_slug_change(article, old_slug=old_slug)


def publish_revision(article, revision, *, note="", kind=Correction.Kind.CORRECTION):
    """Readers get the pending revision's content; a note tells them what changed."""
    now = timezone.now()
    write_content(article, revision.content)
    article.content_updated_at = now
    article.save(update_fields=["content_updated_at"])
    revision.applied_at = now
    revision.save(update_fields=["applied_at"])
    if note:
        Correction.objects.create(
            article=article, revision=revision, kind=kind, note=note, published_at=now
        )


def restore(article, revision, *, by):
    """Bring back an earlier revision as a new one; live articles get it as a pending change."""
    with transaction.atomic():
        article = lock(article)
        live = article.is_published
        restored = create_revision(
            article,
            by=by,
            content=revision.content,
            kind=Revision.Kind.RESTORE,
            restored_from=revision,
            based_on=working_revision(article),
            pending=live,
        )
        if not live:
            write_content(article, revision.content)
    return restored


def publish_due_revisions(now=None):
    """Publish scheduled changes whose time has come (articles.tasks.publish_due_changes runs
    it at each one's time). Cheap when there are none."""
    now = now or timezone.now()
    due = Revision.objects.filter(
        pending=True, applied_at__isnull=True, scheduled_for__lte=now
    ).values_list("pk", flat=True)
    applied = 0
    for pk in list(due):
        with transaction.atomic():
            revision = (
                Revision.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, applied_at__isnull=True)
                .select_related("article")
                .first()
            )
            if revision is None:
                continue
            article = lock(revision.article)
            # Superseded by a newer save, or the article went down meanwhile: nothing to do.
            if pending_revision(article) != revision or not article.is_published:
                revision.scheduled_for = None
                revision.save(update_fields=["scheduled_for"])
                continue
            publish_revision(
                article,
                revision,
                note=revision.correction_note,
                kind=revision.correction_kind or Correction.Kind.CORRECTION,
            )
            applied += 1
    return applied
