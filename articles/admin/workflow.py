"""The workflow in the admin: transition buttons, notes, the moderation queue, the audit log."""

from datetime import datetime

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles import permissions, revisions
from articles.desk import waiting_changes
from articles.models import Article, AuditEntry, Correction, EditorialNote

from ..workflow import (
    TRANSITIONS,
    State,
    TransitionRefused,
    add_note,
    apply_transition,
    available_transitions,
    state_of,
)

MAX_NOTE_LENGTH = 5000


def parse_local_datetime(value):
    """A <input type=datetime-local> value in the site's time zone, or None."""
    try:
        naive = datetime.fromisoformat((value or "").strip()[:32])
    except ValueError:
        return None
    if naive.tzinfo is not None:
        return naive
    return timezone.make_aware(naive)


def local_datetime(value):
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def describe_state(article, *, with_change=True):
    """The state as the desk reads it, with (`with_change`) a live piece's saved change that
    readers do not see yet."""
    state = state_of(article)
    if state == State.SCHEDULED:
        return _("Scheduled for %(when)s") % {"when": local_datetime(article.published_at)}
    with_change = with_change and state == State.PUBLISHED
    change = revisions.pending_revision(article) if with_change else None
    if change is None:
        return State.labels[state]
    if change.scheduled_for:
        return _("Published; changes scheduled for %(when)s") % {
            "when": local_datetime(change.scheduled_for)
        }
    if change.submitted_at:
        return _("Published; changes waiting for review")
    return _("Published; changes not yet submitted")


def describe_move(entry):
    """An audit entry's states as labels: "In review → Published"."""
    labels = State.labels
    after = labels.get(entry.to_state, entry.to_state)
    if entry.from_state == entry.to_state:
        return after
    return f"{labels.get(entry.from_state, entry.from_state)} → {after}"


class WorkflowAdminMixin:
    """Mixed into ArticleAdmin: every status change goes through articles.workflow."""

    actions = [
        "submit_selected",
        "publish_selected",
        "unpublish_selected",
        "withdraw_selected",
        "restore_from_bin",
    ]

    def workflow_urls(self):
        view = self.admin_site.admin_view
        return [
            path("queue/", view(self.queue_view), name="articles_article_queue"),
            path(
                "<path:object_id>/transition/",
                view(self.transition_view),
                name="articles_article_transition",
            ),
            path("<path:object_id>/notes/", view(self.note_view), name="articles_article_note"),
        ]

    def workflow_context(self, request, article):
        notes = list(article.notes.select_related("author"))
        requested = [n for n in notes if n.kind == EditorialNote.Kind.CHANGES_REQUESTED]
        return {
            "workflow_state": describe_state(article),
            "workflow_transitions": available_transitions(request.user, article),
            "workflow_notes": notes,
            "workflow_changes_requested": (
                requested[-1]
                if state_of(article) == State.CHANGES_REQUESTED and requested
                else None
            ),
            "workflow_can_note": permissions.can_view(request.user, article),
            "workflow_min_datetime": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        }

    def _back(self, request, article):
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return HttpResponseRedirect(target)
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def _article_or_404(self, request, object_id):
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        return article

    def transition_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_or_404(request, object_id)
        name = request.POST.get("transition", "")
        transition = TRANSITIONS.get(name)
        if transition is None:
            messages.error(request, _("There is no such step in the workflow."))
            return self._back(request, article)
        at = parse_local_datetime(request.POST.get("at")) if transition.when == "future" else None
        note = request.POST.get("note", "")[:MAX_NOTE_LENGTH]
        try:
            kind = request.POST.get("correction_kind")
            if kind not in Correction.Kind.values:
                kind = Correction.Kind.CORRECTION
            apply_transition(article, name, by=request.user, note=note, at=at, correction_kind=kind)
        except TransitionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            article.refresh_from_db()
            messages.success(
                request,
                _("“%(headline)s”: %(done)s. Now: %(state)s.")
                % {
                    "headline": article.headline,
                    "done": transition.done,
                    "state": describe_state(article),
                },
            )
        return self._back(request, article)

    def note_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_or_404(request, object_id)
        try:
            add_note(article, by=request.user, body=request.POST.get("body", "")[:MAX_NOTE_LENGTH])
        except TransitionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Note added."))
        return self._back(request, article)

    def queue_view(self, request):
        if not permissions.can_publish(request.user):
            raise PermissionDenied
        queue = (
            self.all_articles(request)
            .filter(status=Article.Status.IN_REVIEW)
            .select_related("section", "created_by")
            .order_by("submitted_at", "created_at")
        )
        rows = [{"article": article} for article in queue.filter(deleted_at__isnull=True)]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Moderation queue"),
            "opts": self.opts,
            "rows": rows,
            # Only the newest saved change of each article can be published: one query, not
            # one per change.
            "changes": list(waiting_changes()),
            "min_datetime": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "queue_url": reverse("admin:articles_article_queue"),
        }
        return TemplateResponse(request, "admin/articles/article/queue.html", context)

    # Changelist actions: the same transitions, for many articles at once.

    def _bulk(self, request, queryset, name):
        done, refused = 0, []
        for article in queryset:
            try:
                apply_transition(article, name, by=request.user)
                done += 1
            except (TransitionRefused, PermissionDenied):
                refused.append(article.headline)
        label = TRANSITIONS[name].label
        if done:
            self.message_user(
                request,
                ngettext("%(step)s: %(n)d article.", "%(step)s: %(n)d articles.", done)
                % {"step": label, "n": done},
                messages.SUCCESS,
            )
        if refused:
            self.message_user(
                request,
                _("%(step)s was not possible for: %(list)s.")
                % {"step": label, "list": "; ".join(refused)},
                messages.WARNING,
            )

    @admin.action(description=_("Submit selected for review"))
    def submit_selected(self, request, queryset):
        self._bulk(request, queryset, "submit")

    @admin.action(description=_("Back to draft"))
    def withdraw_selected(self, request, queryset):
        self._bulk(request, queryset, "withdraw")

    @admin.action(description=_("Publish selected now"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, "publish")

    @admin.action(description=_("Unpublish selected"), permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        self._bulk(request, queryset, "unpublish")

    def has_publish_permission(self, request):
        return permissions.can_publish(request.user)

    def history_view(self, request, object_id, extra_context=None):
        article = self.get_object(request, unquote(object_id))
        entries = []
        if article is not None and self.has_view_permission(request, article):
            entries = [
                {"entry": entry, "move": describe_move(entry)}
                for entry in article.audit_entries.select_related("user")
            ]
        return super().history_view(
            request, object_id, {"audit_entries": entries, **(extra_context or {})}
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "action", "article_link", "transition", "short_note"]
    list_filter = ["action", ("user", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["article_headline", "note", "user__username"]
    date_hierarchy = "created_at"
    list_select_related = ["user", "article__section"]
    show_full_result_count = False

    def lookup_allowed(self, lookup, value, request=None):
        # The article history page links here filtered to one article.
        return lookup in {"article__id__exact", "article"} or super().lookup_allowed(
            lookup, value, request
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("article"), ordering="article_headline")
    def article_link(self, entry):
        if entry.article_id is None:
            return entry.article_headline
        url = reverse("admin:articles_article_change", args=[entry.article_id])
        return format_html('<a href="{}">{}</a>', url, entry.article_headline)

    @admin.display(description=_("from → to"))
    def transition(self, entry):
        return describe_move(entry)

    @admin.display(description=_("note"))
    def short_note(self, entry):
        return entry.note[:120]
