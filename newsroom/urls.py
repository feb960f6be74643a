from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from newsroom.health import healthz
from syndication import sitemaps

admin.site.site_header = f"{settings.NEWSROOM_SITE_NAME} desk"
admin.site.site_title = f"{settings.NEWSROOM_SITE_NAME} desk"
admin.site.index_title = _("Newsroom")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # The reader's language switch (Django's set_language); URLs stay the same in every language.
    # CSRF-exempt so public pages carry no token and stay cacheable; the worst a forged
    # request can do here is switch a reader's language.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", sitemaps.sitemap_section, name="sitemap-section"),
    path("news-sitemap.xml", sitemaps.news_sitemap, name="news-sitemap"),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
    path("api/", include("api.urls")),
    path("", include("public.urls")),
]

if settings.DEBUG:
    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns
