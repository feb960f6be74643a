"""What webhooks hear of the domain (articles.signals), connected in WebhooksConfig.ready.

Only what readers could see is announced: an edit to a draft, or pulling back a piece that
was scheduled but never went live, tells partners nothing.
"""

from django.dispatch import receiver
from django.utils import timezone

from articles.signals import (
    article_changed,
    article_deleted,
    article_published,
    article_unpublished,
)
from jobs.queue import enqueue_on_commit
from webhooks.events import announce
from webhooks.models import Event


def was_public(article):
    return article.published_at is not None and article.published_at <= timezone.now()


@receiver(article_published, dispatch_uid="webhooks.published")
def published(sender, article, **kwargs):
    if was_public(article):
        announce(Event.PUBLISHED, [article.pk])
        return
    # At its time, by the task queue: no reader's request and no cron.
    from webhooks.tasks import announce_go_live

    enqueue_on_commit(
        announce_go_live,
        article.pk,
        published_at=article.published_at.isoformat(),
        run_after=article.published_at,
    )


@receiver(article_changed, dispatch_uid="webhooks.changed")
def changed(sender, articles, **kwargs):
    announce(Event.UPDATED, articles.published().values_list("pk", flat=True))


@receiver(article_unpublished, dispatch_uid="webhooks.unpublished")
def unpublished(sender, article, **kwargs):
    if was_public(article):
        announce(Event.UNPUBLISHED, [article.pk])


@receiver(article_deleted, dispatch_uid="webhooks.deleted")
def deleted(sender, article, **kwargs):
    if article.status == article.Status.PUBLISHED and was_public(article):
        announce(Event.DELETED, [article.pk])
