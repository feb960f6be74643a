"""Settings for the test suite: the real settings, with test-only speed-ups."""

import os
import tempfile

os.environ.setdefault("NEWSROOM_DEVTOOLS", "1")
os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-but-long-enough-for-the-check")
os.environ.setdefault("NEWSROOM_BASE_URL", "http://127.0.0.1:8000")

from newsroom.settings import *  # noqa: E402

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="newsroom-test-media-")
# Tests render templates without running collectstatic first.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# WhiteNoise would warn about a missing collectstatic folder; tests use the finders instead.
STATIC_ROOT = None
# Each test starts with an empty page cache (tests/conftest.py clears it); caching tests that
# need Redis point at it themselves.
# Pages are rendered fresh in tests unless a test turns the page cache on (tests/test_caching.py):
# query counts and content checks measure the page, not the cache.
NEWSROOM_PAGE_CACHE_SECONDS = 0
HTTPS = False
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# The policy asks browsers to upgrade to HTTPS when HTTPS is on; the tests' servers speak HTTP.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["upgrade-insecure-requests"] = False
# Each test process keeps its cache in memory, as tests/conftest.py expects (cleared around each
# test): parallel runs never share pages or versions. Caching tests set their own CACHES.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Exports uploaded in the admin wait in a folder of their own per test run.
NEWSROOM_IMPORT_DIR = tempfile.mkdtemp(prefix="newsroom-test-imports-")
