"""What moves the page-cache versions on: the models' signals, connected in PageCacheConfig.ready.

Versions move once when a row is saved, for whatever the same transaction renders itself (and
for tests, which run in one transaction), and once more after the transaction commits: until
then other connections still read the old rows, and a page, or the moment of the next
scheduled publication, that a worker computes from them meanwhile must not look current.
Then, once per transaction, the names it moved are announced (pagecache.signals.pages_stale) to
whatever else keeps copies of public pages, such as a CDN (cdn/).
"""

import logging
import threading
import weakref

from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from pagecache import versions
from pagecache.middleware import cache_unavailable
from pagecache.signals import pages_stale

logger = logging.getLogger(__name__)


def move_now(names):
    try:
        versions.move_on(names)
    except Exception as exc:  # noqa: BLE001
        # The cache is down: nothing can be served from it, and a restarted cache starts its
        # versions anew, so there is nothing stale to fear. Saving must not fail for it.
        cache_unavailable("versions not moved on", exc)


class Moved:
    """The names one transaction moved on, moved again and announced once after it commits."""

    __slots__ = ("names", "announced", "__weakref__")

    def __init__(self):
        self.names = set()
        self.announced = False


# Each thread's open transaction's Moved, held weakly: only the on_commit callbacks that will
# announce it hold it, so when a rollback discards them it goes too, and the next transaction
# starts afresh instead of announcing what never happened. (Should it outlive them, nothing is
# lost: the names are announced by the next commit, one more time than needed.)
_moving = threading.local()


def moved_in_this_transaction():
    held = getattr(_moving, "moved", None)
    moved = held() if held else None
    if moved is None or moved.announced:
        moved = Moved()
        _moving.moved = weakref.ref(moved)
    return moved


def move_on(names):
    names = set(names)
    move_now(names)
    if connection.in_atomic_block:
        moved = moved_in_this_transaction()
        moved.names |= names
        # One callback per call, each able to announce all of them: whichever runs first does.
        transaction.on_commit(lambda: move_after_commit(moved))
    else:
        announce(names)


def move_after_commit(moved):
    if moved.announced:
        return
    moved.announced = True
    move_now(moved.names)
    announce(moved.names)


def announce(names):
    # Robust: the change is committed, so a listener that fails (a CDN's lookup) must neither
    # turn a decision already taken into a server error nor keep the others from hearing it.
    for receiver, outcome in pages_stale.send_robust(sender=None, names=frozenset(names)):
        if isinstance(outcome, Exception):
            logger.error("%r failed on pages_stale", receiver, exc_info=outcome)


def remember_before(sender, instance, **kwargs):
    """Before a save: what the row said, so a move (of section, of byline) refreshes both sides."""
    if instance.pk is None:
        return
    fields = ("status", "section_id") if sender.__name__ == "Article" else ("author_id",)
    instance._cache_before = sender.objects.filter(pk=instance.pk).values(*fields).first()


def content_changed(sender, instance=None, created=False, **kwargs):
    """Move on the versions a saved or deleted row touches, and the site's."""
    before = getattr(instance, "_cache_before", None)
    names = versions.touched_by(instance, created=created, before=before)
    if names is not None:
        move_on([versions.SITE, *names])


def tags_changed(sender, instance, action, pk_set, **kwargs):
    from articles.models import Article

    if action == "pre_clear" and isinstance(instance, Article):
        instance._cache_cleared_tags = list(instance.tags.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, Article):
        if instance.status in versions.UNSEEN_STATES:
            return
        tag_ids = pk_set if action != "post_clear" else getattr(instance, "_cache_cleared_tags", ())
        move_on([versions.SITE, f"article:{instance.pk}", *(f"tag:{pk}" for pk in tag_ids or ())])
    else:  # a tag's articles changed, from the tag's side
        move_on([versions.SITE, f"tag:{instance.pk}", *(f"article:{pk}" for pk in pk_set or ())])


def schedule_changed(sender, instance, update_fields=None, **kwargs):
    """A change to a live article was scheduled, or its schedule dropped. No page changes yet,
    but the pages that show the article must now expire at the change's time: they are made
    anew, and the site's version moving on makes pagecache.schedule look up the moment again."""
    if not instance.pending or instance.applied_at is not None:
        return
    if instance.scheduled_for is None and "scheduled_for" not in (update_fields or ()):
        return
    move_on([versions.SITE, *versions.article_names(instance.article)])


def connect_signals():
    from taggit.models import Tag

    from articles.models import (
        Article,
        Author,
        Byline,
        Correction,
        Revision,
        Section,
        SlugRedirect,
        TaggedArticle,
    )
    from redirects.models import Redirect
    from redirects.signals import redirects_recorded

    for model in (Article, Author, Byline, Correction, Section, SlugRedirect, TaggedArticle, Tag):
        post_save.connect(content_changed, sender=model, dispatch_uid=f"cache-{model.__name__}")
        post_delete.connect(
            content_changed, sender=model, dispatch_uid=f"cache-del-{model.__name__}"
        )
    for model in (Article, Byline):
        pre_save.connect(remember_before, sender=model, dispatch_uid=f"cache-pre-{model.__name__}")
    m2m_changed.connect(
        tags_changed, sender=Article.tags.through, dispatch_uid="cache-article-tags"
    )
    post_save.connect(schedule_changed, sender=Revision, dispatch_uid="cache-schedule")
    # A redirect changes what its old address answers (a cached 404 until then): the site's
    # version moves on (touched_by names nothing else), for a row or for an import's many.
    post_save.connect(content_changed, sender=Redirect, dispatch_uid="cache-Redirect")
    post_delete.connect(content_changed, sender=Redirect, dispatch_uid="cache-del-Redirect")
    redirects_recorded.connect(content_changed, dispatch_uid="cache-redirects-recorded")
