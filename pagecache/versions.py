"""What a cached page depends on, and moving those dependencies on when content changes.

Every cached page records the version of each thing it shows. An article's page shows the
article, its section, its authors and its tags (its "read next" lists are drawn from exactly
those), and the menu of sections; every other public page (home, lists, search, feeds,
sitemaps, 404s) shows "the site". A change moves on the versions of what it touches, and
always the site's: so publishing a piece refreshes every list at once, and the pages of the
articles that share its section, an author or a tag, while the rest of the archive stays cached.
"""

import contextlib
import time

from django.conf import settings
from django.core.cache import cache
from django.db.models import Value

VERSION_KEY = "newsroom:version:{name}"
SHOWN_KEY = "newsroom:shown-ids:{article}:{version}"
SITE = "site"
SECTIONS = "sections"
# Every author: their names are on every list's cards.
AUTHORS = "authors"
# An article in these states has never been public since it last was: changing it, its bylines
# or its tags changes no public page. Writers save and autosave drafts all day long; each of
# those must not make cached pages stale.
UNSEEN_STATES = {"draft", "in_review", "changes_requested"}


def kept_seconds():
    """How long what the page and fragment caches rely on is kept."""
    return max(settings.NEWSROOM_PAGE_CACHE_SECONDS, settings.NEWSROOM_FRAGMENT_CACHE_SECONDS)


def article_page(article, *, author_ids, tag_ids):
    return [
        SECTIONS,
        f"article:{article.pk}",
        f"section:{article.section_id}",
        *(f"author:{pk}" for pk in author_ids),
        *(f"tag:{pk}" for pk in tag_ids),
    ]


def shown_ids(article):
    """(author ids, tag ids) of `article`, in one query: what its page's versions name, without
    fetching the authors and tags themselves."""
    from articles.models import Byline, TaggedArticle

    authors = Byline.objects.filter(article_id=article.pk).annotate(kind=Value("author"))
    tags = TaggedArticle.objects.filter(content_object_id=article.pk).annotate(kind=Value("tag"))
    rows = (
        authors.order_by()
        .values_list("kind", "author_id")
        .union(tags.order_by().values_list("kind", "tag_id"), all=True)
    )
    found = {"author": [], "tag": []}
    for kind, pk in rows:
        found[kind].append(pk)
    return found["author"], found["tag"]


def article_page_of(article, *, known=None):
    """article_page() for an article whose authors and tags were not fetched.

    Their ids are kept in the cache under the article's version (any change to its bylines or
    tags moves it on), read into `known` (a request's versions, see pagecache.fragments) with
    the site's version and the next publication."""
    from pagecache.fragments import read_versions

    known = {} if known is None else known
    name = f"article:{article.pk}"
    read_versions([name], known=known, timed=True)
    key = SHOWN_KEY.format(article=article.pk, version=known[name])
    found = cache.get(key)
    if found is None:
        found = shown_ids(article)
        cache.set(key, found, kept_seconds())
    author_ids, tag_ids = found
    return article_page(article, author_ids=author_ids, tag_ids=tag_ids)


def article_list(kind, pk):
    """What a list of one section's, author's or tag's articles shows: which pieces it holds
    (any change to one of them moves its section's, authors' and tags' versions), and the
    section names and author names on their cards."""
    return [f"{kind}:{pk}", SECTIONS, AUTHORS]


def current(names, *, also=()):
    """{name: version} for `names`. A version never seen (or evicted) starts at the current
    time in milliseconds, so it can never equal one an older page recorded.

    `also`: other cache keys read in the same round trip, returned under their keys (None
    when absent)."""
    keys = {name: VERSION_KEY.format(name=name) for name in names}
    found = cache.get_many([*keys.values(), *also])
    missing = [key for key in keys.values() if key not in found]
    if missing:
        start = int(time.time() * 1000)
        for key in missing:
            cache.add(key, start, timeout=None)
        found.update(cache.get_many(missing))
    return {
        **{name: found.get(key) for name, key in keys.items()},
        **{key: found.get(key) for key in also},
    }


def move_on(names):
    for name in set(names):
        # A version never read, or evicted, has no page to match it anyway.
        with contextlib.suppress(ValueError):
            cache.incr(VERSION_KEY.format(name=name))


def article_names(article, *, section_ids=()):
    author_ids, tag_ids = shown_ids(article)
    return [
        f"article:{article.pk}",
        *(f"section:{pk}" for pk in {article.section_id, *section_ids} if pk),
        *(f"author:{pk}" for pk in author_ids),
        *(f"tag:{pk}" for pk in tag_ids),
    ]


def touched_by(instance, *, created=False, before=None):
    """The versions a saved or deleted `instance` moves on, besides the site's; None when no
    public page changes."""
    from taggit.models import Tag

    from articles.models import (
        Article,
        Author,
        Byline,
        Correction,
        Section,
        SlugRedirect,
        TaggedArticle,
    )

    before = before or {}
    if isinstance(instance, Article):
        if instance.status in UNSEEN_STATES and before.get("status") in (None, *UNSEEN_STATES):
            return None
        return article_names(instance, section_ids=[before.get("section_id")])
    if isinstance(instance, Author | Tag):
        if created:
            return None  # new, so on no public page yet
        if isinstance(instance, Author):
            return [f"author:{instance.pk}", AUTHORS]
        return [f"tag:{instance.pk}"]
    if isinstance(instance, Section):
        return [SECTIONS, f"section:{instance.pk}"]  # the menu on every page lists them all
    if isinstance(instance, TaggedArticle):
        article_id, names = instance.content_object_id, [f"tag:{instance.tag_id}"]
    elif isinstance(instance, Byline):
        authors = {instance.author_id, before.get("author_id")}
        article_id, names = instance.article_id, [f"author:{pk}" for pk in authors if pk]
    elif isinstance(instance, Correction | SlugRedirect):
        article_id, names = instance.article_id, []
    else:
        return []
    status = Article.objects.filter(pk=article_id).values_list("status", flat=True).first()
    if status in UNSEEN_STATES:
        return None
    return [f"article:{article_id}", *names]
