"""What every browser test shares: Debian's Chromium driven by Playwright.

Playwright's own browser download does not work here, so the tests launch /usr/bin/chromium
(`apt-get install chromium`). Without it (or without Playwright) a developer's run skips the
browser tests; CI fails instead, because it must run them. The `browser` and `artifacts`
fixtures in conftest.py use this module.
"""

import os
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.urls import reverse

# Playwright's sync API runs an asyncio loop in this thread, and Django refuses ORM calls made
# from a thread with a running loop (SynchronousOnlyOperation). The tests' own ORM calls are
# ordinary blocking code between browser steps, so they are safe; say so before anything runs.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # a developer machine without the dev dependencies
    expect = sync_playwright = None

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PASSWORD = "a-long-test-password"
# Generous for a loaded CI machine; every wait ends as soon as its condition holds.
TIMEOUT_MS = 10_000


def require_a_browser():
    """Skip (fail on CI) when Playwright or Chromium is missing."""
    missing = (
        "Playwright for Python"
        if sync_playwright is None
        else None
        if CHROMIUM.exists()
        else f"Chromium at {CHROMIUM}"
    )
    if missing:
        reason = f"Browser tests need {missing}."
        if os.environ.get("CI"):
            pytest.fail(f"{reason} CI must run them, not skip them.")
        pytest.skip(reason)


def launched_chromium():
    """A context manager giving a running Chromium."""
    require_a_browser()
    return _Chromium()


class _Chromium:
    def __enter__(self):
        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        return self.browser

    def __exit__(self, *exc):
        try:
            self.browser.close()
        finally:
            self.playwright.stop()


def desk_user(username, role):
    """Staff with a desk role. The role's group is the data migration's own (conftest.py puts
    the groups back after each transactional test)."""
    from django.contrib.auth.models import Group

    from .factories import make_user

    user = make_user(username, password=PASSWORD, is_staff=True, email=f"{username}@newsroom.test")
    user.groups.add(Group.objects.get(name=role))
    return user


def desk_writer():
    """Wanda WRITER: a writer with her author profile."""
    from articles.roles import WRITER

    from .factories import make_author

    user = desk_user("wanda", WRITER)
    make_author(name="Wanda WRITER", slug="wanda-writer", user=user)
    return user


def log_in(page, live_server, user, next_path):
    """The real admin login form, as a person fills it; returns once `next_path` is open."""
    query = urlencode({"next": next_path})
    page.goto(f"{live_server.url}{reverse('admin:login')}?{query}")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url(f"{live_server.url}{next_path}")


def editor_of(page):
    """The body's rich-text editor (django-prose-editor's ProseMirror) on an article form."""
    return page.locator('.field-body .ProseMirror[contenteditable="true"]')
