from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from articles.models.content import Article


class Revision(models.Model):
    """An immutable snapshot of an article's content, made by every save.

    A save of a live article does not touch what readers see: its revision is *pending* until a
    moderator publishes it (now, or at a scheduled time), when its content is copied onto the
    article. Autosaves and conflict copies are revisions too, kept apart from the line of saves.
    """

    class Kind(models.TextChoices):
        SAVE = "save", _("Save")
        RESTORE = "restore", _("Restore")
        AUTOSAVE = "autosave", _("Autosave")
        CONFLICT = "conflict", _("Conflict copy")

    # The kinds that make up the line of saves an editor works from.
    WORKING_KINDS = (Kind.SAVE, Kind.RESTORE)

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.SAVE)
    content = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    restored_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The revision the editor had open when this one was made."),
    )
    # Changes to a live article wait here until a moderator publishes them.
    pending = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    # What readers are told when a scheduled change goes live.
    correction_note = models.TextField(blank=True)
    correction_kind = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_number_unique")
        ]
        indexes = [
            models.Index(fields=["article", "kind", "-number"], name="revision_article_kind_idx"),
            models.Index(
                fields=["scheduled_for"],
                name="revision_due_idx",
                condition=Q(pending=True, applied_at__isnull=True, scheduled_for__isnull=False),
            ),
            # Changes to live pieces waiting for a decision, oldest first (the moderation
            # queue, the desk home): a few rows among every save ever made.
            models.Index(
                fields=["submitted_at"],
                name="revision_waiting_idx",
                condition=Q(pending=True, applied_at__isnull=True, submitted_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"#{self.number} ({self.get_kind_display()}) of {self.content.get('headline', '')}"

    @property
    def is_waiting(self):
        return self.pending and self.applied_at is None


class Correction(models.Model):
    """What readers are told at the end of an article when a published change corrects it."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        UPDATE = "update", _("Update")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    revision = models.ForeignKey(
        Revision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=Kind, default=Kind.CORRECTION)
    note = models.TextField()
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["published_at", "id"]
        verbose_name = _("correction or update")
        verbose_name_plural = _("corrections and updates")
        indexes = [models.Index(fields=["article", "published_at"], name="correction_article_idx")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.note[:60]}"


class EditingPresence(models.Model):
    """Who has an article open, and who is changing it, so a colleague is warned before they
    collide."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()
    # When they last changed something in the form: opening a piece to press Publish is not
    # editing it.
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="presence_unique")]
        indexes = [models.Index(fields=["article", "seen_at"], name="presence_article_idx")]

    def __str__(self):
        return f"{self.user} on article {self.article_id}"

    def is_editing(self, since):
        return self.edited_at is not None and self.edited_at >= since
