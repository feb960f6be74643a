"""What pages tell search engines and link previews: JSON-LD, Open Graph, Twitter, canonical."""

import json
from datetime import datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone
from PIL import Image

from articles.models import Article
from articles.previews import make_share_url
from images.renditions import refresh_renditions
from public.structured_data import LOGO_HEIGHT, LOGO_WIDTH

from .factories import jpeg_file, make_article, make_author, make_section

pytestmark = pytest.mark.django_db

SITE = "https://news.example"


class HeadParser(HTMLParser):
    """Collects what crawlers read: JSON-LD blocks, <meta> values and the canonical link."""

    def __init__(self):
        super().__init__()
        self.json_ld, self.meta, self.canonical = [], {}, []
        self._in_json_ld = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")
        elif tag == "meta" and ("property" in attrs or "name" in attrs):
            key = attrs.get("property") or attrs["name"]
            self.meta.setdefault(key, []).append(attrs.get("content"))
        elif tag == "link" and attrs.get("rel") == "canonical":
            self.canonical.append(attrs["href"])

    def handle_endtag(self, tag):
        self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data


def parse(html):
    parser = HeadParser()
    parser.feed(html)
    parser.json_ld = [json.loads(block) for block in parser.json_ld]
    return parser


def of_type(blocks, type_name):
    found = [block for block in blocks if block["@type"] == type_name]
    assert len(found) == 1, [block["@type"] for block in blocks]
    return found[0]


def one(meta, key):
    values = meta.get(key, [])
    assert len(values) == 1, (key, values)
    return values[0]


@pytest.fixture(autouse=True)
def _site(settings):
    settings.NEWSROOM_BASE_URL = SITE
    settings.NEWSROOM_SITE_NAME = "Le Journal"


def add_hero(article, *, size=(1600, 900), alt="Two delegations at a table"):
    article.hero_image.save("talks.jpg", jpeg_file(*size), save=False)
    article.hero_image_alt = alt
    article.save()
    refresh_renditions(article, field="hero_image", store="hero_renditions")
    return article


@pytest.fixture
def opinion_piece():
    published = timezone.now() - timedelta(days=2)
    article = make_article(
        headline="Mali-Russia defense talks signal strategic shift",
        slug="mali-russia-defense-talks",
        standfirst="A deliberate redefinition of sovereignty.",
        section=make_section(name="Opinion", slug="opinion"),
        genre=Article.Genre.OPINION,
        language="fr",
        published_at=published,
        content_updated_at=published + timedelta(hours=5),
        authors=[
            make_author(name="Titi KEITA", slug="titi-keita", role="Columnist"),
            make_author(name="Awa Diallo", slug="awa-diallo"),
        ],
        tags=["Mali", "Sahel", "Defence"],
    )
    return add_hero(article)


def test_opinion_piece_is_an_opinion_news_article_field_by_field(client, opinion_piece):
    page = parse(client.get(opinion_piece.get_absolute_url()).text)
    data = of_type(page.json_ld, "OpinionNewsArticle")
    url = f"{SITE}/opinion/mali-russia-defense-talks/"
    assert data["@context"] == "https://schema.org"
    assert data["headline"] == "Mali-Russia defense talks signal strategic shift"
    assert data["description"] == "A deliberate redefinition of sovereignty."
    assert datetime.fromisoformat(data["datePublished"]) == opinion_piece.published_at
    assert datetime.fromisoformat(data["dateModified"]) == opinion_piece.content_updated_at
    assert data["datePublished"].endswith("+00:00")  # ISO 8601 with its offset
    assert data["author"] == [
        {"@type": "Person", "name": "Titi KEITA", "url": f"{SITE}/authors/titi-keita/"},
        {"@type": "Person", "name": "Awa Diallo", "url": f"{SITE}/authors/awa-diallo/"},
    ]
    assert data["publisher"] == {
        "@type": "Organization",
        "name": "Le Journal",
        "url": f"{SITE}/",
        "logo": {
            "@type": "ImageObject",
            "url": f"{SITE}/static/img/logo.png",
            "width": 600,
            "height": 60,
        },
    }
    picture = opinion_piece.hero_picture
    assert data["image"] == {
        "@type": "ImageObject",
        "url": SITE + picture["src"],
        "width": 1600,
        "height": 900,
    }
    assert "-1600w" in data["image"]["url"]  # the largest rendition
    assert opinion_piece.hero_image.url not in json.dumps(data)  # never the original upload
    assert data["articleSection"] == "Opinion"
    assert data["keywords"] == ["Mali", "Sahel", "Defence"]
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": url}
    assert data["inLanguage"] == "fr"
    assert data["isAccessibleForFree"] is True


def test_byline_order_not_name_order_sets_the_author_list(client):
    zed, abe = make_author(name="Zed Zulu"), make_author(name="Abe Adams")
    article = make_article(authors=[zed, abe])
    data = of_type(parse(client.get(article.get_absolute_url()).text).json_ld, "NewsArticle")
    assert [person["name"] for person in data["author"]] == ["Zed Zulu", "Abe Adams"]


def test_breadcrumbs_go_home_then_section_then_article(client, opinion_piece):
    page = parse(client.get(opinion_piece.get_absolute_url()).text)
    trail = of_type(page.json_ld, "BreadcrumbList")["itemListElement"]
    assert trail == [
        {"@type": "ListItem", "position": 1, "name": "Home", "item": f"{SITE}/"},
        {"@type": "ListItem", "position": 2, "name": "Opinion", "item": f"{SITE}/opinion/"},
        {
            "@type": "ListItem",
            "position": 3,
            "name": "Mali-Russia defense talks signal strategic shift",
            "item": f"{SITE}/opinion/mali-russia-defense-talks/",
        },
    ]


@pytest.mark.parametrize(
    ("genre", "schema_type"),
    [
        (Article.Genre.ANALYSIS, "AnalysisNewsArticle"),
        (Article.Genre.NEWS, "NewsArticle"),
        (Article.Genre.OPINION, "OpinionNewsArticle"),
    ],
)
def test_schema_type_follows_the_genre(client, genre, schema_type):
    article = make_article(genre=genre)
    blocks = parse(client.get(article.get_absolute_url()).text).json_ld
    assert sorted(block["@type"] for block in blocks) == sorted([schema_type, "BreadcrumbList"])


def test_what_an_article_lacks_is_left_out_rather_than_empty(client):
    article = make_article(standfirst="", meta_description="")
    data = of_type(parse(client.get(article.get_absolute_url()).text).json_ld, "NewsArticle")
    assert "image" not in data and "keywords" not in data and "description" not in data
    assert datetime.fromisoformat(data["dateModified"]) == article.published_at
    assert data["inLanguage"] == "en"


def test_meta_description_field_wins_over_the_standfirst(client):
    article = make_article(standfirst="The standfirst.", meta_description="The SEO summary.")
    page = parse(client.get(article.get_absolute_url()).text)
    assert of_type(page.json_ld, "NewsArticle")["description"] == "The SEO summary."
    assert one(page.meta, "description") == "The SEO summary."
    assert one(page.meta, "og:description") == "The SEO summary."


def test_json_ld_cannot_close_its_script_or_open_a_comment(client):
    headline = '</script><script>alert("x")</script> <!-- & more'
    article = make_article(headline=headline, tags=["</script>"])
    html = client.get(article.get_absolute_url()).text
    assert '</script><script>alert("x")' not in html
    assert "<!--" not in html
    data = of_type(parse(html).json_ld, "NewsArticle")
    assert data["headline"] == headline
    assert data["keywords"] == ["</script>"]


def test_publisher_logo_files_exist_and_the_png_has_the_stated_size():
    with Image.open(finders.find("img/logo.png")) as logo:
        assert logo.format == "PNG"
        assert logo.size == (LOGO_WIDTH, LOGO_HEIGHT)
    assert finders.find("img/logo.svg")


def test_author_page_is_a_profile_page_about_a_person(client, opinion_piece):
    author = opinion_piece.authors.get(slug="titi-keita")
    author.bio = "Writes on Sahel security."
    author.photo.save("titi.jpg", jpeg_file(600, 600), save=False)
    author.save()
    refresh_renditions(author, field="photo", store="photo_renditions")
    page = parse(client.get("/authors/titi-keita/").text)
    profile = of_type(page.json_ld, "ProfilePage")
    assert profile["@context"] == "https://schema.org"
    assert profile["mainEntity"] == {
        "@type": "Person",
        "name": "Titi KEITA",
        "url": f"{SITE}/authors/titi-keita/",
        "jobTitle": "Columnist",
        "description": "Writes on Sahel security.",
        "image": {
            "@type": "ImageObject",
            "url": SITE + author.photo_picture["src"],
            "width": 600,
            "height": 600,
        },
    }
    assert author.photo.url not in json.dumps(profile)


def test_author_without_role_bio_or_photo_is_a_bare_person(client, opinion_piece):
    page = parse(client.get("/authors/awa-diallo/").text)
    assert of_type(page.json_ld, "ProfilePage")["mainEntity"] == {
        "@type": "Person",
        "name": "Awa Diallo",
        "url": f"{SITE}/authors/awa-diallo/",
    }


def test_extruct_reads_the_same_json_ld(client, opinion_piece):
    extruct = pytest.importorskip("extruct")
    html = client.get(opinion_piece.get_absolute_url()).text
    found = extruct.extract(html, base_url=SITE, syntaxes=["json-ld"], uniform=True)["json-ld"]
    assert sorted(item["@type"] for item in found) == ["BreadcrumbList", "OpinionNewsArticle"]
    assert found == parse(html).json_ld


def test_article_open_graph_and_twitter_tags(client, opinion_piece):
    page = parse(client.get(opinion_piece.get_absolute_url()).text)
    meta, picture = page.meta, opinion_piece.hero_picture
    url = f"{SITE}/opinion/mali-russia-defense-talks/"
    assert one(meta, "og:type") == "article"
    assert one(meta, "og:title") == "Mali-Russia defense talks signal strategic shift"
    assert one(meta, "og:description") == "A deliberate redefinition of sovereignty."
    assert one(meta, "og:url") == url
    assert one(meta, "og:site_name") == "Le Journal"
    assert one(meta, "og:locale") == "fr_FR"
    assert one(meta, "og:image") == SITE + picture["src"]
    assert one(meta, "og:image:width") == "1600"
    assert one(meta, "og:image:height") == "900"
    assert one(meta, "og:image:alt") == "Two delegations at a table"
    published = datetime.fromisoformat(one(meta, "article:published_time"))
    assert published == opinion_piece.published_at
    modified = datetime.fromisoformat(one(meta, "article:modified_time"))
    assert modified == opinion_piece.content_updated_at
    assert meta["article:author"] == [
        f"{SITE}/authors/titi-keita/",
        f"{SITE}/authors/awa-diallo/",
    ]
    assert one(meta, "article:section") == "Opinion"
    assert meta["article:tag"] == ["Mali", "Sahel", "Defence"]
    assert one(meta, "twitter:card") == "summary_large_image"
    assert one(meta, "twitter:title") == "Mali-Russia defense talks signal strategic shift"
    assert one(meta, "twitter:description") == "A deliberate redefinition of sovereignty."
    assert one(meta, "twitter:image") == SITE + picture["src"]
    assert page.canonical == [url]


def test_article_without_image_gets_a_summary_card_and_no_og_image(client):
    article = make_article(seo_title="Short title for search")
    meta = parse(client.get(article.get_absolute_url()).text).meta
    assert one(meta, "twitter:card") == "summary"
    assert one(meta, "og:title") == "Short title for search"
    assert one(meta, "og:locale") == "en_US"
    assert not {"og:image", "og:image:width", "twitter:image"} & meta.keys()


def test_link_preview_tags_escape_what_the_desk_typed(client):
    typed = 'Quotes " and <tags> & more'
    article = make_article(
        headline=typed, standfirst=typed, section=make_section(name=typed), tags=[typed]
    )
    html = client.get(article.get_absolute_url()).text
    escaped = "Quotes &quot; and &lt;tags&gt; &amp; more"
    for tag in ["og:title", "og:description", "article:section", "article:tag"]:
        assert f'<meta property="{tag}" content="{escaped}">' in html
    assert "<tags>" not in html
    meta = parse(html).meta
    assert one(meta, "og:title") == one(meta, "twitter:description") == typed


@pytest.fixture
def every_public_page(opinion_piece):
    """One path of each public page type, all of them live."""
    year, month = opinion_piece.published_at.year, opinion_piece.published_at.month
    return {
        "home": "/",
        "section": "/opinion/",
        "author": "/authors/titi-keita/",
        "tag": "/tags/mali/",
        "archive": "/archive/",
        "archive-year": f"/archive/{year}/",
        "archive-month": f"/archive/{year}/{month}/",
        "article": "/opinion/mali-russia-defense-talks/",
    }


def test_every_public_page_has_one_absolute_canonical_and_a_description(client, every_public_page):
    for kind, path in every_public_page.items():
        response = client.get(path)
        assert response.status_code == 200, kind
        page = parse(response.text)
        assert page.canonical == [SITE + path], kind
        assert one(page.meta, "description").strip(), kind


def test_canonical_and_structured_data_ignore_a_forged_host_header(
    client, settings, every_public_page
):
    settings.ALLOWED_HOSTS = ["*"]
    for kind, path in every_public_page.items():
        response = client.get(path, HTTP_HOST="evil.example", secure=True)
        assert response.status_code == 200, kind
        html = response.text
        assert "evil.example" not in html, kind
        assert parse(html).canonical == [SITE + path], kind


def test_other_pages_carry_website_open_graph_basics(client, every_public_page):
    del every_public_page["article"]
    for kind, path in every_public_page.items():
        page = parse(client.get(path).text)
        meta = page.meta
        assert one(meta, "og:type") == "website", kind
        assert one(meta, "og:url") == page.canonical[0], kind
        assert one(meta, "og:site_name") == "Le Journal", kind
        assert one(meta, "og:title"), kind
        assert one(meta, "og:description") == one(meta, "description"), kind
        assert one(meta, "og:locale") == "en_US", kind
        assert one(meta, "twitter:card") == "summary", kind


def test_listing_canonical_keeps_the_page_number_past_the_first(client, settings):
    # The list views read their page size when they are defined: fill two pages of it.
    section = make_section(slug="economy")
    author = make_author(slug="writer")
    for _ in range(settings.NEWSROOM_PAGE_SIZE + 1):
        make_article(section=section, authors=[author])
    for path in ["/economy/", "/authors/writer/"]:
        assert parse(client.get(path).text).canonical == [f"{SITE}{path}"]
        assert parse(client.get(path, {"page": 1}).text).canonical == [f"{SITE}{path}"]
        page_two = parse(client.get(path, {"page": 2, "utm_source": "x"}).text)
        assert page_two.canonical == [f"{SITE}{path}?page=2"]
        assert one(page_two.meta, "og:url") == f"{SITE}{path}?page=2"


def test_previews_and_errors_announce_no_canonical_social_or_structured_data(client):
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    for response in [client.get(make_share_url(draft)), client.get("/no-such-section/")]:
        page = parse(response.text)
        assert not page.canonical and not page.json_ld
        assert not [key for key in page.meta if key.startswith(("og:", "twitter:", "article:"))]
