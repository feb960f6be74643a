"""Stored XSS: payloads in every field an editor types render inert everywhere they are shown:
public pages, feeds, sitemaps, search, JSON-LD, and the desk itself. A browser loads the pages
and no script runs, no dialog opens."""

import html
import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from articles import revisions
from articles.models import Correction, EditorialNote
from images.renditions import refresh_renditions
from search.documents import refresh_search_vector

from .factories import jpeg_file, make_article, make_author, make_section, make_user

PAYLOADS = [
    "<script>alert('x1')</script>",
    '"><img src=x onerror=alert("x2")>',
    "<svg/onload=alert('x3')>",
    "javascript:alert('x4')",
    "<a href=\"data:text/html,<script>alert('x5')</script>\">x</a>",
    "</script><script>alert('x6')</script>",
    "<iframe srcdoc=\"<script>alert('x7')</script>\">",
    "\u202e<b onmouseover=alert('x8')>rtl</b>",
    "<math><mi xlink:href=\"javascript:alert('x9')\">m</mi></math>",
    "'-alert('x10')-'",
]


class ScriptFinder(HTMLParser):
    """Collects what of the planted payloads a browser would run: real tags, attributes and
    script bodies only, so escaped text such as "&lt;script&gt;alert" does not count. Every
    payload calls alert(), which no legitimate markup of ours does."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        # JSON-LD is data: it runs nothing as long as it stays one intact block (checked below).
        self.in_script = tag == "script" and dict(attrs).get("type") != "application/ld+json"
        for name, value in attrs:
            value = (value or "").strip().lower()
            # Text in an ordinary attribute (a meta description, an alt) is inert.
            if (name.startswith("on") or name == "srcdoc") and "alert(" in value:
                self.found.append(f"<{tag} {name}={value[:40]}>")
            if name in {"href", "src", "action", "formaction", "xlink:href"} and value.startswith(
                ("javascript:", "data:text", "vbscript:")
            ):
                self.found.append(f"<{tag} {name}={value[:40]}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and "alert(" in data:
            self.found.append(f"<script>{data.strip()[:40]}")


def scripts_in(markup):
    finder = ScriptFinder()
    finder.feed(markup)
    return finder.found


# In feeds these elements are HTML to the reader (after XML unescaping); the rest is text.
FEED_HTML = re.compile(
    r"<(description|content:encoded|summary|content)\b[^>]*>(.*?)</\1>", re.DOTALL
)


def executable_in(response):
    text = response.content.decode()
    if "xml" not in response["Content-Type"]:
        return scripts_in(text)
    found = []
    for _, body in FEED_HTML.findall(text):
        found += scripts_in(html.unescape(body))
    return found


def plant(payload, n):
    """Every field an editor can type, carrying the payload."""
    author = make_author(
        name=f"Writer {payload}"[:120], slug=f"writer-{n}", role=payload[:120], bio=f"Bio {payload}"
    )
    section = make_section(
        name=f"Section {payload}"[:80], slug=f"section-x{n}", description=payload
    )
    article = make_article(
        headline=f"Headline {payload}"[:250],
        slug=f"story-{n}",
        standfirst=f"Standfirst {payload}",
        body=f"<p>Body {payload}</p>{payload}",
        section=section,
        authors=[author],
        tags=[f"tag {payload}"[:100]],
        seo_title=f"SEO {payload}"[:70],
        meta_description=f"Meta {payload}"[:160],
        hero_image_alt=f"Alt {payload}"[:250],
        hero_image_caption=f"Caption {payload}"[:400],
        hero_image_credit=f"Credit {payload}"[:200],
    )
    article.hero_image.save("x.jpg", jpeg_file(), save=True)
    refresh_renditions(article, field="hero_image", store="hero_renditions")
    refresh_search_vector(article)
    Correction.objects.create(
        article=article, note=f"Fix {payload}", published_at=article.published_at
    )
    EditorialNote.objects.create(article=article, body=f"Note {payload}")
    revisions.create_revision(article, by=None)
    return article


def public_paths(article):
    tag = article.tags.get()
    author = article.ordered_authors[0]
    return [
        "/",
        article.get_absolute_url(),
        article.section.get_absolute_url(),
        author.get_absolute_url(),
        f"/tags/{tag.slug}/",
        "/search/?q=headline",
        "/feed/",
        "/atom/",
        f"{article.section.get_absolute_url()}feed/",
        f"/authors/{author.slug}/atom/",
        f"/tags/{tag.slug}/feed/",
        "/sitemap-articles.xml",
        "/news-sitemap.xml",
        "/archive/",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("n,payload", list(enumerate(PAYLOADS)))
def test_payloads_are_inert_on_every_public_surface_and_in_the_desk(client, n, payload):
    article = plant(payload, n)
    for path in public_paths(article):
        response = client.get(path)
        assert response.status_code == 200, path
        assert not executable_in(response), (path, executable_in(response))
    page = client.get(article.get_absolute_url()).content.decode()
    for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S):
        assert json.loads(block)  # the payload did not break out of the data block
    moderator = make_user("mod", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderator"))
    client.force_login(moderator)
    desk = [
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin:articles_article_revisions", args=[article.pk]),
        reverse("admin:articles_article_history", args=[article.pk]),
        reverse("admin:articles_auditentry_changelist"),
        reverse("admin:articles_author_changelist"),
        reverse("admin:articles_tag_changelist"),
        reverse("admin:articles_section_changelist"),
    ]
    for path in desk:
        html = client.get(path).content.decode()
        # The body textarea holds sanitized HTML as escaped text; nothing here may execute.
        assert not scripts_in(html), path


@pytest.mark.django_db(transaction=True)
def test_a_browser_runs_no_planted_script(browser, live_server):
    articles = [plant(payload, n) for n, payload in enumerate(PAYLOADS)]
    page = browser.new_page()
    try:
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        paths = {"/", "/search/?q=headline", "/archive/"}
        for article in articles:
            paths.update(
                [article.get_absolute_url(), article.ordered_authors[0].get_absolute_url()]
            )
        for path in sorted(paths):
            page.goto(live_server.url + path)
            page.mouse.move(200, 200)
            page.hover("body")
    finally:
        page.close()
    assert dialogs == []
