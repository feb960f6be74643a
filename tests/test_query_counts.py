"""Constant SQL per page: a page listing 50 articles runs exactly the queries of one listing 1.

Every article has 3 bylines and 5 tags, so a query per article (or per byline, per tag) shows.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Correction
from images.renditions import refresh_renditions
from search.documents import refresh_search_vector

from .factories import jpeg_file, make_article, make_author, make_section

pytestmark = pytest.mark.django_db

TAGS = ["Budget", "Sahel", "Trade", "Energy", "Schools"]
MAX_ARTICLE_PAGE_QUERIES = 8


@pytest.fixture
def newsroom(settings):
    settings.NEWSROOM_PAGE_SIZE = 50
    section = make_section(name="Economy", slug="economy")
    authors = [
        make_author(name=name, slug=slug)
        for name, slug in [("Awa ONE", "awa"), ("Ben TWO", "ben"), ("Cy THREE", "cy")]
    ]
    return {"section": section, "authors": authors}


def add_articles(newsroom, count):
    made = []
    for _ in range(count):
        article = make_article(
            headline="Market prices rise again",
            section=newsroom["section"],
            authors=newsroom["authors"],
            tags=TAGS,
        )
        made.append(article)
    refresh_search_vector(made)
    return made


PAGES = [
    "/",
    "/economy/",
    "/authors/awa/",
    "/tags/budget/",
    "/archive/{year}/",
    "/archive/{year}/{month}/",
    "/search/?q=market",
    "/feed/",
    "/atom/",
    "/economy/feed/",
    "/authors/awa/feed/",
    "/tags/budget/atom/",
    "/sitemap-articles.xml",
    "/news-sitemap.xml",
]


def count_queries(client, path):
    now = timezone.localtime()
    path = path.format(year=now.year, month=now.month)
    client.get(path)  # per-process caches (content types, the language) warm, as on a live site
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured.captured_queries)


def test_listing_pages_run_the_same_queries_for_1_and_50_articles(client, newsroom):
    add_articles(newsroom, 1)
    one = {path: count_queries(client, path) for path in PAGES}
    add_articles(newsroom, 49)
    fifty = {path: count_queries(client, path) for path in PAGES}
    assert fifty == one


@pytest.mark.parametrize("read_next_cached", [True, False], ids=["read-next-cached", "uncached"])
def test_the_article_page_is_at_most_eight_queries_uncached(
    client, newsroom, settings, read_next_cached
):
    # Uncached, read-next's querysets run on every page; cached, only when what it shows changes.
    settings.NEWSROOM_FRAGMENT_CACHE_SECONDS = 3600 if read_next_cached else 0
    articles = add_articles(newsroom, 12)
    article = articles[-1]
    article.hero_image.save("x.jpg", jpeg_file(1200, 675), save=True)
    article.hero_image_alt = "A market"
    article.save()
    refresh_renditions(article, field="hero_image", store="hero_renditions")
    # As publishing a change with a note leaves it: a correction, and the article dated updated.
    Correction.objects.create(
        article=article, note="A figure was wrong.", published_at=timezone.now()
    )
    type(article).objects.filter(pk=article.pk).update(content_updated_at=timezone.now())
    queries = count_queries(client, article.get_absolute_url())
    assert queries <= MAX_ARTICLE_PAGE_QUERIES, queries
    # And it does not grow with more related articles, bylines' other work or corrections.
    add_articles(newsroom, 20)
    Correction.objects.create(article=article, note="Another fix.", published_at=timezone.now())
    assert count_queries(client, article.get_absolute_url()) == queries
    assert "Another fix." in client.get(article.get_absolute_url()).text
