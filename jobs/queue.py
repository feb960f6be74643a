"""Queueing a task once the work that asked for it is committed."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, run_after=None, **kwargs):
    """Queue `task` once the current transaction commits (at once outside one), to run at
    `run_after` (as soon as a worker is free when None). A queue that cannot take it is logged,
    never raised: the decision that asked for the task has been taken and stays taken."""

    def enqueue():
        try:
            (task.using(run_after=run_after) if run_after else task).enqueue(*args, **kwargs)
        except Exception:
            logger.exception("could not queue %s %r %r", task.name, args, kwargs)

    transaction.on_commit(enqueue)
