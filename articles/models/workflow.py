from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.models.content import Article


class EditorialNote(models.Model):
    """An internal note on an article; never shown on any public surface."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        DECISION = "decision", _("Decision")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.NOTE)
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("editorial note")
        verbose_name_plural = _("editorial notes")
        indexes = [models.Index(fields=["article", "created_at"], name="note_article_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.author} on {self.article}"


class AuditEntry(models.Model):
    """Who did what to an article, when, from which state to which, and why."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        SAVED = "saved", _("Saved")
        SUBMITTED = "submit", _("Submitted for review")
        WITHDRAWN = "withdraw", _("Withdrawn to draft")
        CHANGES_REQUESTED = "request_changes", _("Changes requested")
        PUBLISHED = "publish", _("Published")
        SCHEDULED = "schedule", _("Scheduled")
        RESCHEDULED = "reschedule", _("Rescheduled")
        UNSCHEDULED = "unschedule", _("Pulled back to draft")
        UNPUBLISHED = "unpublish", _("Unpublished")
        REPUBLISHED = "republish", _("Published again")
        NOTE = "note", _("Note added")
        ASSIGNED = "assign", _("Assigned")
        SUBMITTED_CHANGES = "submit_changes", _("Changes submitted for review")
        PUBLISHED_CHANGES = "publish_changes", _("Changes published")
        SCHEDULED_CHANGES = "schedule_changes", _("Changes scheduled")
        RESTORED = "restore", _("Revision restored")
        DELETED = "delete", _("Moved to the bin")
        UNDELETED = "undelete", _("Restored from the bin")
        IMPORTED = "import", _("Imported")

    # Kept when the article goes, so the record of what happened to it survives.
    article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, related_name="audit_entries"
    )
    article_headline = models.CharField(max_length=250)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["article", "-created_at"], name="audit_article_idx"),
            models.Index(fields=["user", "-created_at"], name="audit_user_idx"),
            models.Index(fields=["action", "-created_at"], name="audit_action_idx"),
        ]

    def __str__(self):
        return f"{self.get_action_display()}: {self.article_headline}"
