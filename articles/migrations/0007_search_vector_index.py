"""Full-text search on PostgreSQL: a GIN index on the stored vector, and vectors for the
articles that already exist. SQLite has neither tsvector nor GIN, so there is nothing to do.

Written by hand: the index is not declared in Article.Meta, where it would break SQLite, so the
migration state is unchanged and `makemigrations --check` stays clean.
"""

from django.db import migrations

INDEX_NAME = "article_search_vector_gin"

# A frozen copy of articles.search.search_document() as this migration was written, so later
# changes to the app cannot change what this step did. Same weights, configs and text.
CONFIG = """(CASE WHEN article.language = 'en' THEN 'english'
                  WHEN article.language = 'fr' THEN 'french'
                  ELSE 'simple' END)::regconfig"""
AUTHOR_NAMES = """(SELECT string_agg(author.name, ' ' ORDER BY byline.position, byline.id)
                   FROM articles_byline AS byline
                   JOIN articles_author AS author ON author.id = byline.author_id
                   WHERE byline.article_id = article.id)"""
TAG_NAMES = """(SELECT string_agg(tag.name, ' ' ORDER BY tag.name)
                FROM articles_taggedarticle AS tagged
                JOIN taggit_tag AS tag ON tag.id = tagged.tag_id
                WHERE tagged.content_object_id = article.id)"""
BODY_TEXT = """regexp_replace(article.body, '<(?:[^>"]|"[^"]*")*>', ' ', 'g')"""
BACKFILL = f"""
UPDATE articles_article AS article SET search_vector =
    setweight(to_tsvector({CONFIG}, COALESCE(article.headline, '')), 'A')
    || setweight(to_tsvector({CONFIG}, COALESCE(article.standfirst, '') || ' '
                 || COALESCE({AUTHOR_NAMES}, '') || ' ' || COALESCE({TAG_NAMES}, '')), 'B')
    || setweight(to_tsvector({CONFIG}, COALESCE({BODY_TEXT}, '')), 'C')
"""


def add_index_and_backfill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON articles_article USING GIN (search_vector)"
    )
    schema_editor.execute(BACKFILL)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The vectors stay: the field is 0006's, and a stale vector is harmless without search.
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_add_article_language_and_search_vector"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(add_index_and_backfill, drop_index)]
