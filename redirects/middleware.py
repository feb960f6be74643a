"""Old addresses answer 301 to their new ones, from the redirect table (redirects.models).

In the spirit of django.contrib.redirects' RedirectFallbackMiddleware: the table is looked up
only when the site has nothing at the address (a 404), so a page that exists always wins and
no other page pays for it. One exception: WordPress's plain links (/?p=12, /?page_id=5) are
addresses of the home page, which answers 200 to any query, so a request for "/" with one of
those is looked up before the home page is made; only those requests.
"""

import logging

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponsePermanentRedirect
from django.utils.cache import patch_cache_control

from redirects import paths
from redirects.models import Redirect

logger = logging.getLogger(__name__)


class RedirectFallbackMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A redirect would turn a form's POST into a GET: only reading follows them.
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if request.path == "/":
            wanted = paths.home_candidates(request.GET)
            found = self.redirect(wanted, asked=None) if wanted else None
            return found or self.get_response(request)
        response = self.get_response(request)
        if response.status_code != 404 or paths.is_reserved(request.path):
            return response
        path = paths.canonical_path(request.path)
        raw_query = request.META.get("QUERY_STRING", "")
        # A query longer than any stored address cannot match: not even parsed.
        query = paths.canonical_query(raw_query) if len(raw_query) <= paths.MAX_LENGTH else ""
        asked = paths.joined(path, query)
        return self.redirect(paths.candidates(path, query), asked=asked) or response

    @staticmethod
    def redirect(candidates, *, asked):
        """A 301 to the target of the first of `candidates` in the table, or None."""
        try:
            target = Redirect.objects.target_of(candidates)
        except DatabaseError as exc:
            # Without the table, the page is what it would have been without it.
            logger.warning("redirect table unavailable (%s)", type(exc).__name__)
            return None
        # "/a" -> "/a/" found for "/a/", which is a 404 too: no redirect to the same address.
        if target is None or paths.split_stored(target) == paths.split_stored(asked or ""):
            return None
        response = HttpResponsePermanentRedirect(target)
        # Browsers keep a 301 for good unless told otherwise: an editor's fix to a wrong target
        # reaches readers as soon as a page's would.
        patch_cache_control(response, public=True, max_age=settings.NEWSROOM_BROWSER_CACHE_SECONDS)
        return response
