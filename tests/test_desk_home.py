"""The desk home: a writer lands on their own work, a moderator on what waits for the desk."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import revisions
from articles.models import Article, EditorialNote
from articles.workflow import apply_transition

from .factories import make_article, make_author, make_section, make_staff, make_user

pytestmark = pytest.mark.django_db

HOME = "/admin/"


@pytest.fixture
def desk():
    writer = make_staff("writer", "Writer")
    return {
        "writer": writer,
        "other_writer": make_staff("other", "Writer"),
        "moderator": make_staff("moderator", "Moderator"),
        "profile": make_author(name="Titi KEITA", user=writer),
        "section": make_section(name="Opinion", slug="opinion"),
    }


def piece(desk, status, by="writer", **fields):
    owner = desk[by]
    authors = [desk["profile"]] if by == "writer" else []
    return make_article(
        status=status, created_by=owner, authors=authors, section=desk["section"], **fields
    )


def desk_list(html, key):
    """The text of one list of the desk home, or None when the page has no such list."""
    found = re.search(rf'data-desk-list="{key}">(.*?)</div>', html, re.S)
    return found.group(1) if found else None


def count_of(html, key):
    return int(re.search(r'data-count="(\d+)"', desk_list(html, key)).group(1))


def test_a_writer_lands_on_their_own_work_by_state(client, desk):
    draft = piece(desk, Article.Status.DRAFT, headline="My draft")
    sent_back = piece(desk, Article.Status.IN_REVIEW, headline="Sent back")
    apply_transition(
        sent_back, "request_changes", by=desk["moderator"], note="Name your second source."
    )
    waiting = piece(desk, Article.Status.IN_REVIEW, headline="In the queue")
    live = piece(desk, Article.Status.PUBLISHED, headline="Out yesterday")
    old = piece(
        desk,
        Article.Status.PUBLISHED,
        headline="Out last month",
        published_at=timezone.now() - timedelta(days=30),
    )
    piece(desk, Article.Status.DRAFT, by="other_writer", headline="Draft by someone else")
    client.force_login(desk["writer"])
    html = client.get(HOME).content.decode()
    assert "My draft" in desk_list(html, "drafts")
    assert f'href="{reverse("admin:articles_article_change", args=[draft.pk])}"' in html
    sent = desk_list(html, "changes_requested")
    assert "Sent back" in sent and "Name your second source." in sent and "moderator" in sent
    assert "In the queue" in desk_list(html, "in_review")
    assert "Out yesterday" in desk_list(html, "published")
    assert "Out last month" not in html and "Draft by someone else" not in html
    for article in (draft, sent_back, waiting, live):
        assert reverse("admin:articles_article_change", args=[article.pk]) in html
    assert old.headline not in html
    # The desk's own lists are for moderators.
    assert desk_list(html, "queue") is None and "Recent desk activity" not in html


def test_a_moderator_sees_the_queue_oldest_first_what_goes_live_soon_and_the_activity(client, desk):
    now = timezone.now()
    newer = piece(desk, Article.Status.IN_REVIEW, headline="Submitted today")
    older = piece(desk, Article.Status.IN_REVIEW, headline="Submitted last week")
    Article.objects.filter(pk=older.pk).update(submitted_at=now - timedelta(days=7))
    Article.objects.filter(pk=newer.pk).update(submitted_at=now - timedelta(hours=2))
    soon = piece(desk, Article.Status.IN_REVIEW, headline="Piece for tomorrow")
    apply_transition(soon, "schedule", by=desk["moderator"], at=now + timedelta(hours=20))
    later = piece(desk, Article.Status.IN_REVIEW, headline="Piece for next week")
    apply_transition(later, "schedule", by=desk["moderator"], at=now + timedelta(days=6))
    live = piece(desk, Article.Status.PUBLISHED, headline="Live piece")
    content = revisions.content_of(live)
    content["headline"] = "Live piece, corrected"
    revisions.create_revision(live, by=desk["writer"], content=content, pending=True)
    apply_transition(live, "submit_changes", by=desk["writer"])

    client.force_login(desk["moderator"])
    html = client.get(HOME).content.decode()
    queue = desk_list(html, "queue")
    assert queue.index("Submitted last week") < queue.index("Submitted today")
    assert "waiting for 1\xa0week" in queue
    assert count_of(html, "queue") == 2
    assert "Live piece" in desk_list(html, "changes") and count_of(html, "changes") == 1
    upcoming = desk_list(html, "upcoming")
    assert "Piece for tomorrow" in upcoming and "Piece for next week" not in upcoming
    activity = html[html.index('id="desk-activity"') :]
    assert "Changes submitted for review" in activity and "Scheduled" in activity
    # A moderator who also writes sees their own work too.
    assert desk_list(html, "drafts") is not None


def test_counts_are_exact_beyond_what_is_shown(client, desk):
    for number in range(11):
        piece(desk, Article.Status.IN_REVIEW, headline=f"Queued piece {number}")
    client.force_login(desk["moderator"])
    html = client.get(HOME).content.decode()
    assert count_of(html, "queue") == 11
    assert desk_list(html, "queue").count("<li>") == 8
    assert "See all 11" in desk_list(html, "queue")


def home_queries(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(HOME).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("role", ["writer", "moderator"])
def test_the_desk_home_costs_the_same_queries_whatever_the_archive_holds(client, desk, role):
    def add(n):
        for _ in range(n):
            for status in (Article.Status.DRAFT, Article.Status.IN_REVIEW):
                piece(desk, status)
            sent_back = piece(desk, Article.Status.CHANGES_REQUESTED)
            EditorialNote.objects.create(
                article=sent_back,
                author=desk["moderator"],
                kind=EditorialNote.Kind.CHANGES_REQUESTED,
                body="More sources.",
            )
            piece(desk, Article.Status.PUBLISHED)
            piece(
                desk,
                Article.Status.PUBLISHED,
                published_at=timezone.now() + timedelta(hours=5),
            )
            apply_transition(piece(desk, Article.Status.IN_REVIEW), "publish", by=desk["moderator"])

    client.force_login(desk[role])
    add(2)
    home_queries(client)
    few = home_queries(client)
    add(12)
    assert home_queries(client) == few


def test_someone_without_desk_rights_gets_no_lists(client):
    outsider = make_user("visitor", is_staff=True)
    client.force_login(outsider)
    html = client.get(HOME).content.decode()
    assert "data-desk-list" not in html


def test_the_desk_home_reads_in_french(client, desk):
    piece(desk, Article.Status.DRAFT, headline="Mon brouillon")
    client.force_login(desk["moderator"])
    html = client.get(HOME, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Votre travail" in html and "En attente de relecture" in html
