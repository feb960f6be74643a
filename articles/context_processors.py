from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .models import Section


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


def site(request):
    # Lazy, so pages that never draw the navigation (the admin) never query it; a list, so a
    # page that draws it twice (menu and search form) queries it once.
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_tagline": settings.NEWSROOM_SITE_TAGLINE,
        "nav_sections": SimpleLazyObject(lambda: nav_sections(request)),
    }
