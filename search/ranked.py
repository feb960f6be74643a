"""A page of ranked search results on PostgreSQL in two round trips: the dates that bound the
windows the newest matches are looked for in (search.newest), then one statement for
the rest: those matches, ranked in their own language, counted, one page of them with their
passages marked and their bylines. The menu's sections come with the dates.

Built as querysets, the page was five round trips, and most of its Python time went to
compiling three of them, each with a CASE per language, on every search. The SQL depends only
on which filters are set and whether the words hold a phrase, so it is written once per process
for each such shape; words, filters, limits, dates and the time are parameters.
"""

import functools
from collections.abc import Sequence

from django.db import connection, transaction

from articles.models import Article, Author, Byline, Section
from public.article_query import menu_sections, menu_sql, ordered_bylines, parsed
from public.public_sql import (
    Layout,
    column,
    columns,
    fetch_all,
    prepares_statements,
    public_condition,
    table,
)
from search.newest import (
    cutoffs_sql,
    is_conjunction,
    newest_ctes,
    newest_params,
    tsquery,
    windows,
)

# Snippets are picked from the opening of the body, which news writing front-loads: PostgreSQL
# parses what it marks at about 0.25 µs a character, twenty times a page (2,500 characters
# were a third of the statement's time).
SNIPPET_SOURCE_CHARS = 1000
SNIPPET_WORDS = 30
# A tag as the sanitizer writes it: attribute values are always double-quoted. One cut off at
# the end (a body shortened for snippets) goes too.
HTML_TAG = r'<(?:[^>"]|"[^"]*")*(?:>|$)'
# PostgreSQL marks matches with these; they are swapped for <mark> only after escaping the text.
START_MARK, STOP_MARK = "\ue000", "\ue001"
# What a card shows (the search_card tag): its snippet is marked by the database, and of its
# authors only names and links are shown. Each column left out is one a row does not carry
# and Python does not convert (JSON, dates) twenty times per page.
CARD = Layout(
    Article,
    [
        Article._meta.get_field(name)
        for name in (
            "id",
            "headline",
            "slug",
            "standfirst",
            "section",
            "genre",
            "language",
            "published_at",
        )
    ],
)
CARD_BYLINE = Layout(
    Byline, [Byline._meta.get_field(name) for name in ("id", "article", "author", "position")]
)
CARD_AUTHOR = Layout(Author, [Author._meta.get_field(name) for name in ("id", "name", "slug")])
FILTERS = ("section", "genre", "author")


def filter_sql(names):
    """The conditions for the filters `names`, on the article table's own name."""
    article_id = column(Article, "id")
    conditions = {
        "section": (
            # A value, not a join: the section's index then walks its articles newest first.
            f"{column(Article, 'section')} = (SELECT {column(Section, 'id')} "
            f"FROM {table(Section)} WHERE {column(Section, 'slug')} = %(section)s)"
        ),
        "genre": f"{column(Article, 'genre')} = %(genre)s",
        # An author with two bylines on one piece still finds it once.
        "author": (
            f"EXISTS (SELECT 1 FROM {table(Byline)} JOIN {table(Author)} "
            f"ON {column(Author, 'id')} = {column(Byline, 'author')} "
            f"WHERE {column(Byline, 'article')} = {article_id} "
            f"AND {column(Author, 'slug')} = %(author)s)"
        ),
    }
    return [conditions[name] for name in names]


def per_language(languages, expression_for):
    """CASE on the article's language, `expression_for(n)` in the n-th language's branch."""
    whens = " ".join(f"WHEN %(language_{n})s THEN {expression_for(n)}" for n in range(languages))
    return f"CASE {column(Article, 'language')} {whens} END"


@functools.lru_cache(maxsize=64)
def statement(languages, filters, phrase):
    """The SQL for `languages` article languages, the filters named in `filters` and, if
    `phrase`, words holding a quoted phrase. One row per article on the page, in rank order,
    each starting with the count of every ranked match; a single row of NULLs after that count
    when the page is past the end."""
    public, _ = public_condition(literals=True)
    public = public.replace("%s", "%(now)s")
    vector = column(Article, "search_vector")

    def marked(source, options):
        return per_language(
            languages,
            lambda n: (
                f"ts_headline(%(config_{n})s::regconfig, {source}, {tsquery(n)}, %({options})s)"
            ),
        )

    body = (
        f"regexp_replace(left({column(Article, 'body')}, %(snippet_chars)s), "
        "%(html_tag)s, ' ', 'g')"
    )
    article_id = column(Article, "id")
    # Rows looked up by an array of ids: one bitmap of the primary key for them all, where a
    # join probed it once per id.
    ranked = (
        "ranked (id, published_at, rank) AS MATERIALIZED (SELECT found.id, found.published_at, "
        f"{per_language(languages, lambda n: f'ts_rank({vector}, {tsquery(n)})')} "
        f"FROM found JOIN {table(Article)} ON {article_id} = found.id "
        f"WHERE {article_id} = ANY(ARRAY(SELECT id FROM found)))"
    )
    page = (
        "page AS MATERIALIZED (SELECT id, published_at, rank FROM ranked "
        "ORDER BY rank DESC, published_at DESC, id DESC "
        "LIMIT %(page_size)s OFFSET %(offset)s)"
    )
    # The page's bylines in one grouped join, where a subquery per card joined the authors
    # anew each time.
    byline = column(Byline, "article")
    bylines = (
        f"bylines (article_id, rows) AS MATERIALIZED (SELECT {byline}, "
        f"json_agg(json_build_array({columns(Byline, CARD_BYLINE.fields)}, "
        f"{columns(Author, CARD_AUTHOR.fields)})) "
        f"FROM {table(Byline)} JOIN {table(Author)} "
        f"ON {column(Author, 'id')} = {column(Byline, 'author')} "
        f"WHERE {byline} = ANY(ARRAY(SELECT id FROM page)) GROUP BY {byline})"
    )
    ctes = [
        *newest_ctes(languages, public, filter_sql(filters), phrase=phrase),
        ranked,
        page,
        bylines,
    ]
    return (
        f"WITH {', '.join(ctes)} "  # noqa: S608 (every value is a parameter)
        f"SELECT total.n, {columns(Article, CARD.fields)}, "
        f"{marked(column(Article, 'headline'), 'whole')}, "
        f"{marked(column(Article, 'standfirst'), 'whole')}, "
        f"{marked(body, 'snippet')}, bylines.rows "
        "FROM (SELECT COUNT(*) AS n FROM ranked) total "
        f"LEFT JOIN (page JOIN {table(Article)} ON {article_id} = page.id "
        f"AND {article_id} = ANY(ARRAY(SELECT id FROM page)) "
        "LEFT JOIN bylines ON bylines.article_id = page.id) ON TRUE "
        "ORDER BY page.rank DESC, page.published_at DESC, page.id DESC"
    )


@functools.lru_cache(maxsize=8)
def cutoffs_statement(languages):
    """`cutoffs_sql`'s row, then the menu's sections (as the article page's statement gives
    them): the page needs them either way, and this statement is one row."""
    public, _ = public_condition(literals=True)
    dates = cutoffs_sql(languages, public.replace("%s", "%(now)s"))
    return f"{dates}, ({menu_sql(connection.vendor)})"


@functools.cache
def headline_options(**options):
    """ts_headline's options, written as Django's SearchHeadline writes them."""
    return ", ".join(
        connection.ops.compose_sql(f"{option}=%s", [value]) for option, value in options.items()
    )


class RankedMatches(Sequence):
    """The ranked matches of a search, as a paginator wants them: `count()` and slices.

    One statement answers both for the page expected (its number from the request), so the
    paginator's count and its slice for that page cost one round trip; any other slice runs
    the statement again."""

    def __init__(self, search, *, configs, limit, page_size, expected_page=1):
        self.search = search
        self.configs = configs  # {language code: text search configuration}
        self.limit = limit
        self.page_size = page_size
        offset = (max(expected_page, 1) - 1) * page_size
        # Past the ranked matches the paginator answers 404 from the count alone.
        self.expected_offset = offset if offset < limit else 0
        self.pages = {}
        # The menu's sections, read with the windows' dates.
        self.sections = None

    def run(self, offset, page_size):
        search = self.search
        filters = tuple(name for name in FILTERS if getattr(search, name))
        marks = {"StartSel": START_MARK, "StopSel": STOP_MARK}
        _, (now,) = public_condition(literals=True)
        params = {
            **newest_params(search.query),
            **{name: getattr(search, name) for name in filters},
            "now": now,
            "limit": self.limit,
            "page_size": page_size,
            "offset": offset,
            "snippet_chars": SNIPPET_SOURCE_CHARS,
            "html_tag": HTML_TAG,
            "whole": headline_options(**marks, HighlightAll=True),
            "snippet": headline_options(
                **marks,
                MaxWords=SNIPPET_WORDS,
                MinWords=SNIPPET_WORDS // 2,
                MaxFragments=2,
                FragmentDelimiter=" … ",
            ),
        }
        configs = list(self.configs.items())
        for n, (code, config) in enumerate(configs):
            params[f"language_{n}"] = code
            params[f"config_{n}"] = config
        (row,) = fetch_all(cutoffs_statement(len(configs)), params, prepare=prepares_statements())
        *found, menu = row
        if self.sections is None:
            self.sections = menu_sections(parsed(menu))
        # A language nothing public is written in is left out of the statement (planning
        # each language's windows is a millisecond).
        present = [
            (code, config, cutoff, tree)
            for (code, config), (newest, cutoff, tree) in zip(
                configs, zip(*[iter(found)] * 3, strict=True), strict=True
            )
            if newest is not None
        ]
        if not present:
            return 0, []
        for n, (code, config, _, _) in enumerate(present):
            params[f"language_{n}"] = code
            params[f"config_{n}"] = config
        params.update(windows(now, [cutoff for _, _, cutoff, _ in present]))
        sql = statement(len(present), filters, '"' in search.query)
        if any(is_conjunction(tree) for _, _, _, tree in present):
            rows = without_index_scans(sql, params)
        else:
            rows = fetch_all(sql, params)
        sections = {section.pk: section for section in self.sections}
        authors = {}
        return rows[0][0] if rows else 0, [
            matched(row, sections, authors) for row in rows if row[1] is not None
        ]

    def page(self, offset, page_size):
        if (offset, page_size) not in self.pages:
            self.pages[offset, page_size] = self.run(offset, page_size)
        return self.pages[offset, page_size]

    def count(self):
        return self.page(self.expected_offset, self.page_size)[0]

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.step not in (None, 1):
            raise TypeError("ranked matches are read a page (a slice) at a time")
        start = index.start or 0
        stop = self.count() if index.stop is None else index.stop
        if stop <= start:
            return []
        if start == self.expected_offset and stop - start <= self.page_size:
            # The paginator's last page is cut at the count: still the page already read.
            return self.page(start, self.page_size)[1][: stop - start]
        return self.page(start, stop - start)[1]


def without_index_scans(sql, params):
    """The rows of `sql`, planned without plain index scans.

    A plain index scan is how the planner tests vectors one by one in date order, which it
    costs as free (it is 7 µs each); without it, windows are intersected with the GIN index's
    matches as bitmaps, reading no vector. At 100,000 articles: median 26.4 ms -> 20.9 and p95
    61.0 -> 31.5 for the bench's 50 searches. Not prepared: a plan made for no words in
    particular walked the window for the rarest words too (median 38.5 ms against 29.5).

    One message: statements sent together run as one transaction, so SET LOCAL ends with it;
    inside a longer transaction (ATOMIC_REQUESTS, tests), the RESET ends it. With server-side
    binding (the `server_side_binding` option) a message holds one statement: the setting is
    then made in a transaction of its own, rolled back, which ends it."""
    with connection.cursor() as cursor:
        if not connection.settings_dict["OPTIONS"].get("server_side_binding"):
            cursor.execute(
                f"SET LOCAL enable_indexscan = off; {sql}; RESET enable_indexscan", params
            )
            cursor.nextset()
            return cursor.fetchall()
        with transaction.atomic():
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            # Nothing was written; a savepoint released rather than rolled back would keep
            # the setting for the rest of a longer transaction.
            transaction.set_rollback(True)
        return rows


def matched(row, sections, authors):
    """(article, marked headline, marked standfirst, marked snippet) from a row; `sections` and
    `authors` ({id: instance}) lend the menu's sections and the authors already built for the
    page, and keep new authors."""
    end = 1 + len(CARD)
    article = CARD.instance(row[1:end])
    section = sections.get(article.section_id)
    if section is not None:
        Article.section.field.set_cached_value(article, section)
    headline, standfirst, snippet, bylines = row[end:]
    article._prefetched_objects_cache = {
        "bylines": ordered_bylines(
            article, parsed(bylines), CARD_BYLINE, CARD_AUTHOR, authors=authors
        )
    }
    return article, headline, standfirst, snippet
