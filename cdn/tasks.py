"""The purge itself runs in the task worker: a CDN that is slow or down delays it, and never
fails or slows the click that made the pages stale."""

from cdn.backends import purge
from jobs.retry import retried
from jobs.tasks import task


@task(takes_context=True)
def purge_urls(context, *, urls, attempt=1):
    """Purge `urls` (absolute public URLs) from the configured CDN. Tried again later, all of
    them, when any request fails: purging a URL twice does no harm."""
    with retried(context):
        requests = purge(urls)
    return {"urls": len(urls), "requests": requests, "attempt": attempt}
