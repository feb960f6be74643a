"""The desk's admin site: its home page is the desk (articles.desk), not a list of models.

Installed as django.contrib.admin's default site by DeskAdminConfig (INSTALLED_APPS), so
`admin.site` everywhere is this one.
"""

from django.contrib import admin
from django.contrib.admin import apps as admin_apps


class DeskAdminSite(admin.AdminSite):
    index_template = "admin/desk_home.html"

    def index(self, request, extra_context=None):
        from articles.desk import desk_for

        return super().index(request, {**desk_for(request.user), **(extra_context or {})})


class DeskAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with the desk's site as `admin.site`."""

    default_site = "newsroom.admin_site.DeskAdminSite"
