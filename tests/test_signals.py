"""The domain says what happened to articles (articles.signals), once per editorial event."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from articles import revisions
from articles.importing import import_piece, parse_piece
from articles.models import Article
from articles.signals import article_changed, article_published, article_unpublished
from articles.workflow import apply_transition

from .factories import make_article, make_author, make_section, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """Every domain signal sent during the test, as (name, kwargs without the signal); the
    articles of a change as they were when it was told (the queryset is lazy)."""
    events = []

    def listener(name):
        def receive(sender, signal, **kwargs):
            assert sender is Article
            if "articles" in kwargs:
                kwargs["articles"] = list(kwargs["articles"])
            events.append((name, kwargs))

        return receive

    receivers = {
        article_published: listener("published"),
        article_unpublished: listener("unpublished"),
        article_changed: listener("changed"),
    }
    for signal, receive in receivers.items():
        signal.connect(receive)
    yield events
    for signal, receive in receivers.items():
        signal.disconnect(receive)


@pytest.fixture
def moderator():
    user = make_user("mod", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderator"))
    return user


def names(events):
    return [name for name, _ in events]


def test_publishing_and_unpublishing_are_told_with_the_article_and_who(heard, moderator):
    article = make_article(status=Article.Status.IN_REVIEW)
    apply_transition(article, "publish", by=moderator)
    apply_transition(article, "unpublish", by=moderator)
    apply_transition(article, "republish", by=moderator)
    assert names(heard) == ["published", "unpublished", "published"]
    for _, kwargs in heard:
        assert kwargs["article"].pk == article.pk and kwargs["by"] == moderator
    assert heard[0][1]["article"].status == Article.Status.PUBLISHED
    assert heard[1][1]["article"].status == Article.Status.UNPUBLISHED


def test_scheduling_is_a_publication_and_pulling_back_an_unpublication(heard, moderator):
    article = make_article(status=Article.Status.IN_REVIEW)
    later = timezone.now() + timedelta(days=1)
    apply_transition(article, "schedule", by=moderator, at=later)
    apply_transition(article, "reschedule", by=moderator, at=later + timedelta(hours=1))
    apply_transition(article, "unschedule", by=moderator)
    assert names(heard) == ["published", "published", "unpublished"]


def test_steps_that_readers_do_not_see_are_not_told(heard, moderator):
    article = make_article(status=Article.Status.DRAFT)
    apply_transition(article, "submit", by=moderator)
    apply_transition(article, "request_changes", by=moderator, note="Sources?")
    apply_transition(article, "submit", by=moderator)
    apply_transition(article, "withdraw", by=moderator)
    assert heard == []


def test_a_published_change_is_told_as_a_change_of_that_article(heard, moderator):
    article = make_article(headline="Old headline")
    content = revisions.content_of(article)
    content["headline"] = "New headline"
    revisions.create_revision(article, by=moderator, content=content, pending=True)
    apply_transition(article, "publish_changes", by=moderator)
    assert names(heard) == ["changed"]
    changed = heard[0][1]
    assert changed["articles"] == [article]
    assert changed["fields"] is None  # a revision may change anything readers see


def test_an_import_is_a_change_and_a_publication_when_it_publishes(heard):
    piece = parse_piece(b"Harbour reopens\n\nShips are back.\n\nTiti KEITA\n")
    article = import_piece(piece, section=make_section(), genre="news", publish=True)
    assert names(heard) == ["changed", "published"]
    assert heard[0][1]["articles"] == [article]
    assert heard[1][1] == {"article": article, "by": None}
    draft = parse_piece(b"Market opens\n\nStalls are up.\n\nTiti KEITA\n")
    import_piece(draft, section=make_section(), genre="news")
    assert names(heard) == ["changed", "published", "changed"]


def test_renaming_an_author_tells_the_change_of_all_their_articles(client, heard):
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    author = make_author(name="Old Name")
    signed = {make_article(authors=[author]), make_article(authors=[author])}
    make_article()
    client.post(
        reverse("admin:articles_author_change", args=[author.pk]),
        {"name": "New Name", "slug": author.slug, "role": "", "bio": ""},
    )
    assert names(heard) == ["changed"]
    assert set(heard[0][1]["articles"]) == signed
    assert heard[0][1]["fields"] == {"bylines"}


def test_renaming_or_deleting_a_tag_tells_the_change_of_its_articles(client, heard):
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    tagged = make_article(tags=["Sahel"])
    make_article(tags=["Other"])
    tag = tagged.tags.get()
    client.post(
        reverse("admin:articles_tag_change", args=[tag.pk]), {"name": "Liptako", "slug": "liptako"}
    )
    client.post(reverse("admin:articles_tag_delete", args=[tag.pk]), {"post": "yes"})
    assert names(heard) == ["changed", "changed"]
    assert [kwargs["articles"] for _, kwargs in heard] == [[tagged], [tagged]]
    assert all(kwargs["fields"] == {"tags"} for _, kwargs in heard)
