"""When the next scheduled publication is due: no cached page or fragment may outlive it.

Scheduled pieces go live by the clock (`Article.objects.published()`), and scheduled changes to
live pieces when a request finds them due (articles.middleware), so nothing moves a version at
that moment: caches must expire by themselves, exactly then, without a cron job.

The moment is remembered in the cache under the site's version, which moves on (after the
commit, pagecache.receivers) whenever a piece or a change is scheduled, rescheduled or pulled
back: a page stored by any worker after that looks the moment up afresh. A remembered moment
that has passed is looked up again, so the one after it is found.
"""

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Min
from django.utils import timezone

NEXT_KEY = "newsroom:next-publication:{site}"
NO_EVENT = "none"


def upcoming_moment(now):
    """The earliest go-live still ahead, or scheduled change not yet applied (even one already
    due: until a request has applied it, pages must not be stored without it)."""
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


def next_publication(site_version):
    """The moment (an aware datetime) of the next scheduled publication, or None, as of the
    site's version `site_version`."""
    key = NEXT_KEY.format(site=site_version)
    remembered = cache.get(key)
    now = timezone.now()
    if remembered == NO_EVENT:
        return None
    if remembered is not None:
        moment = datetime.fromisoformat(remembered)
        if moment > now:
            return moment
    moment = upcoming_moment(now)
    cache.set(
        key,
        moment.isoformat() if moment else NO_EVENT,
        timeout=max(settings.NEWSROOM_PAGE_CACHE_SECONDS, settings.NEWSROOM_FRAGMENT_CACHE_SECONDS),
    )
    return moment
