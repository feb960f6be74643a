from django.db import migrations

# PostgreSQL keeps a row's long values inline until the row passes about 2 kB. An article's
# compressed body (3 kB) stayed in the row, so a table page held 2 or 3 articles, and every query
# that reads many rows (lists, the search index's matches, related candidates) read as many pages:
# 290 MB of table for 100,000 articles, far more than PostgreSQL's cache. With a 256-byte target
# the body and search vector live beside the table, which keeps 30 articles a page (25 MB).
# Existing rows move when next written; VACUUM FULL articles_article moves them all at once.
COMPACT = "ALTER TABLE articles_article SET (toast_tuple_target = 256)"
RESET = "ALTER TABLE articles_article RESET (toast_tuple_target)"


def compact(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(COMPACT)


def reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RESET)


class Migration(migrations.Migration):
    dependencies = [("articles", "0011_related_covering_indexes")]

    operations = [migrations.RunPython(compact, reset, elidable=False)]
