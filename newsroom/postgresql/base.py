"""Django's PostgreSQL backend, with its per-request health check skipped for a connection
that was used a moment ago.

With persistent connections (CONN_MAX_AGE) Django asks PostgreSQL "SELECT 1" before each
request's first query, so a connection that died while idle (a restarted server, a firewall's
idle timeout) is replaced instead of failing the request. Under load that is a round trip on
every page, for a connection the same worker used a few milliseconds before: 6% of an article
page's time. PgBouncer faces the same question and checks a connection only when it has been
idle for a while (`server_check_delay`); so does this backend. A connection that dies within a
second of its last use fails one request, which the outage middleware answers with a 503, and
Django then drops it, as it would without health checks.
"""

import time

from django.db.backends.postgresql import base

# Seconds a connection may have been idle and still be used without a check.
HEALTH_CHECK_DELAY = 1.0


class DatabaseWrapper(base.DatabaseWrapper):
    last_used = float("-inf")

    def close_if_health_check_failed(self):
        now = time.monotonic()
        if (
            self.connection is not None
            and not self.health_check_done
            and now - self.last_used < HEALTH_CHECK_DELAY
        ):
            self.health_check_done = True
        else:
            super().close_if_health_check_failed()
        # Every query asks for a cursor, and so passes here first.
        self.last_used = now
