"""Sitemaps, the Google News sitemap and robots.txt: only public URLs, on the configured site."""

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article
from syndication.sitemaps import ArticleSitemap

from .factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db

BASE = "https://news.example.com"
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}

HIDDEN_STATES = {
    "draft": {"status": Article.Status.DRAFT},
    "in-review": {"status": Article.Status.IN_REVIEW},
    "unpublished": {
        "status": Article.Status.UNPUBLISHED,
        "published_at": timezone.now() - timedelta(days=2),
    },
    "future": {"published_at": timezone.now() + timedelta(hours=1)},
    "deleted": {"deleted_at": timezone.now() - timedelta(minutes=5)},
}


@pytest.fixture(autouse=True)
def _site(settings):
    # Not the host the test client asks for: crawlers are told the configured site, always.
    settings.NEWSROOM_BASE_URL = BASE
    settings.NEWSROOM_SITE_NAME = "Newsroom"


def fetch_xml(client, url, **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return response, ET.fromstring(response.content)


def urls(root):
    """{location: lastmod} of a <urlset> or <sitemapindex>."""
    entries = root.findall("sm:url", NS) or root.findall("sm:sitemap", NS)
    return {
        entry.findtext("sm:loc", namespaces=NS): entry.findtext("sm:lastmod", namespaces=NS)
        for entry in entries
    }


def local(url):
    assert url.startswith(BASE + "/"), url
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@pytest.fixture
def public_and_hidden():
    """One public article, and one hidden article per state, each with its own section,
    author and tag, plus a section with nothing in it."""
    public = make_article(
        slug="public-story",
        section=make_section(slug="world"),
        authors=[make_author(slug="titi-keita")],
        tags=["Mali"],
    )
    public.content_updated_at = public.published_at + timedelta(minutes=10)
    public.save()
    for name, state in HIDDEN_STATES.items():
        make_article(
            slug=f"hidden-{name}",
            section=make_section(slug=f"section-{name}"),
            authors=[make_author(slug=f"author-{name}")],
            tags=[f"tag-{name}"],
            **state,
        )
    make_section(slug="empty")
    return public


def test_index_lists_every_section_on_the_configured_site(client, public_and_hidden):
    response, root = fetch_xml(client, "/sitemap.xml")
    assert root.tag == f"{{{NS['sm']}}}sitemapindex"
    index = urls(root)
    assert list(index) == [
        f"{BASE}/sitemap-articles.xml",
        f"{BASE}/sitemap-sections.xml",
        f"{BASE}/sitemap-authors.xml",
        f"{BASE}/sitemap-tags.xml",
    ]
    assert all(index.values())
    assert response["X-Robots-Tag"].startswith("noindex")


def test_each_sitemap_lists_only_public_urls_with_lastmod(client, public_and_hidden):
    article = public_and_hidden
    expected = {
        "articles": [f"{BASE}/world/public-story/"],
        "sections": [f"{BASE}/world/"],
        "authors": [f"{BASE}/authors/titi-keita/"],
        "tags": [f"{BASE}/tags/mali/"],
    }
    for section, locations in expected.items():
        _, root = fetch_xml(client, f"/sitemap-{section}.xml")
        listed = urls(root)
        assert list(listed) == locations, section
        # Listing pages change when their newest article does.
        assert set(listed.values()) == {article.modified_at.date().isoformat()}, section
        for location in listed:
            assert client.get(local(location)).status_code == 200, location


def test_article_lastmod_is_its_last_published_change(client):
    article = make_article()
    article.content_updated_at = article.published_at + timedelta(days=3)
    article.save()
    _, root = fetch_xml(client, "/sitemap-articles.xml")
    assert list(urls(root).values()) == [article.content_updated_at.date().isoformat()]
    _, index = fetch_xml(client, "/sitemap.xml")
    lastmod = urls(index)[f"{BASE}/sitemap-articles.xml"]
    assert datetime.fromisoformat(lastmod) == article.content_updated_at


def test_articles_sitemap_is_paginated_oldest_first(client, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    now = timezone.now()
    section = make_section(slug="world")
    for age in (1, 2, 3):
        make_article(slug=f"story-{age}h", section=section, published_at=now - timedelta(hours=age))
    _, index = fetch_xml(client, "/sitemap.xml")
    assert f"{BASE}/sitemap-articles.xml?p=2" in urls(index)
    _, first = fetch_xml(client, "/sitemap-articles.xml")
    _, second = fetch_xml(client, "/sitemap-articles.xml?p=2")
    assert list(urls(first)) == [f"{BASE}/world/story-3h/", f"{BASE}/world/story-2h/"]
    assert list(urls(second)) == [f"{BASE}/world/story-1h/"]
    assert client.get("/sitemap-articles.xml?p=3").status_code == 404
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_sitemaps_can_be_cached_and_revalidated(client, public_and_hidden):
    for url in ["/sitemap.xml", "/sitemap-articles.xml", "/news-sitemap.xml", "/robots.txt"]:
        response = client.get(url)
        assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
        again = client.get(url, headers={"if-none-match": response["ETag"]})
        assert again.status_code == 304, url
    response = client.get("/sitemap.xml")
    again = client.get("/sitemap.xml", headers={"if-modified-since": response["Last-Modified"]})
    assert again.status_code == 304


def test_news_sitemap_lists_only_the_last_48_hours(client):
    now = timezone.now().replace(microsecond=0)
    section = make_section(slug="world")
    with time_machine.travel(now, tick=False):
        recent = make_article(
            headline="Mali & Niger <talks>",
            slug="recent",
            section=section,
            genre=Article.Genre.OPINION,
            language="fr",
            published_at=now - timedelta(hours=1),
        )
        older = make_article(slug="older", section=section, published_at=now - timedelta(hours=47))
        make_article(slug="too-old", section=section, published_at=now - timedelta(hours=49))
        for name, state in HIDDEN_STATES.items():
            state = {"published_at": now - timedelta(hours=1), **state}
            make_article(slug=f"hidden-{name}", section=section, **state)
        response, root = fetch_xml(client, "/news-sitemap.xml")

    assert root.tag == f"{{{NS['sm']}}}urlset"
    entries = root.findall("sm:url", NS)
    assert [e.findtext("sm:loc", namespaces=NS) for e in entries] == [
        f"{BASE}/world/recent/",
        f"{BASE}/world/older/",
    ]
    for entry, article in zip(entries, [recent, older], strict=True):
        news = entry.find("news:news", NS)
        assert news.findtext("news:publication/news:name", namespaces=NS) == "Newsroom"
        language = news.findtext("news:publication/news:language", namespaces=NS)
        assert language == article.language
        published = news.findtext("news:publication_date", namespaces=NS)
        assert datetime.fromisoformat(published) == article.published_at
    titles = [e.findtext("news:news/news:title", namespaces=NS) for e in entries]
    assert titles == ["Opinion: Mali & Niger <talks>", older.headline]
    assert b"Mali &amp; Niger &lt;talks&gt;" in response.content


def test_robots_txt_allows_the_site_and_names_both_sitemaps(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = [line for line in response.text.splitlines() if line]
    assert lines == [
        "User-agent: *",
        "Allow: /",
        "Disallow: /admin/",
        "Disallow: /preview/",
        "Disallow: /search/",
        f"Sitemap: {BASE}/sitemap.xml",
        f"Sitemap: {BASE}/news-sitemap.xml",
    ]
