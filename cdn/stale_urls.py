"""The public URLs a CDN must drop when the page cache's versions move on (pagecache.versions).

- `article:<pk>`: the article's URL, and the URLs of its old slugs (they answer with the same
  page until the CDN asks again), and the year's and the month's archive pages it is listed on;
  for any article that is or was public (published, scheduled, unpublished, or in the bin with
  either status), since a piece taken down must leave the CDN as surely as one put up. A piece
  moved to another section leaves its old-section URL to the CDN's expiry.
- `section:<pk>`, `author:<pk>`, `tag:<pk>`: that page, and its RSS and Atom feeds.
- `site`: the home page, the site's feeds, the archive's index, the sitemap index and each
  sitemap (the articles' one at its last page too, where new pieces land), the news sitemap.
- `sections`, `authors`: nothing. Every page shows the menu or bylines; no purge can name them
  all, and such a change waits for the CDN's expiry.

Only the first page of a paginated list is purged: new pieces come in at its top, and later
pages, like search results, follow at the CDN's expiry.

An article is looked up once the change is committed, so an unpublished or binned one is still
there to give its URL. Articles are never deleted from the database by the desk (its delete
moves them to the bin); one deleted from a shell is gone by then, so cdn.receivers reads its
URLs just before the delete (`article_urls`).

Whatever the names, at most four queries: the articles, their old slugs, the sections', authors'
and tags' slugs in one, and the count of the articles' sitemap pages.
"""

from django.db.models import Prefetch, Value
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Section, SlugRedirect
from articles.public_urls import public_url
from pagecache import versions
from public.structured_data import absolute_url
from syndication.sitemaps import SITEMAPS, ArticleSitemap

# Statuses of a piece that is, will be or was public; the others (draft, in review) never were.
ONCE_PUBLIC = (Article.Status.PUBLISHED, Article.Status.UNPUBLISHED)
LIST_PAGES = {
    "section": ("articles:section", "articles:section-feed", "articles:section-atom"),
    "author": ("articles:author", "articles:author-feed", "articles:author-atom"),
    "tag": ("articles:tag", "articles:tag-feed", "articles:tag-atom"),
}
SITE_PAGES = ("articles:home", "articles:feed", "articles:atom", "articles:archive")


def stale_urls(names):
    """Absolute URLs of the pages that show what `names` name, each once."""
    ids = {"article": set(), **{kind: set() for kind in LIST_PAGES}}
    for name in names:
        kind, _, pk = name.partition(":")
        if kind in ids and pk.isdigit():
            ids[kind].add(int(pk))
    paths = [
        *(site_paths() if versions.SITE in names else ()),
        *list_paths(ids),
        *article_paths(ids["article"]),
    ]
    return [absolute_url(path) for path in dict.fromkeys(paths)]


def article_urls(ids):
    """Absolute URLs of the articles `ids` (those that are or were public)."""
    return [absolute_url(path) for path in dict.fromkeys(article_paths(ids))]


def site_paths():
    yield from (public_url(name) for name in SITE_PAGES)
    yield public_url("sitemap")
    for section in SITEMAPS:
        yield public_url("sitemap-section", section=section)
    pages = ArticleSitemap().paginator.num_pages
    if pages > 1:
        # How the sitemap index links the pages after the first.
        yield public_url("sitemap-section", section="articles") + f"?p={pages}"
    yield public_url("news-sitemap")


def list_paths(ids):
    """The pages and feeds of the sections, authors and tags in `ids`, in one query."""
    models = {"section": Section.objects, "author": Author.objects, "tag": Tag.objects}
    slugs = [
        models[kind]
        .filter(pk__in=pks)
        .annotate(kind=Value(kind))
        .order_by()
        .values_list("kind", "slug")
        for kind, pks in ids.items()
        if kind in models and pks
    ]
    if not slugs:
        return
    rows = slugs[0].union(*slugs[1:], all=True) if len(slugs) > 1 else slugs[0]
    for kind, slug in rows:
        for name in LIST_PAGES[kind]:
            yield public_url(name, slug=slug)


def article_paths(ids):
    """The pages of the articles `ids` that are or were public, in two queries."""
    if not ids:
        return
    articles = (
        Article.objects.filter(pk__in=ids, status__in=ONCE_PUBLIC)
        .select_related("section")
        .only("slug", "published_at", "section__slug")
        .prefetch_related(
            Prefetch("slug_redirects", queryset=SlugRedirect.objects.only("old_slug", "article"))
        )
    )
    for article in articles:
        yield article.get_absolute_url()
        for moved in article.slug_redirects.all():
            yield public_url("articles:detail", section=article.section.slug, slug=moved.old_slug)
        if article.published_at:
            local = timezone.localtime(article.published_at)
            yield public_url("articles:archive-year", year=local.year)
            yield public_url("articles:archive-month", year=local.year, month=local.month)
