"""`manage.py worker`: the background-task worker of whichever queue the settings name."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from jobs.reaper import requeue_abandoned, this_worker_id


class Command(BaseCommand):
    help = (
        "Run background tasks (emails, webhooks, renditions, CDN purges) until stopped: "
        "django-tasks-db's db_worker on the database queue (the default), RQ's worker with its "
        "scheduler when NEWSROOM_TASK_QUEUE=redis. Run one or more beside the web server."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch",
            action="store_true",
            help="run the tasks that are due, then stop (for cron-less checks and tests)",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds between looks at an empty database queue (default 1)",
        )

    def handle(self, *args, batch, interval, **options):
        verbosity = options["verbosity"]
        if settings.NEWSROOM_TASK_QUEUE == "redis":
            # The scheduler moves tasks whose time has come (retries, deferred work) onto
            # the queue.
            call_command(
                "rqworker",
                *settings.RQ_QUEUES,
                burst=batch,
                with_scheduler=True,
                # Jobs that run django.tasks Tasks (with their context, results and signals).
                job_class="django_tasks_rq.backend.Job",
                verbosity=verbosity,
            )
        else:
            requeue_abandoned()
            call_command(
                "db_worker",
                queue_name="*",
                batch=batch,
                interval=interval,
                reload=False,
                startup_delay=False,
                worker_id=this_worker_id(),
                verbosity=verbosity,
            )
