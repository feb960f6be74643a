"""Webhook endpoints and their delivery log, for administrators.

Writers and moderators have no permission on these models (articles.roles gives none), so the
admin answers them 403 like any model they were not granted.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jobs.queue import enqueue_on_commit
from webhooks.events import send_test
from webhooks.models import SUBSCRIBABLE, Delivery, Endpoint


class EndpointForm(forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=Endpoint._meta.get_field("url").help_text,
    )
    events = forms.MultipleChoiceField(
        label=_("events"),
        choices=[(event.value, event.label) for event in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The events this endpoint is told of."),
    )

    class Meta:
        model = Endpoint
        fields = ["url", "description", "events", "is_active"]


def delivery_log_url(endpoint):
    listing = reverse("admin:webhooks_delivery_changelist")
    return f"{listing}?{urlencode({'endpoint__id__exact': endpoint.pk})}"


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["url", "description", "subscribed_events", "is_active", "log"]
    list_filter = ["is_active"]
    search_fields = ["url", "description"]
    readonly_fields = ["secret", "created_at", "created_by"]

    @admin.display(description=_("events"))
    def subscribed_events(self, endpoint):
        return ", ".join(endpoint.events)

    @admin.display(description=_("deliveries"))
    def log(self, endpoint):
        return format_html('<a href="{}">{}</a>', delivery_log_url(endpoint), _("Delivery log"))

    def get_fields(self, request, obj=None):
        fields = ["url", "description", "events", "is_active"]
        # The secret exists once the endpoint does: shown to configure the receiver with it.
        return fields if obj is None else [*fields, *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self):
        send = self.admin_site.admin_view(self.send_test_view)
        return [
            path("<path:object_id>/send-test/", send, name="webhooks_endpoint_send_test"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        endpoint = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "delivery_log_url": delivery_log_url(endpoint) if endpoint else None,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def send_test_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        endpoint = get_object_or_404(Endpoint, pk=object_id)
        if not self.has_change_permission(request, endpoint):
            raise PermissionDenied
        send_test(endpoint)
        self.message_user(
            request,
            _("A test delivery is queued for %(url)s: its outcome shows in the delivery log.")
            % {"url": endpoint.url},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(delivery_log_url(endpoint))


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "endpoint",
        "event",
        "article_headline",
        "status",
        "response_status",
        "duration_ms",
        "attempts",
        "next_retry_at",
    ]
    list_filter = ["status", "event", "endpoint"]
    list_select_related = ["endpoint"]
    search_fields = ["article_headline", "=id"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    fields = [
        "id",
        "endpoint",
        "event",
        "article_id",
        "article_headline",
        "status",
        "attempts",
        "response_status",
        "duration_ms",
        "last_tried_at",
        "next_retry_at",
        "delivered_at",
        "error",
        "response_excerpt",
        "body",
        "created_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The log is read-only; "change" only lets its holders send a delivery again.
        return obj is None and super().has_change_permission(request)

    @admin.action(description=_("Send again"), permissions=["change"])
    def send_again(self, request, queryset):
        from webhooks.tasks import deliver

        chosen = list(queryset.exclude(status__in=Delivery.UNFINISHED).values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=chosen).update(
            status=Delivery.Status.PENDING, next_retry_at=None
        )
        for pk in chosen:
            enqueue_on_commit(deliver, str(pk))
        self.message_user(
            request,
            ngettext("%(n)d delivery queued again.", "%(n)d deliveries queued again.", len(chosen))
            % {"n": len(chosen)},
            messages.SUCCESS,
        )
