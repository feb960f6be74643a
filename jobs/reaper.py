"""Tasks a dead worker was running go back on the database queue.

django-tasks-db marks a task RUNNING when a worker claims it and nothing else: a worker that
is killed (SIGKILL, out of memory, a power cut) leaves the task RUNNING for ever, and the work
(an email, a webhook delivery) is silently lost. Our workers name themselves "<host>:<pid>"
(jobs' worker command), so a starting worker can tell which RUNNING tasks belong to a process
of its own host that is gone, and queue them again at once; those of other hosts go back once
they have run longer than NEWSROOM_TASK_LEASE_SECONDS, far beyond any task's own timeout.

Tasks that may run twice this way must not do their work twice: a webhook delivery checks its
own status first; an email may, rarely, arrive twice rather than never.
"""

import logging
import os
import socket
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)


def this_worker_id():
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


def process_gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def abandoned(task_result, *, host, now):
    worker = (task_result.worker_ids or ["?"])[-1]
    worker_host, _, pid = worker.rpartition(":")
    if worker_host == host and pid.isdigit():
        return process_gone(int(pid))
    started = task_result.started_at or now
    return now - started > timedelta(seconds=settings.NEWSROOM_TASK_LEASE_SECONDS)


def requeue_abandoned():
    """Queue again the RUNNING tasks whose worker is gone; returns how many."""
    from django_tasks_db.models import DBTaskResult

    host, now = socket.gethostname()[:40], timezone.now()
    running = DBTaskResult.objects.filter(status="RUNNING").only(
        "id", "worker_ids", "started_at", "task_path"
    )
    gone = [result for result in running if abandoned(result, host=host, now=now)]
    for result in gone:
        logger.warning("task %s (%s) lost its worker: queued again", result.id, result.task_path)
    return DBTaskResult.objects.filter(
        pk__in=[result.pk for result in gone], status="RUNNING"
    ).update(status="READY", started_at=None)
