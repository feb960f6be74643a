from django.conf import settings

from .revisions import publish_due_revisions


class PublishDueChangesMiddleware:
    """Scheduled changes to live articles go out at their time without a cron job: the first
    public request after that time publishes them (one cheap indexed query otherwise)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.skip = ("/admin/", settings.STATIC_URL, settings.MEDIA_URL)

    def __call__(self, request):
        if request.method == "GET" and not request.path.startswith(self.skip):
            publish_due_revisions()
        return self.get_response(request)
