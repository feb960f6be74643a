"""What was imported from where: each source item keeps its id, so importing the same export
again updates what changed instead of making it twice, and each run is on record."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    WORDPRESS = "wordpress", "WordPress"
    GHOST = "ghost", "Ghost"


class ImportedItem(models.Model):
    class Kind(models.TextChoices):
        POST = "post", _("post")
        AUTHOR = "author", _("author")
        SECTION = "section", _("section")
        TAG = "tag", _("tag")

    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    # The site the export came from: two WordPress sites both have a post 12.
    site = models.CharField(_("site"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    source_id = models.CharField(_("id in the source"), max_length=100)
    # The Article, Author, Section or Tag made from it (the kind says which table).
    object_id = models.BigIntegerField(_("object id"))
    # A digest of what the source said last time: unchanged items are left alone.
    fingerprint = models.CharField(max_length=64)
    imported_at = models.DateTimeField(_("imported at"))
    # For a post: the number of the revision the import wrote. A later one is an edit made here.
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("imported item")
        verbose_name_plural = _("imported items")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "site", "kind", "source_id"], name="importers_one_per_source_id"
            )
        ]

    def __str__(self):
        return f"{self.source} {self.kind} {self.source_id}"


class ImportRun(models.Model):
    """One import, as it was reported: who ran it, on what, and what came over."""

    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    file_name = models.CharField(_("file"), max_length=300)
    site = models.CharField(_("site"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("run by"),
    )
    report = models.JSONField(_("report"), default=dict)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.get_source_display()} {self.file_name} ({self.started_at:%Y-%m-%d %H:%M})"
