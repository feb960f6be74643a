"""Nothing unpublished reaches the public, by any door: every state × every public surface.

One published article shares a section, an author and a tag with each hidden one, so every
listing, feed and sitemap exists and must still leave the hidden piece out.
"""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from articles import revisions
from articles.models import Article
from articles.slugs import record_slug_change
from search.documents import refresh_search_vector

from .factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db

SECRET = "Zebracorn embargoed scoop"


def hidden_state(name):
    now = timezone.now()
    return {
        "draft": {"status": Article.Status.DRAFT},
        "in review": {"status": Article.Status.IN_REVIEW},
        "changes requested": {"status": Article.Status.CHANGES_REQUESTED},
        "scheduled": {"status": Article.Status.PUBLISHED, "published_at": now + timedelta(hours=2)},
        "unpublished": {
            "status": Article.Status.UNPUBLISHED,
            "published_at": now - timedelta(days=1),
        },
        "deleted": {"published_at": now - timedelta(hours=3), "deleted_at": now},
    }[name]


STATES = ["draft", "in review", "changes requested", "scheduled", "unpublished", "deleted"]


@pytest.fixture
def newsroom():
    section = make_section(name="Politics", slug="politics")
    author = make_author(name="Awa SIDIBÉ", slug="awa-sidibe")
    public = make_article(
        headline="Public budget story",
        slug="public-budget-story",
        section=section,
        authors=[author],
        tags=["Budget"],
    )
    refresh_search_vector(public)
    return {"section": section, "author": author, "public": public}


def surfaces(article):
    year = timezone.localtime(article.published_at or timezone.now()).year
    return [
        "/",
        article.get_absolute_url(),
        "/politics/old-secret-slug/",
        "/politics/",
        "/authors/awa-sidibe/",
        "/tags/budget/",
        f"/archive/{year}/",
        "/archive/",
        "/search/?q=zebracorn",
        "/search/?q=embargoed+scoop",
        "/feed/",
        "/atom/",
        "/politics/feed/",
        "/politics/atom/",
        "/authors/awa-sidibe/feed/",
        "/authors/awa-sidibe/atom/",
        "/tags/budget/feed/",
        "/tags/budget/atom/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/sitemap-tags.xml",
        "/news-sitemap.xml",
        "/preview/not-a-valid-token/",
        # Related articles, more from the author and JSON-LD live on the public piece's page.
        "/politics/public-budget-story/",
    ]


@pytest.mark.parametrize("state", STATES)
@override_settings(NEWSROOM_BASE_URL="https://news.example.org")
def test_a_hidden_article_appears_on_no_public_surface(client, newsroom, state):
    article = make_article(
        headline=SECRET,
        slug="zebracorn-embargoed-scoop",
        standfirst="Zebracorn standfirst",
        body="<p>Zebracorn body text.</p>",
        section=newsroom["section"],
        authors=[newsroom["author"]],
        tags=["Budget", "Zebracorn tag"],
        **hidden_state(state),
    )
    refresh_search_vector(article)
    record_slug_change(article, old_slug="old-secret-slug")
    for path in surfaces(article):
        response = client.get(path)
        assert response.status_code in (200, 301, 404), (path, response.status_code)
        # The page may echo the address the reader typed (the language switch returns there).
        body = response.content.decode().replace(path, "")
        if response.status_code == 200 and path not in (
            article.get_absolute_url(),
            "/politics/public-budget-story/",
        ):
            # The listing is really there, and really lists the public piece.
            lists_articles = not path.startswith(
                ("/preview", "/sitemap.xml", "/sitemap-tags", "/search", "/archive/")
            )
            assert "public-budget-story" in body or not lists_articles, (state, path)
        assert "Zebracorn" not in body, (state, path)
        assert "zebracorn-embargoed-scoop" not in body, (state, path)
        if response.status_code == 301:
            assert "zebracorn" not in response["Location"], (state, path)
    # A hidden piece's tag has no public page either.
    assert client.get("/tags/zebracorn-tag/").status_code == 404


def test_a_pending_change_to_a_live_article_stays_out_of_every_surface(client, newsroom):
    public = newsroom["public"]
    content = revisions.content_of(public)
    content["headline"] = "Zebracorn pending headline"
    content["body"] = "<p>Zebracorn pending body.</p>"
    revisions.create_revision(public, by=None, content=content, pending=True)
    for path in surfaces(public):
        body = client.get(path).content.decode().replace(path, "")
        assert "Zebracorn" not in body, path
