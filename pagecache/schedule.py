"""When the next scheduled publication is due: no cached page or fragment may outlive it.

Scheduled pieces go live by the clock (`Article.objects.published()`), and scheduled changes to
live pieces when the task worker publishes them (articles.tasks), a moment after their time: at
the moment itself nothing moves a version, so caches must expire by themselves, exactly then,
without a cron job, and store nothing while a due change waits for the worker.

The moment is remembered in the cache with the site's version it was found at; that version
moves on (after the commit, pagecache.receivers) whenever a piece or a change is scheduled,
rescheduled or pulled back, and a page stored by any worker after that looks the moment up
afresh. A remembered moment that has passed is looked up again, so the one after it is found.
One key, not one per version, so that it is read in the same round trip as the versions
(`versions.current(..., also=[NEXT_KEY])`).
"""

from datetime import datetime

from django.core.cache import cache
from django.db.models import Min
from django.utils import timezone

from pagecache import versions

NEXT_KEY = "newsroom:next-publication"
NO_EVENT = "none"


def upcoming_moment(now):
    """The earliest go-live still ahead, or scheduled change not yet applied (even one already
    due: until the worker has applied it, pages must not be stored without it)."""
    from articles.models import Article, Revision

    candidates = [
        Article.objects.filter(
            status=Article.Status.PUBLISHED, published_at__gt=now, deleted_at__isnull=True
        ).aggregate(next=Min("published_at"))["next"],
        Revision.objects.filter(
            pending=True, applied_at__isnull=True, scheduled_for__isnull=False
        ).aggregate(next=Min("scheduled_for"))["next"],
    ]
    moments = [moment for moment in candidates if moment is not None]
    return min(moments) if moments else None


UNREAD = object()


def next_publication(site_version, remembered=UNREAD):
    """The moment (an aware datetime) of the next scheduled publication, or None, as of the
    site's version `site_version`. `remembered`: the value of NEXT_KEY, when already read."""
    if remembered is UNREAD:
        remembered = cache.get(NEXT_KEY)
    now = timezone.now()
    if isinstance(remembered, tuple) and remembered[0] == site_version:
        if remembered[1] == NO_EVENT:
            return None
        moment = datetime.fromisoformat(remembered[1])
        if moment > now:
            return moment
    moment = upcoming_moment(now)
    cache.set(
        NEXT_KEY,
        (site_version, moment.isoformat() if moment else NO_EVENT),
        timeout=versions.kept_seconds(),
    )
    return moment
