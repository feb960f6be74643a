"""Schema.org JSON-LD for public pages, built as plain dicts and serialized safely for HTML.

Every URL in it is absolute and built from NEWSROOM_BASE_URL, never from the request's Host
header, so a client cannot make the page describe itself as living somewhere else.
"""

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext

from articles.models import Article
from articles.public_urls import public_url

# The publisher logo search engines show next to articles; its size is stated, not measured,
# so pages never open the file (tests check the file matches).
LOGO_PATH = "img/logo.png"
LOGO_WIDTH = 600
LOGO_HEIGHT = 60

ARTICLE_TYPES = {
    Article.Genre.OPINION: "OpinionNewsArticle",
    Article.Genre.ANALYSIS: "AnalysisNewsArticle",
}

# Inside <script>, "</script>" or "<!--" in a headline would end or derail the block.
_SCRIPT_ESCAPES = (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026"))


def absolute_url(url):
    """`url` on the configured site address; URLs that are already absolute are kept."""
    if not url or url.startswith(("http://", "https://")):
        return url
    if url.startswith("//"):
        scheme = settings.NEWSROOM_BASE_URL.split(":", 1)[0]
        return f"{scheme}:{url}"
    return settings.NEWSROOM_BASE_URL.rstrip("/") + url


def iso_datetime(value):
    return timezone.localtime(value).isoformat() if value else None


def json_for_script(data):
    """`data` as JSON text that is safe inside a <script> element (includes/structured_data.html):
    no `<`, `>` or `&`, so no value can end the element or open a comment in it."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    # replace(), not translate(): a tenth of the time on a page's worth of JSON.
    for character, escaped in _SCRIPT_ESCAPES:
        text = text.replace(character, escaped)
    return text


def image_object(picture):
    return {
        "@type": "ImageObject",
        "url": absolute_url(picture["src"]),
        "width": picture["width"],
        "height": picture["height"],
    }


def organization():
    return {
        "@type": "Organization",
        "name": settings.NEWSROOM_SITE_NAME,
        "url": absolute_url(public_url("articles:home")),
        "logo": {
            "@type": "ImageObject",
            "url": absolute_url(static(LOGO_PATH)),
            "width": LOGO_WIDTH,
            "height": LOGO_HEIGHT,
        },
    }


def person(author):
    return {
        "@type": "Person",
        "name": author.name,
        "url": absolute_url(author.get_absolute_url()),
    }


def article_type(article):
    return ARTICLE_TYPES.get(article.genre, "NewsArticle")


def news_article(article, *, authors, tags):
    """The article's NewsArticle (or Opinion/Analysis subtype), authors in byline order."""
    url = absolute_url(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": article_type(article),
        "headline": article.headline,
        "description": article.description,
        "datePublished": iso_datetime(article.published_at),
        "dateModified": iso_datetime(article.modified_at),
        "author": [person(author) for author in authors],
        "publisher": organization(),
        "articleSection": article.section.name,
        "keywords": [tag.name for tag in tags],
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "inLanguage": article.language,
        "isAccessibleForFree": True,
    }
    picture = article.hero_picture
    if picture:
        data["image"] = image_object(picture)
    # Leave out what the article does not have rather than state it empty.
    return {key: value for key, value in data.items() if value not in ("", [], None)}


def breadcrumbs(article):
    """Home → section → article."""
    trail = [
        (gettext("Home"), public_url("articles:home")),
        (article.section.name, article.section.get_absolute_url()),
        (article.headline, article.get_absolute_url()),
    ]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": absolute_url(url)}
            for position, (name, url) in enumerate(trail, start=1)
        ],
    }


def article_page(article, *, authors, tags):
    return [news_article(article, authors=authors, tags=tags), breadcrumbs(article)]


def profile_page(author):
    """An author page: a ProfilePage about the Person."""
    subject = person(author)
    if author.role:
        subject["jobTitle"] = author.role
    if author.bio:
        subject["description"] = author.bio
    photo = author.photo_picture
    if photo:
        subject["image"] = image_object(photo)
    return [
        {
            "@context": "https://schema.org",
            "@type": "ProfilePage",
            "url": subject["url"],
            "mainEntity": subject,
        }
    ]
