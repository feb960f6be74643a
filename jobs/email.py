"""Email leaves through the task queue: the click that caused it never waits on SMTP, and a
mail server that is down delays the message instead of losing it or failing the click."""

from django.core.mail import EmailMessage

from jobs.queue import enqueue_on_commit
from jobs.retry import retried
from jobs.tasks import task


@task(takes_context=True)
def send_email(context, *, subject, body, to, attempt=1):
    with retried(context):
        EmailMessage(subject=subject, body=body, to=to).send()
    return {"to": to, "attempt": attempt}


def queue_email(*, subject, body, to):
    """Queue one message once the current transaction commits (jobs.queue)."""
    enqueue_on_commit(send_email, subject=subject[:200], body=body, to=list(to))
