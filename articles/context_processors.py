from django.conf import settings

from .models import Section


def site(request):
    # Lazy, so pages that never draw the navigation (the admin) never query it.
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "site_tagline": settings.NEWSROOM_SITE_TAGLINE,
        "nav_sections": Section.objects.all,
    }
