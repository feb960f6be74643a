"""API keys in the admin: administrators add one (a name, a rate limit), see it once, revoke it.

Writers and moderators hold no ApiKey permission (articles.roles), so the admin answers them 403.
"""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from api.models import ApiKey


class StateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", _("active")), ("revoked", _("revoked"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.active()
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "rate_limit", "created_at", "last_used_at", "state"]
    list_filter = [StateFilter]
    search_fields = ["name", "prefix"]
    actions = ["revoke"]
    readonly_fields = [
        "prefix",
        "hashed_key",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        # A key being added has none of these yet: its form asks for a name and a rate only.
        return self.readonly_fields if obj is not None else []

    def get_fieldsets(self, request, obj=None):
        if obj is not None:
            return super().get_fieldsets(request, obj)
        description = _(
            "The key is made when you save, and shown once: only its hash is kept, so nobody "
            "can read it afterwards."
        )
        return [(None, {"fields": ["name", "rate_limit"], "description": description})]

    def has_delete_permission(self, request, obj=None):
        # Revoked keys stay listed: a record of who could read the API, and until when.
        return False

    @admin.display(description=_("state"), ordering="revoked_at")
    def state(self, api_key):
        return _("active") if api_key.is_active else _("revoked")

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request, queryset):
        count = queryset.revoke()
        message = ngettext("%(count)d key revoked.", "%(count)d keys revoked.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            # Kept on this instance only, for response_add to show: never stored, never in a
            # message (messages travel in a cookie).
            obj.whole_key = obj.issue(by=request.user)

    def response_add(self, request, obj, post_url_continue=None):
        """The key, once. The add view answers with no-store (the admin's never_cache), so the
        browser keeps no copy of this page either."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("API key created"),
            "api_key": obj,
            "whole_key": obj.whole_key,
        }
        return TemplateResponse(request, "admin/api/apikey/created.html", context)
