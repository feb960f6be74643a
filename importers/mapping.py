"""How a source post becomes an Article's fields: status, dates, slug, text, language."""

import hashlib
import json

from django.conf import settings
from django.utils.html import strip_tags
from django.utils.text import slugify

from articles.models import Article
from articles.models.content import RESERVED_ARTICLE_SLUGS, RESERVED_SECTION_SLUGS
from importers import items

HEADLINE_MAX = Article._meta.get_field("headline").max_length
SLUG_MAX = 200
LANGUAGES = {code for code, _name in settings.LANGUAGES}


def ascii_slug(text, *, fallback, reserved=frozenset()):
    """Newsroom's URLs use ASCII slugs: "été" becomes "ete" (the old URL redirects to it)."""
    slug = slugify(text)[:SLUG_MAX].strip("-") or fallback
    return f"{slug}-{fallback}" if slug in reserved else slug


def article_slug(post):
    return ascii_slug(post.slug or post.title, fallback="article", reserved=RESERVED_ARTICLE_SLUGS)


def section_slug(ref):
    return ascii_slug(ref.slug or ref.name, fallback="section", reserved=RESERVED_SECTION_SLUGS)


def language_of(post, site_language):
    for code in (post.language, site_language):
        code = (code or "").lower().split("-")[0].split("_")[0]
        if code in LANGUAGES:
            return code
    return settings.LANGUAGE_CODE.split("-")[0]


def status_fields(post, *, now):
    """(status, published_at, submitted_at, deleted_at, note) for the post's status: private
    and trashed posts come over, never public (a draft; the trash into the bin)."""
    status, when = post.status, post.published_at
    if status == items.SCHEDULED and when is None:
        return Article.Status.DRAFT, None, None, None, "scheduled without a date: a draft"
    if status in (items.PUBLISHED, items.SCHEDULED):
        return Article.Status.PUBLISHED, when or now, None, None, ""
    if status == items.IN_REVIEW:
        return Article.Status.IN_REVIEW, None, post.modified_at or now, None, ""
    if status == items.TRASH:
        return Article.Status.DRAFT, None, None, now, ""
    return Article.Status.DRAFT, None, None, None, ""


def standfirst_of(post):
    return " ".join(strip_tags(post.excerpt or "").split())


def headline_of(post):
    return (" ".join(post.title.split()) or "(untitled)")[:HEADLINE_MAX]


def fingerprint(post):
    """What the source says of a post, digested: an unchanged post is not imported again."""
    described = {
        "title": post.title,
        "slug": post.slug,
        "html": post.html,
        "excerpt": post.excerpt,
        "status": post.status,
        "published_at": post.published_at.isoformat() if post.published_at else None,
        "authors": [ref.slug for ref in post.authors],
        "categories": [ref.slug for ref in post.categories],
        "tags": [ref.slug for ref in post.tags],
        "image": post.featured_image.url if post.featured_image else "",
        "language": post.language,
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()
