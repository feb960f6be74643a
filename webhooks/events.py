"""Turning what happened to articles into deliveries, one per subscribed endpoint.

The deliveries are written in the transaction that made the change, so they exist exactly when
the change does; their tasks are queued once it commits. A body carries the article as the
content API shows it (api.serializers), as it stands when the event happens.
"""

import uuid

from django.db import transaction
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from api.serializers import ArticleSerializer
from articles.models import Article
from jobs.queue import enqueue_on_commit
from webhooks.models import Delivery, Endpoint, Event


def subscribed(event):
    endpoints = Endpoint.objects.filter(is_active=True)
    # Filtered here rather than in SQL: JSON containment differs between SQLite and
    # PostgreSQL, and a newsroom has a handful of endpoints.
    return [endpoint for endpoint in endpoints if event in endpoint.events]


def body(*, delivery_id, event, data):
    envelope = {
        "id": str(delivery_id),
        "event": event,
        "created_at": timezone.now().isoformat(),
        "data": data,
    }
    return JSONRenderer().render(envelope).decode()


def queue_deliveries(deliveries):
    from webhooks.tasks import deliver

    Delivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        enqueue_on_commit(deliver, str(delivery.id))


def announce(event, article_ids):
    """Tell every endpoint subscribed to `event` about each of these articles."""
    endpoints = subscribed(event)
    if not endpoints:
        return []
    article_ids = list(article_ids)
    if not article_ids:
        return []
    with transaction.atomic():
        # An update not yet delivered is moot: this event's body has the article as it is now.
        Delivery.objects.filter(
            article_id__in=article_ids,
            event=Event.UPDATED,
            status__in=Delivery.UNFINISHED,
            endpoint__in=endpoints,
        ).update(status=Delivery.Status.SUPERSEDED, next_retry_at=None)
        articles = Article.objects.filter(pk__in=article_ids).with_page_related()
        deliveries = []
        for article in articles:
            data = {"article": ArticleSerializer(article).data}
            for endpoint in endpoints:
                delivery_id = uuid.uuid4()
                deliveries.append(
                    Delivery(
                        id=delivery_id,
                        endpoint=endpoint,
                        event=event,
                        article_id=article.pk,
                        article_headline=article.headline[:300],
                        body=body(delivery_id=delivery_id, event=event, data=data),
                    )
                )
        queue_deliveries(deliveries)
    return deliveries


def send_test(endpoint):
    """A ping to one endpoint, whether or not it is active, to check its URL and secret."""
    delivery_id = uuid.uuid4()
    data = {"endpoint": endpoint.url, "events": endpoint.events}
    delivery = Delivery(
        id=delivery_id,
        endpoint=endpoint,
        event=Event.PING,
        body=body(delivery_id=delivery_id, event=Event.PING, data=data),
    )
    with transaction.atomic():
        queue_deliveries([delivery])
    return delivery
