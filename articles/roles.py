"""The desk's roles: which permissions the Writer and Moderator groups hold.

Kept in one place so the data migration and the tests agree; a later migration that changes
a role calls `sync_role_permissions` again.
"""

WRITER = "Writer"
MODERATOR = "Moderator"

WRITER_PERMISSIONS = [
    "articles.add_article",
    "articles.change_article",
    "articles.view_article",
    "articles.add_byline",
    "articles.change_byline",
    "articles.delete_byline",
    "articles.view_byline",
    "articles.view_author",
    "articles.view_section",
    "articles.add_editorialnote",
    "articles.view_editorialnote",
    "articles.view_tag",
]

MODERATOR_PERMISSIONS = [
    *WRITER_PERMISSIONS,
    "articles.delete_article",
    "articles.publish_article",
    "articles.add_author",
    "articles.change_author",
    "articles.delete_author",
    "articles.add_section",
    "articles.change_section",
    "articles.delete_section",
    "articles.view_slugredirect",
    "articles.view_auditentry",
    "articles.add_tag",
    "articles.change_tag",
    "articles.delete_tag",
    # Old addresses of imported sites, and any an editor adds (redirects/).
    "redirects.add_redirect",
    "redirects.change_redirect",
    "redirects.delete_redirect",
    "redirects.view_redirect",
]

ROLE_PERMISSIONS = {WRITER: WRITER_PERMISSIONS, MODERATOR: MODERATOR_PERMISSIONS}


def sync_role_permissions(apps):
    """Create the groups and give each exactly its permissions (works inside migrations).

    Permissions of models that do not exist yet at this point of the migration history are
    skipped; the migration that creates those models calls this again.
    """
    from django.contrib.auth.management import create_permissions

    # On a fresh database permissions are only created after all migrations; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permissions += Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            )
        group.permissions.set(permissions)
