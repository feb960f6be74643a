"""What readers ask for, and a probe that watches what one reader sees over time.

The mix leans on article pages (many recent pieces, and one "hot" story everyone reads), then
the home page, sections, searches, feeds, authors, tags and sitemaps: roughly a news site's
share of traffic, so page-cache hit rates and database load look like production's.
"""

import http.client
import itertools
import random
import threading
import time
from dataclasses import dataclass

from devtools.benchmark.server import HOST

# Share of reader requests per kind of URL (see content.reader_urls).
WEIGHTS = {
    "article": 33,
    "hot": 12,
    "home": 15,
    "section": 9,
    "search": 9,
    "feed": 8,
    "author": 5,
    "tag": 5,
    "sitemap": 4,
}
PROBE_TIMEOUT = 30


def reader_mix(urls, *, size=5000, seed=2026):
    """`size` paths drawn by WEIGHTS from `urls` ({kind: [path, …]}), in a random order that
    the load generator walks in turn."""
    rng = random.Random(seed)
    kinds = [kind for kind in WEIGHTS if urls.get(kind)]
    picks = rng.choices(kinds, weights=[WEIGHTS[kind] for kind in kinds], k=size)
    return [rng.choice(urls[kind]) for kind in picks]


@dataclass(frozen=True)
class Sample:
    at: float  # seconds since the probe started, when the request was sent
    done: float  # … and when its answer (or failure) came
    path: str
    status: int | None  # None: the request failed (refused, reset, timed out)
    cache: str  # the X-Cache header: "hit", "miss" or "" (not cached)
    body: bytes


class Probe:
    """One anonymous reader in a thread, GETting `paths` in turn every `interval` seconds and
    keeping what came back. `{n}` in a path becomes a fresh number, to get past the cache."""

    def __init__(self, port, paths, *, interval=0.1):
        self.port, self.paths, self.interval = port, paths, interval
        self.samples = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="probe", daemon=True)
        self.started = None

    def __enter__(self):
        self.started = time.monotonic()
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(PROBE_TIMEOUT + 5)
        return False

    def now(self):
        return time.monotonic() - self.started

    def _run(self):
        numbers = itertools.count()
        for path in itertools.cycle(self.paths):
            if self.stop.is_set():
                return
            path = path.replace("{n}", str(next(numbers)))
            at = self.now()
            status, cache, body = fetch(self.port, path)
            self.samples.append(Sample(at, self.now(), path, status, cache, body))
            self.stop.wait(self.interval)

    def between(self, start, end):
        """Samples sent and answered within [start, end)."""
        return [s for s in self.samples if start <= s.at and s.done < end]


def fetch(port, path, timeout=PROBE_TIMEOUT):
    """(status or None, X-Cache, body) of one GET on a fresh connection, as a new reader."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.getheader("X-Cache", ""), response.read()
    except (OSError, http.client.HTTPException):
        return None, "", b""
    finally:
        conn.close()
