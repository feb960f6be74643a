"""RSS and Atom feeds: every published article in full, nothing else, in constant queries."""

from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from images.renditions import refresh_renditions
from syndication import feeds

from . import factories
from .factories import jpeg_file, make_article, make_author, make_section

pytestmark = pytest.mark.django_db

BASE = "https://news.example.com"

# (url, feed title, the page the feed is about)
FEEDS = [
    pytest.param("/feed/", "Newsroom", "/", id="site-rss"),
    pytest.param("/atom/", "Newsroom", "/", id="site-atom"),
    pytest.param("/world/feed/", "World | Newsroom", "/world/", id="section-rss"),
    pytest.param("/world/atom/", "World | Newsroom", "/world/", id="section-atom"),
    pytest.param(
        "/authors/titi-keita/feed/",
        "Titi KEITA | Newsroom",
        "/authors/titi-keita/",
        id="author-rss",
    ),
    pytest.param(
        "/authors/titi-keita/atom/",
        "Titi KEITA | Newsroom",
        "/authors/titi-keita/",
        id="author-atom",
    ),
    pytest.param("/tags/mali/feed/", "Mali | Newsroom", "/tags/mali/", id="tag-rss"),
    pytest.param("/tags/mali/atom/", "Mali | Newsroom", "/tags/mali/", id="tag-atom"),
]
FEED_URLS = [param.values[0] for param in FEEDS]

HIDDEN_STATES = [
    *factories.HIDDEN_STATES,
    pytest.param({"deleted_at": timezone.now() - timedelta(minutes=5)}, id="deleted"),
]


@pytest.fixture(autouse=True)
def _site(settings):
    # Not the host the test client asks for: feeds name the configured site, always.
    settings.NEWSROOM_BASE_URL = BASE
    settings.NEWSROOM_SITE_NAME = "Newsroom"
    # Rendition sizes are cached by file name; each test has its own media folder.
    cache.clear()


def add_hero(article, width=1200, height=675):
    article.hero_image.save("hero-upload.jpg", jpeg_file(width, height), save=False)
    article.hero_image_alt = "Two delegations at a table"
    article.save()
    refresh_renditions(article, field="hero_image", store="hero_renditions")


@pytest.fixture
def world():
    return make_section(name="World", slug="world")


@pytest.fixture
def titi():
    return make_author(name="Titi KEITA", slug="titi-keita")


@pytest.fixture
def story(world, titi):
    """An opinion piece in French, by two writers (not in alphabetical order), with a hero."""
    published = timezone.now() - timedelta(hours=2)
    article = make_article(
        headline="Mali-Russia defense talks signal strategic shift",
        slug="mali-russia-defense-talks",
        standfirst="A deliberate redefinition of sovereignty.",
        body='<p>First paragraph with <a href="https://example.org/">a link</a>.</p>'
        "<h2>Then</h2><p>A second paragraph.</p>",
        section=world,
        genre=Article.Genre.OPINION,
        language="fr",
        authors=[titi, make_author(name="Aminata DIALLO", slug="aminata-diallo")],
        tags=["Sahel", "Mali"],
        published_at=published,
    )
    article.content_updated_at = published + timedelta(minutes=30)
    add_hero(article)
    return article


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return response, feed


def utc(parsed):
    return datetime(*parsed[:6], tzinfo=UTC)


def media_file(href):
    """The stored file behind a media URL on the configured site."""
    from django.conf import settings

    path = urlsplit(href).path
    assert path.startswith(settings.MEDIA_URL), href
    return Path(settings.MEDIA_ROOT) / path.removeprefix(settings.MEDIA_URL)


@pytest.mark.parametrize(("url", "title", "page"), FEEDS)
def test_every_feed_describes_each_article_in_full(client, story, url, title, page):
    response, feed = parse(client, url)
    is_atom = "/atom/" in url
    expected_type = "application/atom+xml" if is_atom else "application/rss+xml"
    assert response["Content-Type"] == f"{expected_type}; charset=utf-8"
    assert feed.version == ("atom10" if is_atom else "rss20")
    assert feed.feed.title == title
    assert feed.feed.link == BASE + page
    assert {"rel": "self", "href": BASE + url} in [
        {"rel": link.rel, "href": link.href} for link in feed.feed.links
    ]

    [entry] = feed.entries
    assert entry.title == "Opinion: Mali-Russia defense talks signal strategic shift"
    assert entry.link == BASE + "/world/mali-russia-defense-talks/"
    assert entry.summary == "A deliberate redefinition of sovereignty."
    [content] = entry.content
    assert content.value == story.body
    assert [a.name for a in entry.authors] == ["Titi KEITA", "Aminata DIALLO"]
    assert [tag.term for tag in entry.tags] == ["World", "Opinion", "Mali", "Sahel"]
    assert utc(entry.published_parsed) == story.published_at.replace(microsecond=0)
    assert utc(entry.updated_parsed) == story.content_updated_at.replace(microsecond=0)
    assert entry.id.startswith("tag:news.example.com,") and not entry.guidislink

    [enclosure] = entry.enclosures
    assert enclosure.type == "image/jpeg"
    # The largest JPEG rendition, never the original upload.
    assert enclosure.href.startswith(BASE + "/media/renditions/article/")
    assert "-1200w-" in enclosure.href and enclosure.href.endswith(".jpg")
    assert int(enclosure.length) == media_file(enclosure.href).stat().st_size > 0

    if is_atom:
        assert content.language == "fr"
        assert [a.href for a in entry.authors] == [
            BASE + "/authors/titi-keita/",
            BASE + "/authors/aminata-diallo/",
        ]
    else:
        assert entry.language == "fr"


def test_headlines_are_labelled_only_for_opinion_and_survive_escaping(client):
    analysis = make_article(
        headline="Mali & Niger <talks>",
        standfirst="Gold & uranium, <briefly>.",
        genre=Article.Genre.ANALYSIS,
    )
    news = make_article(headline="Plain news", section=analysis.section)
    for url in ["/feed/", "/atom/"]:
        _, feed = parse(client, url)
        entries = {entry.link: entry for entry in feed.entries}
        first = entries[BASE + analysis.get_absolute_url()]
        # RSS titles are HTML to readers (hence escaped), Atom titles plain text.
        assert unescape(first.title) == "Mali & Niger <talks>", url
        assert unescape(first.summary) == "Gold & uranium, <briefly>.", url
        assert "Analysis" in [tag.term for tag in first.tags]
        plain = entries[BASE + news.get_absolute_url()]
        assert plain.title == "Plain news"
        assert [tag.term for tag in plain.tags] == [news.section.name]


def test_article_without_hero_image_has_no_enclosure(client):
    make_article()
    for url in ["/feed/", "/atom/"]:
        _, feed = parse(client, url)
        assert feed.entries[0].enclosures == []


def test_missing_rendition_file_drops_the_enclosure_not_the_feed(client, story):
    for item in story.hero_renditions["items"]:
        story.hero_image.storage.delete(item["name"])
    for url in ["/feed/", "/atom/"]:
        _, feed = parse(client, url)
        assert feed.entries[0].enclosures == []


class CacheServerDown:
    def get_or_set(self, *args, **kwargs):
        raise RuntimeError("Error 111 connecting to the cache. Connection refused.")


def test_feeds_keep_their_enclosures_when_the_cache_server_is_down(client, story, monkeypatch):
    # Redis clients raise their own errors, not OSError: the feed must not take them for a
    # missing file, nor fail with a 500.
    monkeypatch.setattr(feeds, "cache", CacheServerDown())
    for url in ["/feed/", "/atom/"]:
        _, feed = parse(client, url)
        [enclosure] = feed.entries[0].enclosures
        assert int(enclosure.length) == media_file(enclosure.href).stat().st_size > 0


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_unpublished_articles_never_appear_in_any_feed(client, world, titi, state):
    hidden = make_article(
        headline="Secret scoop",
        slug="secret-scoop",
        section=world,
        authors=[titi],
        tags=["Mali"],
        **state,
    )
    # A published neighbour everywhere the hidden one would show.
    make_article(headline="Public story", section=world, authors=[titi], tags=["Mali"])
    for url in FEED_URLS:
        response, feed = parse(client, url)
        assert [entry.title for entry in feed.entries] == ["Public story"], url
        assert hidden.slug not in response.text, url
        assert "Secret scoop" not in response.text, url


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_author_and_tag_with_only_hidden_work_have_no_feed(client, titi, state):
    make_article(authors=[titi], tags=["Mali"], **state)
    for url in FEED_URLS:
        if url.startswith(("/authors/", "/tags/")):
            assert client.get(url).status_code == 404, url


@pytest.mark.parametrize(
    "url",
    [
        "/no-such-section/feed/",
        "/no-such-section/atom/",
        "/authors/nobody/feed/",
        "/authors/nobody/atom/",
        "/tags/nothing/feed/",
        "/tags/nothing/atom/",
    ],
)
def test_unknown_section_author_or_tag_is_404(client, url):
    make_article()
    assert client.get(url).status_code == 404


def test_empty_section_has_an_empty_feed(client, world):
    _, feed = parse(client, "/world/feed/")
    assert feed.entries == []


def test_feeds_list_the_latest_articles_newest_first(client, world, titi, settings):
    settings.NEWSROOM_FEED_LENGTH = 20
    now = timezone.now()
    for age in range(21):
        make_article(
            headline=f"Story {age}",
            section=world,
            authors=[titi],
            tags=["Mali"],
            published_at=now - timedelta(hours=age + 1),
        )
    for url in FEED_URLS:
        _, feed = parse(client, url)
        assert [entry.title for entry in feed.entries] == [f"Story {age}" for age in range(20)]


def test_feed_length_is_a_setting(client, world, titi, settings):
    settings.NEWSROOM_FEED_LENGTH = 3
    for _ in range(4):
        make_article(section=world, authors=[titi], tags=["Mali"])
    for url in FEED_URLS:
        _, feed = parse(client, url)
        assert len(feed.entries) == 3


def test_feed_queries_do_not_grow_with_the_number_of_items(client, world, titi):
    def make_story():
        article = make_article(section=world, authors=[titi, make_author()], tags=["Mali", "Sahel"])
        add_hero(article, 64, 48)

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured.captured_queries), len(feedparser.parse(response.content).entries)

    make_story()
    for url in FEED_URLS:
        client.get(url)  # Warm per-process caches (content types), as a running site has.
    one = {url: queries(url) for url in FEED_URLS}
    for _ in range(19):
        make_story()
    twenty = {url: queries(url) for url in FEED_URLS}
    for url in FEED_URLS:
        assert one[url][1] == 1 and twenty[url][1] == 20, url
        assert twenty[url][0] == one[url][0], url


def test_feeds_can_be_cached_and_revalidated(client, story):
    for url in FEED_URLS:
        response = client.get(url)
        assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
        assert response["Last-Modified"]
        again = client.get(url, headers={"if-none-match": response["ETag"]})
        assert again.status_code == 304, url


class FeedLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        feed_types = {"application/rss+xml", "application/atom+xml"}
        if tag == "link" and attrs.get("rel") == "alternate" and attrs.get("type") in feed_types:
            self.links.append((attrs["type"], attrs["href"], attrs.get("title")))


def feed_links(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    parser = FeedLinks()
    parser.feed(response.text)
    return parser.links


SITE_LINKS = [
    ("application/rss+xml", "/feed/", "Newsroom (RSS)"),
    ("application/atom+xml", "/atom/", "Newsroom (Atom)"),
]


@pytest.mark.parametrize(
    ("path", "own_links"),
    [
        pytest.param("/", [], id="home"),
        pytest.param(
            "/world/",
            [
                ("application/rss+xml", "/world/feed/", "World | Newsroom (RSS)"),
                ("application/atom+xml", "/world/atom/", "World | Newsroom (Atom)"),
            ],
            id="section",
        ),
        pytest.param(
            "/authors/titi-keita/",
            [
                ("application/rss+xml", "/authors/titi-keita/feed/", "Titi KEITA | Newsroom (RSS)"),
                (
                    "application/atom+xml",
                    "/authors/titi-keita/atom/",
                    "Titi KEITA | Newsroom (Atom)",
                ),
            ],
            id="author",
        ),
        pytest.param(
            "/tags/mali/",
            [
                ("application/rss+xml", "/tags/mali/feed/", "Mali | Newsroom (RSS)"),
                ("application/atom+xml", "/tags/mali/atom/", "Mali | Newsroom (Atom)"),
            ],
            id="tag",
        ),
    ],
)
def test_public_pages_announce_their_feeds(client, story, path, own_links):
    links = feed_links(client, path)
    assert links == SITE_LINKS + own_links
    for _type, href, _title in links:
        assert client.get(href).status_code == 200, href


def test_article_page_announces_the_site_feeds(client, story):
    assert feed_links(client, story.get_absolute_url()) == SITE_LINKS
