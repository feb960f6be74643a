"""Whole-page caching of what anonymous readers see, with exact, cheap invalidation.

Every cached page is filed under the current *content generation*. Anything that can change a
public page (an article, its bylines, tags, corrections or slug history, an author, a section,
a tag) moves the generation on, so every page is fresh at once without clearing the cache.
Work on pieces readers have not seen (drafts, reviews, their bylines and tags) does not.
No cached page outlives the next scheduled publication (of an article or of a change to one),
so scheduled pieces appear on time without a cron job.
"""

import hashlib
import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Min
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language_from_request

GENERATION_KEY = "newsroom:content-generation"
NEXT_EVENT_KEY = "newsroom:next-publication:{generation}"
PAGE_KEY = "newsroom:page:{generation}:{digest}"
NO_EVENT = "none"
# Paths that are never cached here: the desk, files, previews, and the language switch.
UNCACHED_PREFIXES = ("/admin/", "/static/", "/media/", "/preview/", "/i18n/", "/healthz")

logger = logging.getLogger(__name__)


def generation():
    value = cache.get(GENERATION_KEY)
    if value is None:
        # A fresh or restarted cache: start from a value no older page can carry.
        value = int(timezone.now().timestamp() * 1000)
        cache.add(GENERATION_KEY, value, timeout=None)
        value = cache.get(GENERATION_KEY, value)
    return value


def cache_unavailable(consequence, exc):
    # One line, no traceback: during an outage every request says it, and a traceback per
    # request would bury the rest of the log.
    logger.warning("page cache unavailable (%s: %s); %s", type(exc).__name__, exc, consequence)


# An article in these states has never been public since it last was: changing it, its bylines
# or its tags changes no public page. Writers save and autosave drafts all day long; each of
# those must not make the whole site's cache stale.
UNSEEN_STATES = {"draft", "in_review", "changes_requested"}


def article_of(instance):
    from django.core.exceptions import ObjectDoesNotExist

    from .models import Article, TaggedArticle

    if isinstance(instance, Article):
        return instance
    try:
        if isinstance(instance, TaggedArticle):
            return instance.content_object
        return getattr(instance, "article", None)
    except ObjectDoesNotExist:  # deleted along with its article
        return None


def content_changed(instance=None, **kwargs):
    """Make every cached public page stale at once (connected to the models' signals), unless
    what changed belongs to an article readers have not seen."""
    article = article_of(instance)
    if article is not None and article.status in UNSEEN_STATES:
        return
    if kwargs.get("created") and type(instance).__name__ in ("Author", "Tag"):
        return  # new, so on no public page yet (a new section is: the menu lists them all)
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            generation()
            cache.incr(GENERATION_KEY)
    except Exception as exc:  # noqa: BLE001
        # The cache is down: nothing can be served from it, and a restarted cache starts a
        # new generation, so there is nothing stale to fear. Saving must not fail for it.
        cache_unavailable("generation not advanced", exc)


def seconds_until_next_publication(current_generation):
    """How long until something scheduled goes live; pages must not be cached past that."""
    key = NEXT_EVENT_KEY.format(generation=current_generation)
    cached = cache.get(key)
    if cached is None:
        from .models import Article, Revision

        now = timezone.now()
        candidates = [
            Article.objects.filter(
                status=Article.Status.PUBLISHED, published_at__gt=now, deleted_at__isnull=True
            ).aggregate(next=Min("published_at"))["next"],
            Revision.objects.filter(
                pending=True, applied_at__isnull=True, scheduled_for__gt=now
            ).aggregate(next=Min("scheduled_for"))["next"],
        ]
        upcoming = [moment for moment in candidates if moment is not None]
        cached = min(upcoming).isoformat() if upcoming else NO_EVENT
        cache.set(key, cached, timeout=settings.NEWSROOM_PAGE_CACHE_SECONDS)
    if cached == NO_EVENT:
        return None
    remaining = datetime.fromisoformat(cached) - timezone.now()
    return max(0, int(remaining / timedelta(seconds=1)))


def cacheable_request(request):
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path.startswith(UNCACHED_PREFIXES):
        return False
    # Anyone with a session (staff, editors) always gets a fresh page, and never one of these.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def page_key(request, current_generation):
    language = get_language_from_request(request)
    raw = f"{request.get_host()}|{language}|{request.get_full_path()}"
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return PAGE_KEY.format(generation=current_generation, digest=digest)


def public_cache_headers(response):
    patch_cache_control(
        response,
        public=True,
        max_age=settings.NEWSROOM_BROWSER_CACHE_SECONDS,
        s_maxage=settings.NEWSROOM_BROWSER_CACHE_SECONDS,
    )
    patch_vary_headers(response, ["Accept-Language", "Cookie"])


class PublicPageCacheMiddleware:
    """Serve anonymous readers from the cache; store what they were sent for the next one.

    The cache is a help, never a dependency: if it is unreachable, pages are rendered from the
    database as if caching were off.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.NEWSROOM_PAGE_CACHE_SECONDS or not cacheable_request(request):
            return self.get_response(request)
        try:
            current = generation()
            key = page_key(request, current)
            stored = cache.get(key)
        except Exception as exc:  # noqa: BLE001 (any cache failure means: render without it)
            cache_unavailable("serving uncached", exc)
            return self.get_response(request)
        # The expiry is kept in the entry too, so it holds whatever the cache server's clock.
        if stored is not None and stored[0] > time.time():
            _, status, headers, content = stored
            response = HttpResponse(content, status=status)
            for name, value in headers:
                response[name] = value
            response["X-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if response.status_code in (200, 404) and self.storable(request, response):
            public_cache_headers(response)
            try:
                self.store(key, current, response)
            except Exception as exc:  # noqa: BLE001
                cache_unavailable("page not stored", exc)
            response["X-Cache"] = "miss"
        return response

    @staticmethod
    def store(key, current, response):
        timeout = settings.NEWSROOM_PAGE_CACHE_SECONDS
        until_next = seconds_until_next_publication(current)
        if until_next is not None:
            timeout = min(timeout, until_next)
        if timeout <= 0:
            return
        headers = [
            (name, value)
            for name, value in response.items()
            if name.lower() not in ("set-cookie", "x-cache")
        ]
        entry = (time.time() + timeout, response.status_code, headers, response.content)
        cache.set(key, entry, timeout)

    @staticmethod
    def storable(request, response):
        if response.streaming or response.cookies:
            return False
        if "private" in response.get("Cache-Control", "") or "no-store" in response.get(
            "Cache-Control", ""
        ):
            return False
        user = getattr(request, "user", None)
        return not (user is not None and user.is_authenticated)


def connect_signals():
    from taggit.models import Tag

    from .models import Article, Author, Byline, Correction, Section, SlugRedirect, TaggedArticle

    for model in (Article, Author, Byline, Correction, Section, SlugRedirect, TaggedArticle, Tag):
        post_save.connect(content_changed, sender=model, dispatch_uid=f"cache-{model.__name__}")
        post_delete.connect(
            content_changed, sender=model, dispatch_uid=f"cache-del-{model.__name__}"
        )
    m2m_changed.connect(
        content_changed, sender=Article.tags.through, dispatch_uid="cache-article-tags"
    )
