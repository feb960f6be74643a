"""The article page's article, with its ordered bylines, its tags and the site's sections (the
menu, and the article's own), in one plain query instead of a queryset with two prefetches and
a query for the menu (0.9 ms against 6.5 ms at 10,000 articles: the ORM's building and
compiling was the cost, not the database). `articles.public_sql` says why.

Bylines, tags and sections come beside the article as JSON arrays, one round trip for all;
they are put in order here, by the positions they carry, so no database's aggregate order
matters.
"""

import functools
import json
from operator import itemgetter

from django.db import connection, models
from taggit.models import Tag

from .models import Article, Author, Byline, Section, TaggedArticle
from .public_sql import (
    attnames,
    column,
    columns,
    concrete,
    fetch_all,
    instance,
    loaded,
    prepares_statements,
    public_condition,
    table,
)

# Search vectors are for search: a page never shows one, and they are a large part of a row.
ARTICLE_FIELDS = concrete(Article, leave_out={"search_vector"})
BYLINE_FIELDS = concrete(Byline)
AUTHOR_FIELDS = concrete(Author)
TAG_FIELDS = concrete(Tag)
SECTION_FIELDS = concrete(Section)
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
    article = instance(Article, ARTICLE_FIELDS, row[: len(ARTICLE_FIELDS)])
    byline_rows, tag_rows, section_rows = (parsed(value) for value in row[len(ARTICLE_FIELDS) :])
    position = BYLINE_FIELDS.index(Byline._meta.get_field("position"))
    byline_rows.sort(key=itemgetter(position, 0))  # position, then id
    tag_rows.sort(key=itemgetter(0))  # in the order they were tagged: the desk's order
    section_rows.sort(key=itemgetter(0))
    sections = [from_json(Section, SECTION_FIELDS, values[1:]) for values in section_rows]
    for section in sections:
        if section.pk == article.section_id:
            Article.section.field.set_cached_value(article, section)
    article._prefetched_objects_cache = {
        "bylines": prefetched(Byline, [byline_of(article, values) for values in byline_rows]),
        "tags": prefetched(Tag, [from_json(Tag, TAG_FIELDS, values[1:]) for values in tag_rows]),
    }
    return article, sections


@functools.lru_cache(maxsize=8)
def statement(vendor, key, literals):
    """The article page's SQL, looking the article up by `key` ("slug" or "id"): it depends on
    nothing else, so it is written once per process, not on every page (0.13 ms each)."""
    public, _ = public_condition(literals=literals)
    aggregate, row_of = JSON_FUNCTIONS[vendor]
    article_id = column(Article, "id")
    bylines = (
        f"SELECT {aggregate}({row_of}({columns(Byline)}, {columns(Author)})) "
        f"FROM {table(Byline)} JOIN {table(Author)} "
        f"ON {column(Author, 'id')} = {column(Byline, 'author')} "
        f"WHERE {column(Byline, 'article')} = {article_id}"
    )
    tags = (
        f"SELECT {aggregate}({row_of}({column(TaggedArticle, 'id')}, {columns(Tag)})) "
        f"FROM {table(Tag)} JOIN {table(TaggedArticle)} "
        f"ON {column(TaggedArticle, 'tag')} = {column(Tag, 'id')} "
        f"WHERE {column(TaggedArticle, 'content_object')} = {article_id}"
    )
    # Numbered in the menu's order by the database, whose collation sorts the names.
    menu_order = ", ".join(
        f"{column(Section, name.lstrip('-'))}{' DESC' if name.startswith('-') else ''}"
        for name in Section._meta.ordering
    )
    menu = ", ".join(f"menu.{connection.ops.quote_name(f.column)}" for f in SECTION_FIELDS)
    sections = (
        f"SELECT {aggregate}({row_of}(menu.place, {menu})) FROM ("
        f"SELECT ROW_NUMBER() OVER (ORDER BY {menu_order}) AS place, {columns(Section)} "
        f"FROM {table(Section)}) menu"
    )
    return (
        f"SELECT {columns(Article, ARTICLE_FIELDS)}, ({bylines}), ({tags}), "  # noqa: S608
        f"({sections}) FROM {table(Article)} WHERE {column(Article, key)} = %s AND {public}"
    )


def parsed(value):
    """A JSON array from the database: text or already decoded, NULL when there were no rows."""
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str) else value


def from_json(model, fields, values):
    """An instance from values read out of JSON: plain numbers and strings, and JSON fields
    either decoded already (PostgreSQL) or as text (SQLite stores them as text)."""
    fields = tuple(fields)
    json_positions = json_fields(fields)
    if json_positions:
        values = list(values)
        for position in json_positions:
            if isinstance(values[position], str):
                values[position] = json.loads(values[position])
    return loaded(model, attnames(fields), values)


@functools.cache
def json_fields(fields):
    """Where the JSON fields are in a row of `fields`."""
    return [n for n, field in enumerate(fields) if isinstance(field, models.JSONField)]


def byline_of(article, values):
    byline = from_json(Byline, BYLINE_FIELDS, values[: len(BYLINE_FIELDS)])
    author = from_json(Author, AUTHOR_FIELDS, values[len(BYLINE_FIELDS) :])
    Byline.author.field.set_cached_value(byline, author)
    Byline.article.field.set_cached_value(byline, article)
    return byline


def prefetched(model, objects):
    """What prefetch_related leaves behind: a queryset already holding its results, so
    `article.bylines.all()` and `article.tags.all()` run no query."""
    queryset = model._default_manager.all()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    return queryset
