"""The cache of the embedded default (no REDIS_URL): files every worker on this machine shares.

Django's FileBasedCache already shares its entries between processes: a value is written to a
temporary file and renamed into place, so a reader sees the old value or the new one, never
half of one. What it does not share is its counters: `incr` and `add` are a read and a write
that two workers can interleave, and a page-cache version (pagecache.versions) moved on by two
workers at once could then take one step instead of two, leaving a page rendered between the
two changes looking current. Here both hold one lock file, taken by every process.
"""

import contextlib
import os

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks


class SharedFileCache(FileBasedCache):
    def __init__(self, dir, params):
        super().__init__(dir, params)
        self.folder = os.path.abspath(dir)
        # Not a *.djcache file, so culling and clear() leave it alone.
        self.lock_path = os.path.join(self.folder, "counters.lock")

    @contextlib.contextmanager
    def counters_locked(self):
        os.makedirs(self.folder, mode=0o700, exist_ok=True)  # the folder may have been removed
        with open(self.lock_path, "ab") as lock_file:
            locks.lock(lock_file, locks.LOCK_EX)
            try:
                yield
            finally:
                locks.unlock(lock_file)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self.counters_locked():
            return super().add(key, value, timeout, version)

    def incr(self, key, delta=1, version=None):
        """As Redis's INCR: atomic, and the counter keeps no expiry of its own (Django's generic
        incr would give it the cache's default timeout). Newsroom's counters are versions,
        added without a timeout and kept until culled."""
        with self.counters_locked():
            value = self.get(key, version=version)
            if value is None:
                raise ValueError(f"Key {key!r} not found")
            value += delta
            self.set(key, value, timeout=None, version=version)
            return value
