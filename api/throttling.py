"""Each API key's own rate limit (ApiKey.rate_limit, requests per minute), counted per key in
the shared cache, so every app server counts the same requests."""

import math

from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiKey
from pagecache.middleware import cache_unavailable


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_rate(self):
        # The rate is the key's, known only once the request is authenticated (allow_request).
        return None

    def allow_request(self, request, view):
        if not isinstance(request.auth, ApiKey):
            return True  # the schema and docs, open to all
        self.rate = f"{request.auth.rate_limit}/min"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # noqa: BLE001 (the cache is a help, never a dependency)
            # A limit shares the API fairly; it does not guard anything secret: while the cache
            # is down, keys are still checked (in the database) but their requests not counted.
            cache_unavailable("API requests not counted against rate limits", exc)
            return True

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}

    def wait(self):
        """Seconds until a request is allowed again, whole and at least one (DRF sends them as
        Retry-After). DRF's own answer spreads the wait over the requests left, and gives none
        when the history is longer than the rate, as after an administrator lowers it."""
        if not self.history:
            return 1
        # Newest first: a request is allowed once the num_requests-th newest leaves the window.
        oldest_counted = self.history[min(self.num_requests, len(self.history)) - 1]
        return max(1, math.ceil(self.duration - (self.now - oldest_counted)))
