"""What to read next under an article: related pieces, and more from its authors.

Both lists come from one query, however many tags, authors or articles there are: it finds
the few pieces worth showing and loads what their links show (sections come from the menu
the page has loaded anyway). Which articles are public is still
`Article.objects.published()`: its SQL is embedded, not rewritten.

The query is written as SQL because the ORM version (a UNION of annotated querysets
plus a window) cost more to compile in Python than to run in the database, on the page
readers hit most.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from articles.models import Article, Section
from public.public_sql import Layout, fetch_all, prepares_statements, public_condition

RELATED_COUNT = 4
MORE_FROM_AUTHOR_COUNT = 3
# How far back each tag's and each author's pieces are looked through: related reading is
# recent coverage of the same subjects, and every candidate costs an index lookup to check it
# is public (half of the query's time with 100 per tag). An author's latest 20 bylines leave
# room for plenty of drafts and scheduled pieces before "more from" runs short of three.
TAG_CANDIDATES = 50
AUTHOR_CANDIDATES = 20
# What a story link shows (the story_link tag, public/templatetags/stories.py).
LINK = Layout(
    Article,
    [
        Article._meta.get_field(name)
        for name in ["id", "headline", "slug", "section", "genre", "language", "published_at"]
    ],
)
LINK_COLUMNS = ", ".join(f"articles_article.{field.column}" for field in LINK.fields)
SECTION_FIELD = Article._meta.get_field("section")


@dataclass
class ReadNext:
    related: list = field(default_factory=list)
    # (author, [articles]) in byline order; authors with nothing else published left out.
    more_from_authors: list = field(default_factory=list)


def placeholders(values):
    return ", ".join(["%s"] * len(values))


def read_next(
    article,
    *,
    tags,
    authors,
    sections=None,
    related=RELATED_COUNT,
    per_author=MORE_FROM_AUTHOR_COUNT,
):
    """Related: pieces sharing the most tags (newest first among equals) among each tag's
    latest, then the section's newest. More from: each author's latest other pieces.

    Each branch picks its own few candidates with its own index (tag, section and date, author),
    so the final sort only ever sees a handful of rows, however big a tag or a section grows.
    """
    # Planned once per connection where the database can (see fetch_all): the statement's
    # shape is fixed, only its values change from page to page.
    prepare = prepares_statements()
    public, public_params = public_condition(literals=prepare)
    public = f"{public} AND articles_article.id <> %s"
    public_params = [*public_params, article.pk]
    tag_ids = [tag.pk for tag in tags]
    author_ids = [author.pk for author in authors]
    shared = (
        "(SELECT COUNT(*) FROM articles_taggedarticle t "
        "WHERE t.content_object_id = articles_article.id "
        f"AND t.tag_id IN ({placeholders(tag_ids)}))"
        if tag_ids
        else "0"
    )
    branches = [
        (
            f"SELECT * FROM (SELECT 'section', 0, articles_article.id, {shared} "
            f"FROM articles_article WHERE articles_article.section_id = %s AND {public} "
            "ORDER BY articles_article.published_at DESC, articles_article.id DESC "
            "LIMIT %s) newest",
            [*tag_ids, article.section_id, *public_params, related],
        )
    ]
    if tag_ids:
        # Each tag's most recently tagged pieces, not all of them: a tag grows with the
        # archive, and counting shared tags over every piece it ever had made this branch
        # slower each year. One index range per tag (tagged_article_recent_idx).
        recently_tagged = " UNION ALL ".join(
            "SELECT * FROM (SELECT content_object_id FROM articles_taggedarticle "
            f"WHERE tag_id = %s ORDER BY id DESC LIMIT {TAG_CANDIDATES}) tag_{n}"
            for n in range(len(tag_ids))
        )
        recently_tagged_params = tag_ids
        # Counted before the join, so the join sees the few distinct candidates (a couple of
        # hundred) rather than every tagging: a prepared statement's one plan, which cannot
        # know how many articles are past their time, otherwise walked every public article
        # to merge them in (1.5 ms at 10,000 articles) instead of looking each one up.
        branches.append(
            (
                "SELECT * FROM (SELECT 'tags', 0, articles_article.id, counted.shared "
                "FROM (SELECT t.content_object_id, COUNT(*) AS shared "
                f"FROM ({recently_tagged}) t GROUP BY t.content_object_id) counted "
                "JOIN articles_article ON articles_article.id = counted.content_object_id "
                f"WHERE {public} "
                "ORDER BY counted.shared DESC, "
                "articles_article.published_at DESC, articles_article.id DESC LIMIT %s) tagged",
                [*recently_tagged_params, *public_params, related],
            )
        )
    if author_ids:
        # Likewise each author's most recent bylines, not all of them: numbering every piece
        # a columnist ever wrote took 6 ms per page at 100,000 articles, and grew with each.
        # One index range per author (byline_author_idx).
        recent_bylines = " UNION ALL ".join(
            "SELECT * FROM (SELECT author_id, article_id FROM articles_byline "
            f"WHERE author_id = %s ORDER BY article_id DESC LIMIT {AUTHOR_CANDIDATES}) author_{n}"
            for n in range(len(author_ids))
        )
        branches.append(
            (
                "SELECT * FROM (SELECT 'author', author_id, article_id, place FROM ("
                "SELECT b.author_id, b.article_id, ROW_NUMBER() OVER (PARTITION BY b.author_id "
                "ORDER BY articles_article.published_at DESC, articles_article.id DESC) AS place "
                f"FROM ({recent_bylines}) b "
                "JOIN articles_article ON articles_article.id = b.article_id "
                f"WHERE {public}) numbered WHERE place <= %s) latest",
                [*author_ids, *public_params, per_author],
            )
        )
    # The picks and what their links show, in one statement: the articles' own columns join
    # the few ids the branches chose.
    picked = " UNION ALL ".join(branch for branch, _ in branches)
    # The branches can only ever pick this many rows; saying so keeps the planner from
    # expecting hundreds (it cannot see through the authors' window) and hashing every article.
    most = related * 2 + per_author * len(author_ids)
    sql = (
        f"WITH picked (kind, by_author, article_id, n) AS ({picked} LIMIT {int(most)}) "
        f"SELECT {LINK_COLUMNS}, picked.kind, picked.by_author, picked.n "
        "FROM picked JOIN articles_article ON articles_article.id = picked.article_id"
    )
    rows = fetch_all(sql, [param for _, params in branches for param in params], prepare=prepare)
    if not rows:
        return ReadNext()

    if sections is None:
        sections = Section.objects.in_bulk()
    articles = {}
    found = []  # (kind, by_author, n, article id) per pick
    for row in rows:
        piece = articles.get(row[0])
        if piece is None:
            piece = articles[row[0]] = LINK.instance(row[: len(LINK)])
            section = sections.get(piece.section_id)
            if section is not None:
                SECTION_FIELD.set_cached_value(piece, section)
        found.append((*row[len(LINK) :], piece.pk))
    # The same article can come from the section and the tag branch, with the same tag count.
    shared_tags = {pk: n for kind, _, n, pk in found if kind != "author"}
    best_first = sorted(
        shared_tags,
        key=lambda pk: (-shared_tags[pk], -articles[pk].published_at.timestamp(), -pk),
    )
    by_author = defaultdict(list)
    # An author's pieces come numbered newest first (n).
    for kind, author_id, _, pk in sorted(found, key=lambda pick: pick[2]):
        if kind == "author":
            by_author[author_id].append(articles[pk])
    return ReadNext(
        related=[articles[pk] for pk in best_first[:related]],
        more_from_authors=[
            (author, by_author[author.pk]) for author in authors if by_author[author.pk]
        ],
    )
