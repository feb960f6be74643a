import functools

from django.conf import settings
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject
from django.utils.text import capfirst
from django.utils.translation import get_language_info

from articles.models import Section
from pagecache import versions
from pagecache.fragments import fragment_version, request_versions
from pagecache.middleware import cache_unavailable

MENU_KEY = "newsroom:menu-sections:{version}"


def nav_sections(request):
    """The section menu, loaded once per request by whichever part of the page asks first."""
    try:
        return request.newsroom_sections
    except AttributeError:
        request.newsroom_sections = menu_sections(request)
        return request.newsroom_sections


def menu_sections(request=None):
    """Every section, from the cache while none was added, renamed or removed: with the page
    cache off (right after a publication), pages then run no query for their menu."""
    seconds = settings.NEWSROOM_FRAGMENT_CACHE_SECONDS
    if not seconds:
        return list(Section.objects.all())
    try:
        known = request_versions(request)
        key = MENU_KEY.format(version=fragment_version([versions.SECTIONS], known=known))
        found = cache.get(key)
    except Exception as exc:  # noqa: BLE001 (the cache is a help, never a dependency)
        cache_unavailable("menu not cached", exc)
        return list(Section.objects.all())
    if found is None:
        found = list(Section.objects.all())
        try:
            cache.set(key, found, seconds)
        except Exception as exc:  # noqa: BLE001
            cache_unavailable("menu not cached", exc)
    return found


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
