"""Email leaves through the task queue: the click that caused it never waits on SMTP, and a
mail server that is down delays the message instead of losing it or failing the click."""

import logging

from django.core.mail import EmailMessage
from django.db import transaction

from jobs.retry import retried
from jobs.tasks import task

logger = logging.getLogger(__name__)


@task(takes_context=True)
def send_email(context, *, subject, body, to, attempt=1):
    with retried(context):
        EmailMessage(subject=subject, body=body, to=to).send()
    return {"to": to, "attempt": attempt}


def queue_email(*, subject, body, to):
    """Queue one message once the current transaction commits (at once outside one). A queue
    that cannot take it is logged, never raised: the step that asked for the email is taken."""

    def enqueue():
        try:
            send_email.enqueue(subject=subject[:200], body=body, to=list(to))
        except Exception:
            logger.exception("could not queue the email %r to %s", subject, ", ".join(to))

    transaction.on_commit(enqueue)
