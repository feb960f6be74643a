"""The redirect table: old addresses (an imported site's permalinks, or ones an editor enters)
and where they now live. Served by redirects.middleware, only to requests that would be a 404.
How addresses are spelt here is in redirects.paths.
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from redirects import paths
from redirects.signals import redirects_recorded

# Rows written per query by record_many().
BATCH = 500
# How far clean() follows a chain of redirects looking for one that leads back.
MAX_HOPS = 10


class RedirectQuerySet(models.QuerySet):
    def target_of(self, candidates):
        """The new path of the first of `candidates` (stored spellings) in the table, or None:
        one query on the unique index."""
        if not candidates:
            return None
        found = dict(self.filter(old_path__in=candidates).values_list("old_path", "new_path"))
        return next((found[each] for each in candidates if each in found), None)

    def record(self, old_path, new_path, *, source):
        """Create or update the redirect from `old_path` to `new_path` and return it; recording
        the same pair again changes nothing. One an editor made or changed by hand is kept as it
        is: an import run again does not undo the desk's decision. Raises ValidationError for a
        pair that cannot be a redirect (see Redirect.clean)."""
        wanted = self.model(old_path=old_path, new_path=new_path, source=source)
        wanted.clean()
        redirect, created = self.get_or_create(
            old_path=wanted.old_path, defaults={"new_path": wanted.new_path, "source": source}
        )
        if created or redirect.source == Redirect.Source.MANUAL:
            return redirect
        if (redirect.new_path, redirect.source) != (wanted.new_path, source):
            redirect.new_path, redirect.source = wanted.new_path, source
            redirect.save(update_fields=["new_path", "source"])
        return redirect

    def record_many(self, pairs, *, source):
        """record() for many (old path, new path) pairs at once, in a few queries per 500, as an
        import needs; returns how many are now in the table as asked. Pairs that cannot be a
        redirect (a desk address, a path to itself) are skipped, and for an old path given twice
        the last pair wins. Loops are not looked for: an importer's targets are the pages it
        made, which answer 200, and a page that answers is never redirected."""
        wanted = {}
        for old_path, new_path in pairs:
            try:
                old_path = paths.normalise_old_path(old_path)
                new_path = paths.normalise_new_path(new_path)
            except ValidationError:
                continue
            if not paths.same_page(old_path, new_path):
                wanted[old_path] = new_path
        recorded = 0
        items = list(wanted.items())
        with transaction.atomic():
            for start in range(0, len(items), BATCH):
                batch = items[start : start + BATCH]
                existing = {
                    row.old_path: row for row in self.filter(old_path__in=[old for old, _ in batch])
                }
                added, changed = [], []
                for old_path, new_path in batch:
                    row = existing.get(old_path)
                    if row is None:
                        added.append(
                            self.model(old_path=old_path, new_path=new_path, source=source)
                        )
                    elif row.source == Redirect.Source.MANUAL:
                        continue
                    elif (row.new_path, row.source) != (new_path, source):
                        row.new_path, row.source = new_path, source
                        changed.append(row)
                    recorded += 1
                # A row an editor adds meanwhile is theirs: kept, not an error.
                self.bulk_create(added, ignore_conflicts=True)
                self.bulk_update(changed, ["new_path", "source"])
        if recorded:
            redirects_recorded.send(sender=self.model)
        return recorded


class Redirect(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", _("By hand")
        WORDPRESS = "wordpress", "WordPress"
        GHOST = "ghost", "Ghost"

    old_path = models.CharField(
        _("old path"),
        max_length=paths.MAX_LENGTH,
        unique=True,
        help_text=_(
            "The old address, from the first “/”: /2020/01/02/old-story/, /?p=12 or "
            "/tag/elections/. A whole URL of the old site may be pasted: its path is kept."
        ),
    )
    new_path = models.CharField(
        _("new path"),
        max_length=paths.MAX_LENGTH,
        help_text=_("Where readers are sent, on this site: /politics/new-story/."),
    )
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.MANUAL
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RedirectQuerySet.as_manager()

    class Meta:
        verbose_name = _("redirect")
        verbose_name_plural = _("redirects")
        ordering = ["old_path"]

    def __str__(self):
        return f"{self.old_path} → {self.new_path}"

    def save(self, *args, **kwargs):
        # The middleware finds a row by its stored spelling only, whoever wrote it.
        self.old_path = paths.normalise_old_path(self.old_path)
        self.new_path = paths.normalise_new_path(self.new_path)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        # The admin's "View on site" then tries the redirect itself.
        return self.old_path

    def clean(self):
        """Spell both paths as stored and refuse a redirect to itself or one that loops."""
        errors = {}
        for name, normalise in (
            ("old_path", paths.normalise_old_path),
            ("new_path", paths.normalise_new_path),
        ):
            if getattr(self, name):
                try:
                    setattr(self, name, normalise(getattr(self, name)))
                except ValidationError as exc:
                    errors[name] = exc
        if errors:
            raise ValidationError(errors)
        if not (self.old_path and self.new_path):
            return
        if paths.same_page(self.old_path, self.new_path):
            raise ValidationError(
                {
                    "new_path": ValidationError(
                        _("The new path is the old one: readers would go round in circles."),
                        code="itself",
                    )
                }
            )
        back = self.leads_back_from()
        if back is not None:
            raise ValidationError(
                {
                    "new_path": ValidationError(
                        _(
                            "%(path)s already redirects back here: readers would go round in "
                            "circles."
                        ),
                        code="loop",
                        params={"path": back},
                    )
                }
            )

    def leads_back_from(self):
        """The old path through which the new path leads back to this one, or None."""
        target = self.new_path
        for _hop in range(MAX_HOPS):
            path, query = paths.split_stored(target)
            step = (
                Redirect.objects.exclude(old_path=self.old_path)
                .filter(old_path__in=paths.candidates(path, query))
                .values_list("old_path", "new_path")
                .first()
            )
            if step is None:
                return None
            if paths.same_page(step[1], self.old_path):
                return step[0]
            target = step[1]
        return None
