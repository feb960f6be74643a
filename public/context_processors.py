import functools

from django.conf import settings
from django.utils.functional import SimpleLazyObject
from django.utils.text import capfirst
from django.utils.translation import get_language_info

from articles.models import Section


def nav_sections(request):
    """The section menu, loaded once per request by whichever part of the page asks first."""
    try:
        return request.newsroom_sections
    except AttributeError:
        request.newsroom_sections = list(Section.objects.all())
        return request.newsroom_sections


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
