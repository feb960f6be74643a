"""What to read next under an article: related pieces, and more from its authors.

Each list is one query, however many tags, authors or articles there are, and starts from
`Article.objects.published()` like every public page.
"""

from collections import defaultdict

from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value, Window
from django.db.models.functions import Coalesce, RowNumber

from .models import Article, Byline, TaggedArticle

RELATED_COUNT = 4
MORE_FROM_AUTHOR_COUNT = 3
# A link to a piece needs its headline, not its body: never load bodies for these lists.
LIST_SKIPS = ("body", "search_vector")


def related_articles(article, *, tags, limit=RELATED_COUNT):
    """Pieces sharing the most tags (the newest first among equals), then the section's newest.

    `tags` are the article's tags, already fetched. Each branch picks its own few candidates
    with its own index (tag, or section and date), and the two are joined with UNION so each
    stays a plain key lookup: the final sort only ever sees 2 × `limit` rows, however big a
    tag or a section grows.
    """
    others = Article.objects.published().exclude(pk=article.pk)
    tag_ids = [tag.pk for tag in tags]
    newest_in_section = others.filter(section_id=article.section_id).order_by(
        "-published_at", "-pk"
    )
    branches = [newest_in_section]
    shared = Value(0, output_field=IntegerField())
    if tag_ids:
        branches.append(
            others.filter(tags__in=tag_ids)
            .values("pk")
            .annotate(shared=Count("pk"))
            .order_by("-shared", "-published_at", "-pk")
        )
        shared = Coalesce(
            Subquery(
                TaggedArticle.objects.filter(content_object=OuterRef("pk"), tag_id__in=tag_ids)
                .order_by()
                .values("content_object")
                .annotate(count=Count("pk"))
                .values("count")
            ),
            0,
        )
    # An article found by both branches comes out of each with the same columns: UNION
    # (not UNION ALL) keeps it once.
    found = [
        Article.objects.filter(pk__in=branch.values("pk")[:limit])
        .annotate(shared_tags=shared)
        .select_related("section")
        .defer(*LIST_SKIPS)
        .order_by()
        for branch in branches
    ]
    combined = found[0].union(*found[1:])  # just found[0] when there is no tag branch
    return list(combined.order_by("-shared_tags", "-published_at", "-pk")[:limit])


def more_from_authors(article, *, authors, per_author=MORE_FROM_AUTHOR_COUNT):
    """For each of `authors` (in byline order), their latest other published pieces.

    Authors with nothing else published are left out. One query for every author together:
    a window numbers each author's pieces newest first and keeps the first few.
    """
    bylines = (
        Byline.objects.filter(
            author__in=[author.pk for author in authors],
            article__in=Article.objects.published().exclude(pk=article.pk),
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=F("author_id"),
                order_by=[F("article__published_at").desc(), F("article_id").desc()],
            )
        )
        .filter(rank__lte=per_author)
        .select_related("article__section")
        .defer(*(f"article__{field}" for field in LIST_SKIPS))
        .order_by("author_id", "rank")
    )
    pieces = defaultdict(list)
    for byline in bylines:
        pieces[byline.author_id].append(byline.article)
    return [(author, pieces[author.pk]) for author in authors if pieces[author.pk]]
