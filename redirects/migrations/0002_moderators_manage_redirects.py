"""Moderators add, change and delete redirects (articles.roles); writers get none."""

from django.db import migrations


def grant(apps, schema_editor):
    from articles.roles import sync_role_permissions

    sync_role_permissions(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("redirects", "0001_initial"),
        # The roles' other permissions are set again with these: their models must exist.
        ("articles", "0017_revision_waiting_index"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
