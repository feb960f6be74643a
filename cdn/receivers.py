"""What queues purges: the page cache's announcement that pages are stale, connected in
CdnConfig.ready.

pagecache.signals.pages_stale arrives once per committed transaction with every version name
it moved; its names become URLs here (cdn.stale_urls, a few queries, after the commit so that
an unpublished piece is read as it now is) and the URLs one task (cdn.tasks), which the worker
sends to the CDN. With no CDN configured nothing is looked up and nothing is queued.

An article deleted from the database (never by the desk, whose delete moves it to the bin; from
a shell, say) has no row left when the announcement comes: its URLs are read just before the
delete and purged by a task of their own once the delete commits, and forgotten with the
transaction if it rolls back.
"""

from django.conf import settings
from django.db.models.signals import pre_delete

from articles.models import Article
from cdn.stale_urls import article_urls, stale_urls
from cdn.tasks import purge_urls
from jobs.queue import enqueue_on_commit
from pagecache.signals import pages_stale


def queue_purge(urls):
    if urls:
        # Outside a transaction (the announcement comes after the commit) it is queued at once.
        enqueue_on_commit(purge_urls, urls=urls)


def purge_stale_pages(sender, names, **kwargs):
    if settings.NEWSROOM_CDN_PURGE:
        queue_purge(stale_urls(names))


def purge_deleted_article(sender, instance, **kwargs):
    if settings.NEWSROOM_CDN_PURGE:
        queue_purge(article_urls([instance.pk]))


def connect_signals():
    pages_stale.connect(purge_stale_pages, dispatch_uid="cdn-pages-stale")
    pre_delete.connect(purge_deleted_article, sender=Article, dispatch_uid="cdn-article-deleted")
