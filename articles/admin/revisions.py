"""Revisions in the admin: the history list, the compare page, restore, autosave, presence."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles import permissions, revisions
from articles.diffs import compare
from articles.models import AuditEntry, EditingPresence, Revision


def may_read_revisions(user, article):
    """Moderators, and the writers of the piece: nobody reads someone else's drafts by id."""
    return permissions.can_publish(user) or (
        user.has_perm("articles.change_article") and permissions.is_contributor(user, article)
    )


class RevisionAdminMixin:
    def revision_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/revisions/",
                view(self.revisions_view),
                name="articles_article_revisions",
            ),
            path(
                "<path:object_id>/revisions/compare/",
                view(self.compare_view),
                name="articles_article_compare",
            ),
            path(
                "<path:object_id>/revisions/<int:revision_id>/restore/",
                view(self.restore_view),
                name="articles_article_restore",
            ),
            path(
                "<path:object_id>/autosave/",
                view(self.autosave_view),
                name="articles_article_autosave",
            ),
            path(
                "<path:object_id>/presence/",
                view(self.presence_view),
                name="articles_article_presence",
            ),
        ]

    # Opening the form on the right text.

    def change_view(self, request, object_id, form_url="", extra_context=None):
        request.desk_opening = True
        if "revision" in request.GET and not form_url:
            # The form opened on a chosen revision posts to the plain URL, so after saving
            # the editor sees what they saved, not that revision again.
            form_url = request.path
        return super().change_view(request, object_id, form_url, extra_context)

    def open_working_copy(self, request, article):
        """The form shows the pending change of a live article, or a revision asked for."""
        if not getattr(request, "desk_opening", False):
            return article
        chosen = None
        wanted = request.GET.get("revision") if request.method == "GET" else None
        if wanted and wanted.isdigit() and may_read_revisions(request.user, article):
            chosen = article.revisions.filter(pk=int(wanted)).first()
            if (
                chosen
                and chosen.kind == Revision.Kind.AUTOSAVE
                and chosen.created_by != request.user
            ):
                chosen = None
        if chosen is None:
            chosen = revisions.pending_revision(article)
        if chosen is not None:
            revisions.apply_in_memory(article, chosen.content)
            article._opened_revision = chosen
        return article

    def revision_context(self, request, article):
        context = {"pending_change": None, "autosave_offer": None, "editing_now": []}
        pending = revisions.pending_revision(article)
        if pending is not None and article.is_published:
            context["pending_change"] = pending
        opened = getattr(article, "_opened_revision", None)
        if opened is None or opened.kind != Revision.Kind.AUTOSAVE:
            context["autosave_offer"] = revisions.autosave_to_offer(article, user=request.user)
        context["opened_revision"] = opened
        window = timezone.now() - timedelta(minutes=settings.NEWSROOM_EDIT_LOCK_MINUTES)
        context["editing_now"] = [
            {"presence": presence, "editing": presence.is_editing(window)}
            for presence in EditingPresence.objects.filter(article=article, seen_at__gte=window)
            .exclude(user=request.user)
            .select_related("user")
            .order_by("started_at")
        ]
        context["may_read_revisions"] = may_read_revisions(request.user, article)
        context["autosave_interval_ms"] = settings.NEWSROOM_AUTOSAVE_SECONDS * 1000
        return context

    def mark_present(self, request, article, *, editing=False):
        now = timezone.now()
        window = now - timedelta(minutes=settings.NEWSROOM_EDIT_LOCK_MINUTES)
        edited_at = now if editing else None
        presence, created = EditingPresence.objects.get_or_create(
            article=article,
            user=request.user,
            defaults={"started_at": now, "seen_at": now, "edited_at": edited_at},
        )
        if not created:
            # Back after a break: a new session starts now.
            if presence.seen_at < window:
                presence.started_at = now
                presence.edited_at = None
            presence.seen_at = now
            presence.edited_at = edited_at or presence.edited_at
            presence.save(update_fields=["started_at", "seen_at", "edited_at"])

    # The pages.

    def _article_for_revisions(self, request, object_id):
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404
        if not may_read_revisions(request.user, article):
            raise PermissionDenied
        return article

    def revisions_view(self, request, object_id):
        article = self._article_for_revisions(request, object_id)
        rows = list(article.revisions.select_related("created_by", "restored_from"))
        live = revisions.live_revision(article)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Revisions of “%(headline)s”") % {"headline": article.headline},
            "opts": self.opts,
            "article": article,
            "revisions": rows,
            "live_revision": live,
            "pending": revisions.pending_revision(article),
            "can_restore": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/revisions.html", context)

    def compare_view(self, request, object_id):
        article = self._article_for_revisions(request, object_id)

        def pick(name):
            value = request.GET.get(name, "")
            if value == "live":
                return None, revisions.content_of(article)
            if not value.isdigit():
                raise Http404
            revision = get_object_or_404(article.revisions, pk=int(value))
            if revision.kind == Revision.Kind.AUTOSAVE and revision.created_by != request.user:
                raise PermissionDenied
            return revision, revision.content

        old_revision, old = pick("from")
        new_revision, new = pick("to")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Compare revisions"),
            "opts": self.opts,
            "article": article,
            "old_revision": old_revision,
            "new_revision": new_revision,
            "diff": compare(old, new),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def restore_view(self, request, object_id, revision_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_for_revisions(request, object_id)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        revision = get_object_or_404(article.revisions, pk=revision_id)
        if revision.kind == Revision.Kind.AUTOSAVE and revision.created_by != request.user:
            raise PermissionDenied
        restored = revisions.restore(article, revision, by=request.user)
        AuditEntry.objects.create(
            article=article,
            article_headline=article.headline,
            user=request.user,
            action=AuditEntry.Action.RESTORED,
            from_state=article.status,
            to_state=article.status,
            note=f"#{revision.number} → #{restored.number}",
        )
        if restored.pending:
            messages.success(
                request,
                _(
                    "Revision #%(n)d restored as a pending change: readers "
                    "see it once it is published."
                )
                % {"n": revision.number},
            )
        else:
            messages.success(request, _("Revision #%(n)d restored.") % {"n": revision.number})
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    def autosave_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        continuing = request.POST.get("_autosave_revision", "")
        saved = revisions.autosave(
            article,
            by=request.user,
            data=request.POST,
            continuing=int(continuing) if continuing.isdigit() else None,
        )
        self.mark_present(request, article, editing=True)
        return JsonResponse({"revision": saved.pk, "saved_at": saved.created_at.isoformat()})

    def presence_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        # The page says whether its form was changed since it was opened.
        self.mark_present(request, article, editing=request.POST.get("editing") == "1")
        return JsonResponse({"ok": True})
