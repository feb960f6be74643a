import logging
import time

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Min
from django.utils import timezone

from articles.models import Revision
from articles.revisions import publish_due_revisions

logger = logging.getLogger(__name__)


class PublishDueChangesMiddleware:
    """Scheduled changes to live articles go out at their time without a cron job: the first
    public request after that time publishes them.

    Each process remembers when the next scheduled change is due and asks the database again
    at most once a second, so readers' requests do not each pay a query for it; a change
    scheduled by another process goes out within a second of its time.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.skip = ("/admin/", "/healthz", settings.STATIC_URL, settings.MEDIA_URL)
        self.next_due = None
        self.checked_at = float("-inf")

    def __call__(self, request):
        if request.method == "GET" and not request.path.startswith(self.skip):
            try:
                self.publish_if_due()
            except DatabaseError:
                # The page itself will say whether the database is really gone.
                logger.warning("could not publish due changes", exc_info=True)
        return self.get_response(request)

    def publish_if_due(self):
        now = timezone.now()
        due = self.next_due is not None and self.next_due <= now
        # time.time(), not time.monotonic(): tests move the clock, and so may an operator.
        age_ms = abs(time.time() - self.checked_at) * 1000
        fresh = age_ms < settings.NEWSROOM_SCHEDULE_RECHECK_MS
        if fresh and not due:
            return
        self.next_due = Revision.objects.filter(
            pending=True, applied_at__isnull=True, scheduled_for__isnull=False
        ).aggregate(next=Min("scheduled_for"))["next"]
        self.checked_at = time.time()
        if self.next_due is not None and self.next_due <= now:
            publish_due_revisions(now)
            self.checked_at = float("-inf")  # more may be due: look again on the next request
