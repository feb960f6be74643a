import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Each test writes uploads to its own folder, so nothing leaks between tests.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _role_groups(request):
    """Transactional tests empty every table, data-migration rows included: put the roles back."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        from django.apps import apps

        from articles.roles import sync_role_permissions

        sync_role_permissions(apps)


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module (tests/browser.py); each test opens its own pages."""
    from .browser import launched_chromium

    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def artifacts():
    """Where browser tests leave screenshots: test-artifacts/ at the repository root."""
    from .browser import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def new_page(browser):
    """Opens browser pages, each in a context (cookie jar) of its own; all closed at the end."""
    from .browser import TIMEOUT_MS, expect

    contexts = []
    expect.set_options(timeout=TIMEOUT_MS)

    def open_page():
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    try:
        yield open_page
    finally:
        expect.set_options(timeout=None)  # Playwright's default again, for other modules.
        for context in contexts:
            context.close()


@pytest.fixture
def page(new_page):
    """One browser page in a fresh cookie jar."""
    return new_page()
