"""The desk edits tags through articles.Tag now, whose permissions are its own: the roles get
them, and so does any group or user that had been given taggit's by hand."""

from django.conf import settings
from django.db import migrations

ACTIONS = ("add", "change", "delete", "view")


def grant_newsroom_tag_permissions(apps, schema_editor):
    from articles.roles import sync_role_permissions

    sync_role_permissions(apps)
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    for action in ACTIONS:
        codename = f"{action}_tag"
        old = Permission.objects.filter(content_type__app_label="taggit", codename=codename)
        new = Permission.objects.filter(content_type__app_label="articles", codename=codename)
        old, new = old.first(), new.first()
        if old is None or new is None:
            continue
        for group in Group.objects.filter(permissions=old):
            group.permissions.add(new)
        for user in User.objects.filter(user_permissions=old):
            user.user_permissions.add(new)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_tag_proxy_listed_under_newsroom"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(grant_newsroom_tag_permissions, migrations.RunPython.noop)]
