"""The redirect table in the admin: moderators add, change and remove old addresses by hand
(articles.roles gives them the permissions; writers have none, so the admin answers them 403).

The paths are checked and spelt as stored by Redirect.clean(), which the form runs.
"""

from django.contrib import admin

from redirects.models import Redirect


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    fields = ["old_path", "new_path", "source", "created_at"]
    readonly_fields = ["source", "created_at"]
    list_display = ["old_path", "new_path", "source", "created_at"]
    list_filter = ["source"]
    search_fields = ["old_path", "new_path"]
    date_hierarchy = "created_at"

    def get_fields(self, request, obj=None):
        # Where a redirect came from and when exist once it does.
        return self.fields if obj is not None else ["old_path", "new_path"]

    def save_model(self, request, obj, form, change):
        # Once the desk has touched a redirect it is the desk's: an import run again keeps it.
        obj.source = Redirect.Source.MANUAL
        super().save_model(request, obj, form, change)
