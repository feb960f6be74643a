"""What to read next under an article: related pieces, and more from its authors.

Querysets on `Article.objects.published()`: at most three queries, however many tags,
authors or articles there are. Each list weighs only recent candidates (a tag's latest
taggings, an author's latest bylines), read in order from an index, so a page does not get
slower as the archive grows. The article page takes them from the cache (`cached_read_next`)
while nothing they are drawn from changes.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber

from articles.models import Article, Byline, TaggedArticle
from pagecache import versions
from pagecache.fragments import fragment_version
from pagecache.middleware import cache_unavailable

RELATED_COUNT = 4
MORE_FROM_AUTHOR_COUNT = 3
# How far back each tag's and each author's pieces are looked through: related reading is
# recent coverage of the same subjects, and every candidate costs an index lookup to check it
# is public. An author's latest 20 bylines leave room for plenty of drafts and scheduled
# pieces before "more from" runs short of three.
TAG_CANDIDATES = 50
AUTHOR_CANDIDATES = 20
NEWEST_FIRST = ("-published_at", "-pk")
# One article's lists as of the versions of what they are drawn from: an entry made before a
# change is never read again, and expires.
READ_NEXT_KEY = "newsroom:read-next:{article}:{versions}"


@dataclass
class ReadNext:
    related: list = field(default_factory=list)
    # (author, [articles]) in byline order; authors with nothing else published left out.
    more_from_authors: list = field(default_factory=list)


def read_next(article, *, tags, authors, related=RELATED_COUNT, per_author=MORE_FROM_AUTHOR_COUNT):
    return ReadNext(
        related=related_articles(article, tags=tags, count=related),
        more_from_authors=more_from_authors(article, authors=authors, count=per_author),
    )


def cached_read_next(article, *, tags, authors, known=None):
    """`read_next()`, kept in the cache until the article, its section, one of its authors or
    tags changes (the versions its page records), or the next scheduled piece goes live
    (pagecache.fragments names that moment in the key).

    Building its querysets is most of an uncached article page's time, and what they find
    changes only on those events."""
    seconds = settings.NEWSROOM_FRAGMENT_CACHE_SECONDS
    if not seconds:
        return read_next(article, tags=tags, authors=authors)
    names = versions.article_page(
        article, author_ids=[author.pk for author in authors], tag_ids=[tag.pk for tag in tags]
    )
    try:
        key = read_next_key(article, fragment_version(names, known=known))
        found = cache.get(key)
    except Exception as exc:  # noqa: BLE001 (the cache is a help, never a dependency)
        cache_unavailable("read-next not cached", exc)
        return read_next(article, tags=tags, authors=authors)
    if found is None:
        found = read_next(article, tags=tags, authors=authors)
        # Kept by author id: each page brings its own author objects.
        found.more_from_authors = [(a.pk, pieces) for a, pieces in found.more_from_authors]
        try:
            cache.set(key, found, timeout=seconds)
        except Exception as exc:  # noqa: BLE001
            cache_unavailable("read-next not cached", exc)
    by_author = dict(found.more_from_authors)
    return ReadNext(
        related=found.related,
        more_from_authors=[(a, by_author[a.pk]) for a in authors if a.pk in by_author],
    )


def read_next_key(article, version):
    digest = hashlib.blake2b(version.encode(), digest_size=12)
    return READ_NEXT_KEY.format(article=article.pk, versions=digest.hexdigest())


def other_public_pieces(article):
    return Article.objects.published().exclude(pk=article.pk).for_links()


def first_of_each(queryset, *, partition_by, order_by, count):
    """The first `count` rows of `queryset` for each value of `partition_by`, in `order_by`."""
    return queryset.annotate(
        place=Window(RowNumber(), partition_by=F(partition_by), order_by=order_by)
    ).filter(place__lte=count)


def related_articles(article, *, tags, count=RELATED_COUNT):
    """Pieces sharing the most tags among each tag's latest (newest first among equals),
    topped up with the section's newest."""
    picked = []
    tag_ids = [tag.pk for tag in tags]
    if tag_ids:
        # Each tag's latest taggings, not all of them: a tag grows with the archive, and
        # counting over every piece it ever had made this slower each year. One range of
        # tagged_article_recent_idx per tag.
        recently_tagged = first_of_each(
            TaggedArticle.objects.filter(tag_id__in=tag_ids),
            partition_by="tag_id",
            order_by=F("pk").desc(),
            count=TAG_CANDIDATES,
        )
        picked = list(
            other_public_pieces(article)
            # Candidates looked up by primary key: the planner cannot see how few the window
            # leaves, and would rather scan every tagging than probe an index for each.
            .filter(pk__in=recently_tagged.values("content_object_id"))
            .annotate(shared=Count("tagged_items", filter=Q(tagged_items__tag_id__in=tag_ids)))
            .order_by("-shared", *NEWEST_FIRST)[:count]
        )
    if len(picked) < count:
        picked += (
            other_public_pieces(article)
            .filter(section_id=article.section_id)
            .exclude(pk__in=[piece.pk for piece in picked])
            .order_by(*NEWEST_FIRST)[: count - len(picked)]
        )
    return picked


def more_from_authors(article, *, authors, count=MORE_FROM_AUTHOR_COUNT):
    """(author, [their latest other public pieces]) for each author in byline order, those
    with none left out."""
    author_ids = [author.pk for author in authors]
    if not author_ids:
        return []
    # Each author's latest bylines, not all of them: numbering every piece a columnist ever
    # wrote grew with each one. One range of byline_author_idx per author.
    recent_bylines = first_of_each(
        Byline.objects.filter(author_id__in=author_ids),
        partition_by="author_id",
        order_by=F("article_id").desc(),
        count=AUTHOR_CANDIDATES,
    )
    latest = first_of_each(
        other_public_pieces(article)
        .filter(pk__in=recent_bylines.values("article_id"), bylines__author_id__in=author_ids)
        .annotate(by_author=F("bylines__author_id")),
        partition_by="bylines__author_id",
        order_by=[F("published_at").desc(), F("pk").desc()],
        count=count,
    ).order_by(*NEWEST_FIRST)
    by_author = defaultdict(list)
    for piece in latest:
        by_author[piece.by_author].append(piece)
    return [(author, by_author[author.pk]) for author in authors if by_author[author.pk]]
