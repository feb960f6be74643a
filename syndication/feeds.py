"""RSS 2.0 and Atom feeds of the latest published articles: the whole site, and each section,
author and tag. Items carry the full body, every byline in order, the hero image and the
article's language; links are on the configured site address, as in the sitemaps.
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed, rfc3339_date
from django.utils.html import escape
from django.utils.translation import gettext
from taggit.models import Tag

from articles.models import Article, Author, Section
from syndication.sitemaps import absolute_url, public_cache, with_published_work

# A rendition's name carries a hash of its source image, so its size is read once a day at most.
RENDITION_SIZE_SECONDS = 24 * 60 * 60

logger = logging.getLogger(__name__)


class ArticleRss(Rss201rev2Feed):
    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
            "xmlns:dc": "http://purl.org/dc/elements/1.1/",
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        # RSS's own <author> needs an e-mail address; Dublin Core takes one name per byline.
        for name, _link in item["authors"]:
            handler.addQuickElement("dc:creator", name)
        handler.addQuickElement("dc:language", item["language"])
        handler.addQuickElement("atom:updated", rfc3339_date(item["updateddate"]))
        handler.addQuickElement("content:encoded", item["content"])


class ArticleAtom(Atom1Feed):
    def item_attributes(self, item):
        # xml:base resolves any relative link in the body against the article itself.
        return {"xml:lang": item["language"], "xml:base": item["link"]}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for name, link in item["authors"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.addQuickElement("uri", link)
            handler.endElement("author")
        handler.addQuickElement("content", item["content"], {"type": "html"})


def hero_enclosure(article):
    """The largest JPEG rendition of the hero image (never the upload), or None."""
    items = (article.hero_renditions or {}).get("items") or []
    jpegs = [item for item in items if item["format"] == "jpeg"]
    if not jpegs:
        return None
    name = max(jpegs, key=lambda item: item["width"])["name"]
    storage = Article._meta.get_field("hero_image").storage
    try:
        size = rendition_size(storage, name)
    except OSError:  # The file is gone: better no enclosure than a broken one.
        return None
    return Enclosure(absolute_url(storage.url(name)), str(size), "image/jpeg")


def rendition_size(storage, name):
    """The file's size, remembered in the cache. The cache is a help, not a dependency: when
    its server is down the storage is asked, as the page cache renders without it."""
    try:
        return cache.get_or_set(
            f"rendition-size:{name}", lambda: storage.size(name), RENDITION_SIZE_SECONDS
        )
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 (whatever the cache client raises when it is down)
        # No traceback: a feed asks this for each of its items.
        logger.warning(
            "cache unavailable (%s); rendition size read from storage", type(exc).__name__
        )
        return storage.size(name)


class LatestRssFeed(Feed):
    feed_type = ArticleRss
    page_url_name = "articles:home"
    feed_url_name = "articles:feed"

    @method_decorator(public_cache)
    def __call__(self, request, *args, **kwargs):
        return super().__call__(request, *args, **kwargs)

    def filters(self, obj):
        return {}

    def title(self, obj):
        return f"{obj.name} | {settings.NEWSROOM_SITE_NAME}" if obj else settings.NEWSROOM_SITE_NAME

    def description(self, obj):
        # Readers may render an RSS description as HTML: plain text goes in escaped.
        return escape(self.plain_description(obj))

    def plain_description(self, obj):
        return settings.NEWSROOM_SITE_TAGLINE

    def link(self, obj):
        return self._absolute(self.page_url_name, obj)

    def feed_url(self, obj):
        return self._absolute(self.feed_url_name, obj)

    def _absolute(self, url_name, obj):
        return absolute_url(reverse(url_name, kwargs={"slug": obj.slug} if obj else None))

    def author_name(self):
        # Atom wants an author for every entry: the site stands in when there is no byline.
        return settings.NEWSROOM_SITE_NAME

    def items(self, obj):
        articles = Article.objects.published().with_page_related().filter(**self.filters(obj))
        return articles[: settings.NEWSROOM_FEED_LENGTH]

    def headline(self, article):
        # Opinion is labelled wherever it is shown, in feeds as on the site.
        label = f"{gettext('Opinion')}: " if article.is_opinion else ""
        return label + article.headline

    def item_title(self, article):
        # RSS readers take titles as HTML, hence Django's escaping.
        return escape(self.headline(article))

    def item_description(self, article):
        return escape(article.standfirst)

    def item_link(self, article):
        return absolute_url(article.get_absolute_url())

    def item_guid(self, article):
        # Stable when the slug or section changes, so readers never see a story twice.
        host = urlsplit(settings.NEWSROOM_BASE_URL).hostname
        return f"tag:{host},{article.created_at:%Y-%m-%d}:article-{article.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.modified_at

    def item_categories(self, article):
        # Sorted, so an unchanged article gives the same bytes (and ETag) on every request.
        tags = sorted(tag.name for tag in article.tags.all())
        labels = [article.section.name, article.genre_label, *tags]
        return list(dict.fromkeys(label for label in labels if label))

    def item_enclosures(self, article):
        enclosure = hero_enclosure(article)
        return [enclosure] if enclosure else []

    def item_extra_kwargs(self, article):
        authors = article.ordered_authors
        return {
            "authors": [(a.name, absolute_url(a.get_absolute_url())) for a in authors],
            "content": article.body,
            "language": article.language,
        }


class AtomFeed:
    feed_type = ArticleAtom

    def subtitle(self, obj):
        # An Atom subtitle is plain text.
        return self.plain_description(obj)

    def item_title(self, article):
        # An Atom title is plain text unless it says otherwise: nothing to escape.
        return self.headline(article)


class LatestAtomFeed(AtomFeed, LatestRssFeed):
    feed_url_name = "articles:atom"


class SectionRssFeed(LatestRssFeed):
    page_url_name = "articles:section"
    feed_url_name = "articles:section-feed"

    def get_object(self, request, slug):
        return Section.objects.get(slug=slug)

    def filters(self, section):
        return {"section": section}

    def plain_description(self, section):
        return section.description or settings.NEWSROOM_SITE_TAGLINE


class SectionAtomFeed(AtomFeed, SectionRssFeed):
    feed_url_name = "articles:section-atom"


class AuthorRssFeed(LatestRssFeed):
    page_url_name = "articles:author"
    feed_url_name = "articles:author-feed"

    def get_object(self, request, slug):
        # Like the author page: no feed announces a writer before anything of theirs is out.
        return with_published_work(Author.objects.all(), "authors").get(slug=slug)

    def filters(self, author):
        return {"bylines__author": author}

    def plain_description(self, author):
        return author.bio or gettext("Articles by %(name)s") % {"name": author.name}


class AuthorAtomFeed(AtomFeed, AuthorRssFeed):
    feed_url_name = "articles:author-atom"


class TagRssFeed(LatestRssFeed):
    page_url_name = "articles:tag"
    feed_url_name = "articles:tag-feed"

    def get_object(self, request, slug):
        # A tag used only on drafts would leak what an unpublished story is about.
        return with_published_work(Tag.objects.all(), "tags").get(slug=slug)

    def filters(self, tag):
        return {"tags": tag}

    def plain_description(self, tag):
        return gettext("Articles tagged “%(name)s”") % {"name": tag.name}


class TagAtomFeed(AtomFeed, TagRssFeed):
    feed_url_name = "articles:tag-atom"
