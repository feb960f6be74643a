"""Hand-written SQL pieces that only search/ranked.py still uses: the menu's sections and an
article's bylines as JSON arrays. The article page loads through the ORM now
(`Article.objects.published().for_page()`, public.views); this module goes when search does.
"""

import json
from operator import itemgetter

from django.db import connection

from articles.models import Article, Author, Byline, Section
from public.public_sql import (
    Layout,
    column,
    columns,
    concrete,
    table,
)

BYLINE = Layout(Byline, concrete(Byline))
AUTHOR = Layout(Author, concrete(Author))
SECTION = Layout(Section, concrete(Section))
# Per database: (aggregate of rows into a JSON array, a row as a JSON array).
JSON_FUNCTIONS = {
    "postgresql": ("json_agg", "json_build_array"),
    "sqlite": ("json_group_array", "json_array"),
}


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
