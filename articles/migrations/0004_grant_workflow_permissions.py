from django.db import migrations


def grant(apps, schema_editor):
    from articles.roles import sync_role_permissions

    sync_role_permissions(apps)


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_add_workflow_notes_and_audit_log")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
