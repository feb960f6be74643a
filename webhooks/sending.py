"""One try at one delivery: POST the body, signed, and write down what came of it."""

import time
import urllib.error
import urllib.request

from django.conf import settings
from django.utils import timezone

from jobs.retry import wait_before
from webhooks import signing
from webhooks.models import Delivery

EXCERPT_CHARS = 500
USER_AGENT = "Newsroom-Webhooks/1"


class DeliveryFailed(Exception):
    """The receiver did not answer 2xx in time: the task tries again later."""


class NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would turn the POST into a GET elsewhere, unsigned for its new address:
    # the endpoint's URL is the one the administrator registered, or the try failed.
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(NoRedirects)


def post(url, body, headers):
    """(status, excerpt of the answer); raises OSError when no answer came."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with opener.open(request, timeout=settings.NEWSROOM_WEBHOOK_TIMEOUT_SECONDS) as answer:
            return answer.status, answer.read(EXCERPT_CHARS).decode("utf-8", "replace")
    except urllib.error.HTTPError as answer:
        with answer:
            return answer.code, answer.read(EXCERPT_CHARS).decode("utf-8", "replace")


def try_delivery(delivery, *, attempt):
    """Send `delivery` once, as try number `attempt`, and record the outcome on it."""
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Newsroom-Event": delivery.event,
        "Newsroom-Delivery": str(delivery.id),
        signing.HEADER: signing.signature_header(delivery.endpoint.secret, body),
    }
    started = time.monotonic()
    status, excerpt, error = None, "", ""
    try:
        status, excerpt = post(delivery.endpoint.url, body, headers)
    except (OSError, ValueError) as exc:  # refused, reset, timed out, a URL urllib refuses
        error = repr(exc)
    now = timezone.now()
    delivery.attempts += 1  # every try, "send again" included; `attempt` is this run's
    delivery.last_tried_at = now
    delivery.duration_ms = round((time.monotonic() - started) * 1000)
    delivery.response_status, delivery.response_excerpt, delivery.error = status, excerpt, error
    if status is not None and 200 <= status < 300:
        delivery.status, delivery.delivered_at, delivery.next_retry_at = (
            Delivery.Status.SUCCEEDED,
            now,
            None,
        )
    elif attempt >= settings.NEWSROOM_TASK_ATTEMPTS:
        delivery.status, delivery.next_retry_at = Delivery.Status.FAILED, None
    else:
        # The same wait jobs.retry gives the task: what the log shows is when it runs.
        delivery.status = Delivery.Status.RETRYING
        delivery.next_retry_at = now + wait_before(attempt)
    delivery.save()
    if delivery.status != Delivery.Status.SUCCEEDED:
        raise DeliveryFailed(error or f"HTTP {status}")
