"""Whole-page caching of what anonymous readers see, with exact, cheap invalidation.

Each cached page records the versions of what it shows (pagecache.versions); a hit is
served only while they all still hold. Anything that can change a public page (an article,
its bylines, tags, corrections or slug history, an author, a section, a tag) moves on the
versions it touches, so the pages showing it are fresh at once without clearing the cache, and
pages that do not show it stay cached. Work on pieces readers have not seen (drafts, reviews,
their bylines and tags) moves nothing.
No cached page outlives the next scheduled publication (of an article or of a change to one),
so scheduled pieces appear on time without a cron job (pagecache.schedule); nor does what
browsers and proxies are told to keep. The signal receivers are in pagecache.receivers.
"""

import gzip
import hashlib
import logging
import math
import re
import secrets
import threading
import time
from collections import OrderedDict
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
    set_response_etag,
)
from django.utils.http import parse_http_date_safe
from django.utils.translation import get_language_from_request

from pagecache import schedule, versions

# v2: entries carry a compressed copy of the page.
PAGE_KEY = "newsroom:page:v2:{digest}"
# Names one stored copy of a page, so a process's local copy (LocalCopies) is served only while
# the shared cache still holds that very copy: after a flush or a restart of the cache server it
# is gone, even if the site's version happens to start again at the number the copy recorded.
COPY_KEY = "newsroom:copy:{digest}"
# Pages are compressed once, when stored, and sent so to every client that accepts it (browsers,
# feed readers and crawlers all do): a cached feed is 140 kB, 20 kB compressed.
GZIP_MIN_BYTES = 1024
ACCEPTS_GZIP = re.compile(r"\bgzip\b")
# Paths that are never cached here: the desk, files, previews, the language switch, and the API
# (each request must show its key and count against its rate limit: api.authentication).
UNCACHED_PREFIXES = ("/admin/", "/static/", "/media/", "/preview/", "/i18n/", "/healthz", "/api/")

logger = logging.getLogger(__name__)


def cache_unavailable(consequence, exc):
    # One line, no traceback: during an outage every request says it, and a traceback per
    # request would bury the rest of the log.
    logger.warning("page cache unavailable (%s: %s); %s", type(exc).__name__, exc, consequence)


def cacheable_request(request):
    if request.method not in ("GET", "HEAD"):
        return False
    if request.path.startswith(UNCACHED_PREFIXES):
        return False
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return False  # SecurityMiddleware, further in, sends it to https://
    # Anyone with a session (staff, editors) always gets a fresh page, and never one of these.
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def page_keys(request):
    """The keys of this page's cached entry and of its copy id."""
    language = get_language_from_request(request)
    raw = f"{request.get_host()}|{language}|{request.get_full_path()}"
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return PAGE_KEY.format(digest=digest), COPY_KEY.format(digest=digest)


def public_cache_headers(response):
    patch_cache_control(
        response,
        public=True,
        max_age=settings.NEWSROOM_BROWSER_CACHE_SECONDS,
        s_maxage=settings.NEWSROOM_BROWSER_CACHE_SECONDS,
    )
    # Accept-Encoding: a hit may be sent compressed (see PublicPageCacheMiddleware.hit).
    patch_vary_headers(response, ["Accept-Language", "Cookie", "Accept-Encoding"])


def cap_browser_lifetime(response, seconds_left):
    """Browsers and proxies keep a page no longer than our copy of it lives, since that ends at
    the next scheduled publication if one is due sooner."""
    seconds_left = int(seconds_left)  # rounded down: never past the moment
    if seconds_left < settings.NEWSROOM_BROWSER_CACHE_SECONDS:
        patch_cache_control(response, max_age=seconds_left, s_maxage=seconds_left)


class PageEntry(NamedTuple):
    """A cached page, as stored in the shared cache (and in LocalCopies)."""

    # Kept in the entry, so it holds whatever the cache server's clock says.
    expires: float
    status: int
    headers: list
    content: bytes
    # {version name: version} of what the page shows (pagecache.versions).
    shown: dict
    # The site's version when the page was stored, or last found still true.
    site_version: int
    # The content gzipped once, or None for a page too small to gain from it.
    compressed: bytes | None

    @property
    def size(self):
        return len(self.content) + len(self.compressed or b"")


class LocalCopies:
    """The pages this process served last, kept here too, within a byte budget.

    A hit on a local copy costs one small round trip to the shared cache (the site's version
    and the stored copy's id) instead of fetching the page: a large feed is no longer copied out
    of Redis and unpickled on every request. A copy is served under exactly the shared cache's
    rules (its expiry, the same site version) and only while the shared cache holds the same
    copy, so it is never staler than the shared entry.
    """

    def __init__(self):
        self.entries = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key):
        """(entry, copy id) or None."""
        with self.lock:
            found = self.entries.get(key)
            if found is not None:
                self.entries.move_to_end(key)
            return found

    def put(self, key, entry, copy_id):
        budget = settings.NEWSROOM_PAGE_CACHE_LOCAL_BYTES
        size = entry.size
        # One page may not take more than a quarter of the budget, so a few huge ones cannot
        # push out everything else.
        if copy_id is None or size * 4 > budget:
            return
        with self.lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= old[0].size
            self.entries[key] = (entry, copy_id)
            self.size += size
            while self.size > budget:
                _, (dropped, _) = self.entries.popitem(last=False)
                self.size -= dropped.size


local_copies = LocalCopies()


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
            key, copy_key = page_keys(request)
            site_key = versions.VERSION_KEY.format(name=versions.SITE)
            local = local_copies.get(key)
            if local is not None:
                entry, copy_id = local
                found = cache.get_many([site_key, copy_key])  # small values: no page
                if (
                    found.get(copy_key) == copy_id
                    and found.get(site_key) == entry.site_version
                    and entry.expires > time.time()
                ):
                    return self.hit(request, entry)
            found = cache.get_many([key, site_key, copy_key])  # one round trip for most hits
            stored, site_now = found.get(key), found.get(site_key)
            copy_id = found.get(copy_key)
            if site_now is None:
                site_now = versions.current([versions.SITE])[versions.SITE]
            if stored is not None and stored.expires > time.time():
                # Every change moves the site's version on: while it holds, nothing changed.
                if stored.site_version == site_now:
                    local_copies.put(key, stored, copy_id)
                    return self.hit(request, stored)
                shown = stored.shown
                if versions.SITE not in shown and versions.current(shown) == shown:
                    # Something changed, but nothing this page shows: keep it, stamped anew.
                    remaining = int(stored.expires - time.time())
                    restamped = stored._replace(site_version=site_now)
                    if remaining > 0:
                        cache.set(key, restamped, remaining)
                        local_copies.put(key, restamped, copy_id)
                    return self.hit(request, stored)
            # Read before rendering: a change that lands while the page renders moves the
            # site's version on, and the page is then not stored (see store).
            site_before = site_now
        except Exception as exc:  # noqa: BLE001 (any cache failure means: render without it)
            cache_unavailable("serving uncached", exc)
            return self.get_response(request)
        response = self.get_response(request)
        if response.status_code in (200, 404) and self.storable(request, response):
            public_cache_headers(response)
            try:
                self.store(key, copy_key, site_before, response)
            except Exception as exc:  # noqa: BLE001
                cache_unavailable("page not stored", exc)
            response["X-Cache"] = "miss"
        return response

    @staticmethod
    def hit(request, entry):
        gzipped = entry.compressed is not None and ACCEPTS_GZIP.search(
            request.META.get("HTTP_ACCEPT_ENCODING", "")
        )
        response = HttpResponse(entry.compressed if gzipped else entry.content, status=entry.status)
        for name, value in entry.headers:
            response[name] = value
        if gzipped:
            response["Content-Encoding"] = "gzip"
            # As Django's GZipMiddleware does: the compressed bytes are not the same
            # representation, so a strong validator becomes a weak one.
            etag = response.get("ETag", "")
            if etag and not etag.startswith("W/"):
                response["ETag"] = f"W/{etag}"
        response["Content-Length"] = str(len(response.content))
        response["X-Cache"] = "hit"
        cap_browser_lifetime(response, entry.expires - time.time())
        if response.status_code != 200:
            return response
        # As ConditionalGetMiddleware (further in) does for a page rendered afresh.
        return get_conditional_response(
            request,
            etag=response.get("ETag"),
            last_modified=parse_http_date_safe(response.get("Last-Modified")),
            response=response,
        )

    @staticmethod
    def store(key, copy_key, site_before, response):
        # An article's page says what it shows (views.article_detail); any other page shows
        # the site as a whole.
        names = getattr(response, "cache_dependencies", None) or [versions.SITE]
        now = versions.current([*names, versions.SITE], also=[schedule.NEXT_KEY])
        if now[versions.SITE] != site_before:
            return  # content changed while this page was rendered: it may be stale already
        stored_at = time.time()
        expires = stored_at + settings.NEWSROOM_PAGE_CACHE_SECONDS
        moment = schedule.next_publication(site_before, remembered=now[schedule.NEXT_KEY])
        if moment is not None:
            # To the instant, not rounded to a second: at that moment the page may change.
            expires = min(expires, moment.timestamp())
        if expires <= stored_at:
            # A scheduled change is due and this worker has not applied it yet: nobody keeps
            # this page.
            cap_browser_lifetime(response, 0)
            return
        # Browsers and proxies must not keep it past the next scheduled publication either.
        cap_browser_lifetime(response, expires - stored_at)
        # Hashed once here, not on every hit by ConditionalGetMiddleware.
        set_response_etag(response)
        headers = [
            (name, value)
            for name, value in response.items()
            if name.lower() not in ("set-cookie", "x-cache")
        ]
        shown = {name: now[name] for name in names}
        content = response.content
        compressed = (
            gzip.compress(content, compresslevel=6, mtime=0)
            if len(content) >= GZIP_MIN_BYTES and not response.has_header("Content-Encoding")
            else None
        )
        entry = PageEntry(
            expires=expires,
            status=response.status_code,
            headers=headers,
            content=content,
            shown=shown,
            site_version=site_before,
            compressed=compressed,
        )
        copy_id = secrets.token_hex(8)
        # The cache's own timeout is whole seconds: rounded up, as the entry's expiry rules.
        cache.set_many({key: entry, copy_key: copy_id}, math.ceil(expires - stored_at))
        local_copies.put(key, entry, copy_id)

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
