"""User-entered HTML: only the allowlist survives, in every field and by every way in."""

import re

import pytest
from django.urls import reverse

from articles.models import Article
from articles.sanitize import sanitize_html
from images.renditions import refresh_renditions

from .factories import jpeg_file, make_article, make_author, make_section, make_user

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><script>alert(2)</script></svg>",
    "<iframe src='javascript:alert(1)'></iframe>",
    "<a href='javascript:alert(1)'>click</a>",
    "<a href='JaVaScRiPt:alert(1)'>click</a>",
    "<a href='java&#x09;script:alert(1)'>click</a>",
    "<a href='data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='>x</a>",
    "<a href='vbscript:msgbox(1)'>x</a>",
    "<p onclick='alert(1)' onmouseover=alert(2)>text</p>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<p style='background:url(javascript:alert(1))'>styled</p>",
    "<object data='x.swf'></object><embed src='x.swf'>",
    "<form action='https://evil.example'><input name=password></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<noscript><p title='</noscript><img src=x onerror=alert(1)>'>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<base href='https://evil.example/'>",
    "<meta http-equiv='refresh' content='0;url=https://evil.example'>",
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    '"><script>alert(document.cookie)</script>',
]

FORBIDDEN = re.compile(
    r"<\s*(script|style|iframe|object|embed|svg|math|form|input|img|base|meta|details|body)\b"
    r"|\bon[a-z]+\s*=|javascript:|vbscript:|data:text|style\s*=",
    re.IGNORECASE,
)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_nothing_executable_survives_sanitizing(payload):
    cleaned = sanitize_html(f"<p>before</p>{payload}<p>after</p>")
    assert not FORBIDDEN.search(cleaned), cleaned
    # Text before the payload always survives (an unclosed <style> may swallow what follows).
    assert cleaned.startswith("<p>before</p>")


def test_what_writing_uses_is_kept():
    html = (
        "<h2>Heading</h2><h3>Sub</h3><p>Some <strong>bold</strong>, <em>italic</em>, "
        '<a href="https://example.org/report" title="Report">a link</a>.</p>'
        "<ul><li>one</li></ul><ol><li>two</li></ol><blockquote><p>Quote</p></blockquote><hr>"
    )
    cleaned = sanitize_html(html)
    for fragment in [
        "<h2>Heading</h2>",
        "<h3>Sub</h3>",
        "<strong>bold</strong>",
        "<em>italic</em>",
        "<ul><li>one</li></ul>",
        "<ol><li>two</li></ol>",
        "<blockquote><p>Quote</p></blockquote>",
        "<hr>",
    ]:
        assert fragment in cleaned
    assert (
        '<a href="https://example.org/report" title="Report" rel="noopener noreferrer">a link</a>'
        in cleaned
    )


def test_word_and_google_docs_paste_is_reduced_to_plain_structure():
    pasted = (
        '<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-1">'
        '<p dir="ltr" style="line-height:1.38"><span style="font-size:11pt;color:#000000">'
        "Docs text</span></p></b>"
        '<p class=MsoNormal style="margin:0cm"><span lang=EN-GB style="font-family:Calibri">'
        "Word text<o:p></o:p></span></p><h1>Big title</h1><font color=red>red</font>"
    )
    cleaned = sanitize_html(pasted)
    assert "Docs text" in cleaned and "Word text" in cleaned and "Big title" in cleaned
    for leftover in ["style=", "class=", "lang=", "<span", "<o:p", "<h1", "<font", "id="]:
        assert leftover not in cleaned


def test_links_to_other_sites_get_noopener_and_target_is_dropped():
    cleaned = sanitize_html('<a href="https://other.example" target="_blank" rel="opener">x</a>')
    assert cleaned == '<a href="https://other.example" rel="noopener noreferrer">x</a>'


@pytest.mark.django_db
@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_every_save_stores_a_sanitized_body(payload):
    article = make_article(body=f"<p>ok</p>{payload}")
    article.refresh_from_db()
    assert not FORBIDDEN.search(article.body)
    Article.objects.filter(pk=article.pk).update(body=payload)  # a raw write...
    article.refresh_from_db()
    article.save()  # ...is cleaned by the next save
    assert not FORBIDDEN.search(article.body)


@pytest.mark.django_db
def test_a_crafted_admin_post_cannot_store_a_script(client):
    client.force_login(make_user("chief", is_staff=True, is_superuser=True))
    section = make_section()
    payload = "".join(XSS_PAYLOADS)
    response = client.post(
        reverse("admin:articles_article_add"),
        {
            "headline": "Crafted",
            "slug": "crafted",
            "body": f"<p>Visible text</p>{payload}",
            "section": section.pk,
            "genre": "news",
            "status": "draft",
            "bylines-TOTAL_FORMS": "0",
            "bylines-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.text[:2000]
    body = Article.objects.get(slug="crafted").body
    assert "Visible text" in body
    assert not FORBIDDEN.search(body)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload", ["<script>alert('x')</script>", '"><img src=x onerror=alert(1)>']
)
def test_plain_text_fields_are_escaped_on_every_public_page(client, payload):
    author = make_author(name=f"Ada {payload}", slug="ada", bio=f"Bio {payload}", role=payload)
    section = make_section(name=f"Sec {payload}", slug="sec", description=payload)
    article = make_article(
        headline=f"Headline {payload}",
        standfirst=f"Standfirst {payload}",
        section=section,
        authors=[author],
        tags=[f"tag {payload}"],
        hero_image_alt=f"Alt {payload}",
        hero_image_caption=f"Caption {payload}",
        hero_image_credit=f"Credit {payload}",
        seo_title=f"SEO {payload}"[:70],
        meta_description=f"Meta {payload}",
    )
    article.hero_image.save("x.jpg", jpeg_file(), save=True)
    refresh_renditions(article, field="hero_image", store="hero_renditions")
    tag = article.tags.get()
    pages = ["/", article.get_absolute_url(), "/sec/", "/authors/ada/", f"/tags/{tag.slug}/"]
    for path in pages:
        html = client.get(path).text
        assert payload not in html, path
        assert "<script>alert" not in html and "<img src=x" not in html, path
    html = client.get(article.get_absolute_url()).text
    assert "Headline &lt;" in html or "Headline &quot;&gt;&lt;" in html
    assert "Alt &lt;" in html or "Alt &quot;&gt;&lt;" in html
