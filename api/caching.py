"""The content API's answers, kept in the cache under the site's version.

Every public change moves the site's version on (pagecache.versions), and the key also names
the next scheduled publication (pagecache.fragments), so an answer is never served past the
change or the go-live that would alter it. The key is checked and counted against its rate limit
before the cache is read (DRF authenticates and throttles before the handler runs), so caching
changes nothing of who may read what.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from rest_framework.response import Response

from pagecache import versions
from pagecache.fragments import fragment_version
from pagecache.middleware import cache_unavailable

KEY = "newsroom:api:{digest}"


def cached_answer(request, make):
    """`make()`'s Response, or the data of the same request's last 200, if nothing changed."""
    seconds = settings.NEWSROOM_FRAGMENT_CACHE_SECONDS
    if not seconds:
        return make()
    try:
        version = fragment_version([versions.SITE])
        # The whole URL: cursor links in the answer name the host and the query string.
        named = f"{version}|{request.build_absolute_uri()}"
        key = KEY.format(digest=hashlib.sha256(named.encode()).hexdigest())
        data = cache.get(key)
    except Exception as exc:  # noqa: BLE001
        cache_unavailable("API answers made afresh", exc)
        return make()
    if data is not None:
        return Response(data)
    response = make()
    if response.status_code == 200:
        try:
            cache.set(key, response.data, seconds)
        except Exception as exc:  # noqa: BLE001
            cache_unavailable("API answer not kept", exc)
    return response
