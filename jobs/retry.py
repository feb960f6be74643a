"""Tries again, later and later, a task whose work failed (an SMTP server down, a receiver
answering 500), and gives up loudly after the last try.

Django's task API has no retries of its own: a failed try queues the same task again with
`attempt` + 1 and a `run_after` that doubles each time, then fails as itself (so each try's
error and traceback are kept where the backend keeps results). The last try fails with
`GaveUp`, which the admin lists apart from tries that will be made again.
"""

import logging
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

LONGEST_WAIT = timedelta(hours=1)


class GaveUp(Exception):
    """A task's last try failed: nothing will run it again unless someone does."""


def wait_before(attempt):
    """How long to wait after try number `attempt` failed."""
    seconds = settings.NEWSROOM_TASK_RETRY_SECONDS * 2 ** (attempt - 1)
    return min(timedelta(seconds=seconds), LONGEST_WAIT)


@contextmanager
def retried(context):
    """Run the body of a task (declared with `takes_context=True` and an `attempt=1` keyword);
    when it fails, queue the task again for later, or give up after the last attempt."""
    try:
        yield
    except Exception as error:
        result = context.task_result
        attempt = result.kwargs.get("attempt", 1)
        if attempt >= settings.NEWSROOM_TASK_ATTEMPTS:
            logger.error(
                "%s gave up after %d tries: %s", result.task.name, attempt, error, exc_info=True
            )
            raise GaveUp(f"gave up after {attempt} tries: {error!r}") from error
        when = timezone.now() + wait_before(attempt)
        again = result.task.using(run_after=when).enqueue(
            *result.args, **{**result.kwargs, "attempt": attempt + 1}
        )
        logger.warning(
            "%s failed (try %d of %d): %s; trying again at %s as %s",
            result.task.name,
            attempt,
            settings.NEWSROOM_TASK_ATTEMPTS,
            error,
            when.isoformat(),
            again.id,
        )
        raise
