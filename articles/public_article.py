"""The article page's article, with its section, ordered bylines and tags: three plain queries
instead of a queryset with two prefetches (1 ms against 5.9 ms at 10,000 articles; the ORM's
building and compiling was the cost, not the database). `articles.public_sql` says why."""

from django.db import connection
from taggit.models import Tag

from .models import Article, Author, Byline, TaggedArticle
from .public_sql import columns, concrete, instance, public_condition

# Search vectors are for search: a page never shows one, and they are a large part of a row.
ARTICLE_FIELDS = concrete(Article, leave_out={"search_vector"})
BYLINE_FIELDS = concrete(Byline)
AUTHOR_FIELDS = concrete(Author)
TAG_FIELDS = concrete(Tag)


def table(model):
    return connection.ops.quote_name(model._meta.db_table)


def column(model, name):
    return f"{table(model)}.{connection.ops.quote_name(model._meta.get_field(name).column)}"


def load_public_article(*, sections, slug=None, pk=None):
    """The public article with this slug (or primary key), or None. `sections` maps ids to the
    sections the page has loaded for its menu."""
    public, params = public_condition()
    key, value = (column(Article, "slug"), slug) if pk is None else (column(Article, "id"), pk)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns(Article, ARTICLE_FIELDS)} FROM {table(Article)} "  # noqa: S608
            f"WHERE {key} = %s AND {public}",
            [value, *params],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        article = instance(Article, ARTICLE_FIELDS, row)
        cursor.execute(
            f"SELECT {columns(Byline)}, {columns(Author)} FROM {table(Byline)} "  # noqa: S608
            f"JOIN {table(Author)} ON {column(Author, 'id')} = {column(Byline, 'author')} "
            f"WHERE {column(Byline, 'article')} = %s "
            f"ORDER BY {column(Byline, 'position')}, {column(Byline, 'id')}",
            [article.pk],
        )
        bylines = [byline_of(article, row) for row in cursor.fetchall()]
        # In the order they were tagged: the desk's order, not the tags' ids.
        cursor.execute(
            f"SELECT {columns(Tag)} FROM {table(Tag)} "  # noqa: S608
            f"JOIN {table(TaggedArticle)} ON {column(TaggedArticle, 'tag')} = {column(Tag, 'id')} "
            f"WHERE {column(TaggedArticle, 'content_object')} = %s "
            f"ORDER BY {column(TaggedArticle, 'id')}",
            [article.pk],
        )
        tags = [instance(Tag, TAG_FIELDS, row) for row in cursor.fetchall()]
    section = sections.get(article.section_id)
    if section is not None:  # else it loads on first use, as any foreign key does
        Article.section.field.set_cached_value(article, section)
    article._prefetched_objects_cache = {
        "bylines": prefetched(Byline, bylines),
        "tags": prefetched(Tag, tags),
    }
    return article


def byline_of(article, row):
    byline = instance(Byline, BYLINE_FIELDS, row[: len(BYLINE_FIELDS)])
    Byline.author.field.set_cached_value(
        byline, instance(Author, AUTHOR_FIELDS, row[len(BYLINE_FIELDS) :])
    )
    Byline.article.field.set_cached_value(byline, article)
    return byline


def prefetched(model, objects):
    """What prefetch_related leaves behind: a queryset already holding its results, so
    `article.bylines.all()` and `article.tags.all()` run no query."""
    queryset = model._default_manager.all()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    return queryset
