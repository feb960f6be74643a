"""API keys: made by administrators in the admin, shown once, stored as a hash, revocable.

A key reads `nr_<prefix>_<secret>`. The prefix is public (the admin lists it so keys can be told
apart) and finds the row with one indexed query; the secret is random enough (256 bits) that a
plain SHA-256 of the whole key is safe to store, as GitHub does for its tokens: a slow password
hash would only make every API request slower.
"""

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_FORMAT = re.compile(r"nr_(?P<prefix>[0-9a-f]{8})_[A-Za-z0-9_-]{43}")
# last_used_at is a hint for administrators, not an audit log: written at most this often per
# key, so the API does not write to the database on every request.
LAST_USED_EVERY = timedelta(minutes=5)
# The throttle (api.throttling) keeps one timestamp per request of the last minute, so a limit
# in the millions would make every request copy a huge list in and out of the cache.
MAX_RATE_LIMIT = 10_000


def hash_of(key):
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def revoke(self, *, at=None):
        """Revoke the keys not revoked yet; returns how many were."""
        return self.active().update(revoked_at=at or timezone.now())

    def matching(self, key):
        """The key (revoked or not) whose whole value is `key`, or None.

        Anything that is not shaped like a key is refused before touching the database.
        """
        found = KEY_FORMAT.fullmatch(key) if key.isascii() else None
        if found is None:
            return None
        api_key = self.filter(prefix=found["prefix"]).first()
        if api_key is None or not hmac.compare_digest(api_key.hashed_key, hash_of(key)):
            return None
        return api_key


class ApiKey(models.Model):
    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("Who uses this key and for what, e.g. “Mobile app (iOS)”."),
    )
    prefix = models.CharField(_("prefix"), max_length=8, unique=True, editable=False)
    hashed_key = models.CharField(_("SHA-256 of the key"), max_length=64, editable=False)
    rate_limit = models.PositiveIntegerField(
        _("rate limit"),
        default=600,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RATE_LIMIT)],
        help_text=_("Requests per minute. Past it, the API answers 429 until the minute is over."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("issued on"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked on"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate_limit__gte=1, rate_limit__lte=MAX_RATE_LIMIT),
                name="api_key_rate_limit_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self):
        return self.revoked_at is None

    def issue(self, *, by):
        """Save this new key with a fresh secret; returns the whole key, which nobody can read
        again afterwards (only its hash is kept)."""
        prefix = secrets.token_hex(4)
        while ApiKey.objects.filter(prefix=prefix).exists():
            prefix = secrets.token_hex(4)
        key = f"nr_{prefix}_{secrets.token_urlsafe(32)}"
        self.prefix, self.hashed_key, self.created_by = prefix, hash_of(key), by
        self.save()
        return key

    def revoke(self, *, at=None):
        if self.revoked_at is None:
            self.revoked_at = at or timezone.now()
            ApiKey.objects.filter(pk=self.pk).revoke(at=self.revoked_at)

    def note_use(self, *, at=None):
        at = at or timezone.now()
        if self.last_used_at is not None and at - self.last_used_at < LAST_USED_EVERY:
            return
        # Conditional, so concurrent requests of one key write once between them.
        ApiKey.objects.filter(pk=self.pk).filter(
            models.Q(last_used_at__isnull=True) | models.Q(last_used_at__lt=at - LAST_USED_EVERY)
        ).update(last_used_at=at)
        self.last_used_at = at
