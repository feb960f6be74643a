import contextlib
import functools

from django.conf import settings
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject
from django.utils.text import capfirst
from django.utils.translation import get_language_info

from articles.models import Section
from pagecache import versions

# The menu as of one version of the sections: a section saved or deleted moves the version on
# (pagecache.versions), so a stale menu is never read again and simply expires.
MENU_KEY = "newsroom:menu:{version}"


def nav_sections(request):
    """The section menu, loaded once per request by whichever part of the page asks first."""
    try:
        return request.newsroom_sections
    except AttributeError:
        request.newsroom_sections = menu_sections()
        return request.newsroom_sections


def menu_sections():
    """Every section, in menu order: from the cache while no section changes, so the menu
    that every page draws costs no query."""
    try:
        version = versions.current([versions.SECTIONS])[versions.SECTIONS]
        key = MENU_KEY.format(version=version)
        sections = cache.get(key)
    except Exception:  # noqa: BLE001
        # The cache server is down: the page cache already logs it once per request, and the
        # menu is one small query.
        return list(Section.objects.all())
    if sections is None:
        sections = list(Section.objects.all())
        with contextlib.suppress(Exception):
            cache.set(key, sections)
    return sections


def remember_sections(request, sections):
    """A view that loaded the sections with its own query gives them to the menu."""
    request.newsroom_sections = sections


@functools.cache
def language_choices(languages):
    """(code, name in that language) for the language switcher: "English", "Français"."""
    return [(code, capfirst(get_language_info(code)["name_local"])) for code, _ in languages]


def site(request):
    # Lazy, so pages that never draw the navigation (the admin) never query it; a list, so a
    # page that draws it twice (menu and search form) queries it once.
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_tagline": settings.NEWSROOM_SITE_TAGLINE,
        "nav_sections": SimpleLazyObject(lambda: nav_sections(request)),
        "language_choices": language_choices(tuple(settings.LANGUAGES)),
    }
