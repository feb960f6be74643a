"""The article page's article, with its ordered bylines, its tags and the site's sections (the
menu, and the article's own), in one plain query instead of a queryset with two prefetches and
a query for the menu (0.9 ms against 6.5 ms at 10,000 articles: the ORM's building and
compiling was the cost, not the database). `public.public_sql` says why.

Bylines, tags and sections come beside the article as JSON arrays, one round trip for all;
they are put in order here, by the positions they carry, so no database's aggregate order
matters.
"""

import functools
import json
from operator import itemgetter

from django.db import connection
from taggit.models import Tag

from articles.models import Article, Author, Byline, Section, TaggedArticle
from public.public_sql import (
    Layout,
    column,
    columns,
    concrete,
    fetch_all,
    prepares_statements,
    public_condition,
    table,
)

# Search vectors are for search: a page never shows one, and they are a large part of a row.
ARTICLE = Layout(Article, concrete(Article, leave_out={"search_vector"}))
BYLINE = Layout(Byline, concrete(Byline))
AUTHOR = Layout(Author, concrete(Author))
TAG = Layout(Tag, concrete(Tag))
SECTION = Layout(Section, concrete(Section))
# Per database: (aggregate of rows into a JSON array, a row as a JSON array).
JSON_FUNCTIONS = {
    "postgresql": ("json_agg", "json_build_array"),
    "sqlite": ("json_group_array", "json_array"),
}


def load_public_article(*, slug=None, pk=None):
    """(article, sections): the public article with this slug (or primary key) and every
    section in menu order, or (None, None)."""
    prepare = prepares_statements()
    _, params = public_condition(literals=prepare)
    key, value = ("slug", slug) if pk is None else ("id", pk)
    rows = fetch_all(statement(connection.vendor, key, prepare), [value, *params], prepare=prepare)
    if not rows:
        return None, None
    (row,) = rows
    article = ARTICLE.instance(row[: len(ARTICLE)])
    byline_rows, tag_rows, section_rows = (parsed(value) for value in row[len(ARTICLE) :])
    tag_rows.sort(key=itemgetter(0))  # in the order they were tagged: the desk's order
    sections = menu_sections(section_rows)
    for section in sections:
        if section.pk == article.section_id:
            Article.section.field.set_cached_value(article, section)
    article._prefetched_objects_cache = {
        "bylines": ordered_bylines(article, byline_rows),
        "tags": prefetched(Tag, [TAG.from_json(values[1:]) for values in tag_rows]),
    }
    return article, sections


@functools.lru_cache(maxsize=8)
def statement(vendor, key, literals):
    """The article page's SQL, looking the article up by `key` ("slug" or "id"): it depends on
    nothing else, so it is written once per process, not on every page (0.13 ms each)."""
    public, _ = public_condition(literals=literals)
    aggregate, row_of = JSON_FUNCTIONS[vendor]
    article_id = column(Article, "id")
    bylines = bylines_sql(vendor)
    tags = (
        f"SELECT {aggregate}({row_of}({column(TaggedArticle, 'id')}, {columns(Tag)})) "
        f"FROM {table(Tag)} JOIN {table(TaggedArticle)} "
        f"ON {column(TaggedArticle, 'tag')} = {column(Tag, 'id')} "
        f"WHERE {column(TaggedArticle, 'content_object')} = {article_id}"
    )
    return (
        f"SELECT {columns(Article, ARTICLE.fields)}, ({bylines}), ({tags}), "  # noqa: S608
        f"({menu_sql(vendor)}) FROM {table(Article)} WHERE {column(Article, key)} = %s "
        f"AND {public}"
    )


def menu_sql(vendor):
    """A subquery: every section, numbered in the menu's order, as a JSON array of rows for
    `menu_sections`."""
    aggregate, row_of = JSON_FUNCTIONS[vendor]
    # Numbered by the database, whose collation sorts the names.
    menu_order = ", ".join(
        f"{column(Section, name.lstrip('-'))}{' DESC' if name.startswith('-') else ''}"
        for name in Section._meta.ordering
    )
    menu = ", ".join(f"menu.{connection.ops.quote_name(f.column)}" for f in SECTION.fields)
    return (
        f"SELECT {aggregate}({row_of}(menu.place, {menu})) FROM ("
        f"SELECT ROW_NUMBER() OVER (ORDER BY {menu_order}) AS place, {columns(Section)} "
        f"FROM {table(Section)}) menu"
    )


def menu_sections(rows):
    """The sections of `menu_sql`'s JSON rows, in menu order."""
    rows.sort(key=itemgetter(0))
    return [SECTION.from_json(values[1:]) for values in rows]


def bylines_sql(vendor):
    """A subquery: the bylines of the article table's current row, each with its author, as a
    JSON array of rows for `ordered_bylines` (NULL when it has none)."""
    aggregate, row_of = JSON_FUNCTIONS[vendor]
    return (
        f"SELECT {aggregate}({row_of}({columns(Byline, BYLINE.fields)}, "
        f"{columns(Author, AUTHOR.fields)})) "
        f"FROM {table(Byline)} JOIN {table(Author)} "
        f"ON {column(Author, 'id')} = {column(Byline, 'author')} "
        f"WHERE {column(Byline, 'article')} = {column(Article, 'id')}"
    )


def ordered_bylines(article, rows, byline=BYLINE, author=AUTHOR, authors=None):
    """The bylines of `bylines_sql`'s JSON rows, in the desk's order, as a prefetch leaves
    them. `authors` ({id: author}), when given, lends each author already built and keeps the
    new ones: a list of articles names the same few writers again and again."""
    position = byline.attnames.index("position")
    author_id = byline.attnames.index("author_id")
    rows.sort(key=itemgetter(position, 0))  # position, then id
    bylines = []
    for values in rows:
        made = byline.from_json(values[: len(byline)])
        writer = None if authors is None else authors.get(values[author_id])
        if writer is None:
            writer = author.from_json(values[len(byline) :])
            if authors is not None:
                authors[writer.pk] = writer
        Byline.author.field.set_cached_value(made, writer)
        Byline.article.field.set_cached_value(made, article)
        bylines.append(made)
    return prefetched(Byline, bylines)


def parsed(value):
    """A JSON array from the database: text or already decoded, NULL when there were no rows."""
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else value


def prefetched(model, objects):
    """What prefetch_related leaves behind: a queryset already holding its results, so
    `article.bylines.all()` and `article.tags.all()` run no query."""
    queryset = model._default_manager.all()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    return queryset
