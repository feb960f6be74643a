"""The webhooks' work on the task queue: each delivery, and the go-live of scheduled pieces."""

from datetime import datetime

from articles.models import Article
from jobs.retry import retried
from jobs.tasks import task
from webhooks import sending
from webhooks.events import announce
from webhooks.models import Delivery, Event


@task(takes_context=True)
def deliver(context, delivery_id, attempt=1):
    """One try at a delivery; jobs.retry tries again later, doubling the wait, until the last.

    Run twice (a worker that died mid-try is replaced, jobs.reaper), a delivery already
    made is not made again."""
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status not in Delivery.UNFINISHED:
        return {"skipped": delivery.status if delivery else "gone"}
    if not delivery.endpoint.is_active and delivery.event != Event.PING:
        delivery.status, delivery.next_retry_at = Delivery.Status.CANCELLED, None
        delivery.save(update_fields=["status", "next_retry_at"])
        return {"skipped": "inactive endpoint"}
    with retried(context):
        sending.try_delivery(delivery, attempt=attempt)
    return {"status": delivery.response_status, "attempt": attempt}


@task(takes_context=True)
def announce_go_live(context, article_id, published_at, attempt=1):
    """Queued for a scheduled piece's time: if it went live then (not pulled back, not moved
    to another time, whose own task will run then), tell the endpoints it was published."""
    with retried(context):
        went_live = (
            Article.objects.published()
            .filter(pk=article_id, published_at=datetime.fromisoformat(published_at))
            .exists()
        )
        if went_live:
            announce(Event.PUBLISHED, [article_id])
    return {"announced": went_live, "attempt": attempt}
