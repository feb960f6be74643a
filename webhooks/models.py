"""Where a newsroom's partners ask to be told of its articles, and what was sent to them.

A delivery's body is written once, when its event happens, and every try sends those same
bytes: a receiver that retries its own processing can trust the `id` in the body to be the
delivery's, and the signature (webhooks.signing) is made anew over each try's timestamp.
"""

import secrets
import uuid

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    PUBLISHED = "article.published", "article.published"
    UPDATED = "article.updated", "article.updated"
    UNPUBLISHED = "article.unpublished", "article.unpublished"
    DELETED = "article.deleted", "article.deleted"
    # Sent by the admin's "send test" button, whatever the endpoint subscribes to.
    PING = "ping", "ping"


SUBSCRIBABLE = [event for event in Event if event != Event.PING]


def new_secret():
    return "whsec_" + secrets.token_urlsafe(32)


class Endpoint(models.Model):
    url = models.URLField(
        _("URL"),
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("Deliveries are POSTed here as JSON. Use https:// for anything public."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(
        _("events"),
        default=list,
        help_text=_("The events this endpoint is told of."),
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        default=new_secret,
        editable=False,
        help_text=_("The receiver checks each delivery's signature with it."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("An inactive endpoint is sent nothing.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["url"]

    def __str__(self):
        return self.description or self.url


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        RETRYING = "retrying", _("Failed: tried again later")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Gave up after the last try")
        # An article.updated that a later event about the same article made moot.
        SUPERSEDED = "superseded", _("Superseded by a later event")
        CANCELLED = "cancelled", _("Not sent: endpoint inactive")

    UNFINISHED = (Status.PENDING, Status.RETRYING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(
        Endpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    event = models.CharField(_("event"), max_length=32, choices=Event.choices)
    # No foreign key: the log outlives the article (and says what it was called).
    article_id = models.BigIntegerField(_("article id"), null=True, blank=True)
    article_headline = models.CharField(_("article"), max_length=300, blank=True)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("tries"), default=0)
    response_status = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    response_excerpt = models.TextField(_("response"), blank=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_tried_at = models.DateTimeField(_("last tried at"), null=True, blank=True)
    next_retry_at = models.DateTimeField(_("next try at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        indexes = [
            # The delivery log of one endpoint, newest first.
            models.Index(fields=["endpoint", "-created_at"], name="webhooks_log_idx"),
            # Earlier article.updated deliveries a new event makes moot.
            models.Index(
                fields=["article_id", "event"],
                name="webhooks_unfinished_idx",
                condition=models.Q(status__in=["pending", "retrying"]),
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint}"
