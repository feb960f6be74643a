import logging

from django.conf import settings
from django.db import DatabaseError

from .revisions import publish_due_revisions

logger = logging.getLogger(__name__)


class PublishDueChangesMiddleware:
    """Scheduled changes to live articles go out at their time without a cron job: the first
    public request after that time publishes them (one cheap indexed query otherwise)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.skip = ("/admin/", "/healthz", settings.STATIC_URL, settings.MEDIA_URL)

    def __call__(self, request):
        if request.method == "GET" and not request.path.startswith(self.skip):
            try:
                publish_due_revisions()
            except DatabaseError:
                # The page itself will say whether the database is really gone.
                logger.warning("could not publish due changes", exc_info=True)
        return self.get_response(request)
