from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from articles import sitemaps

admin.site.site_header = f"{settings.NEWSROOM_SITE_NAME} desk"
admin.site.site_title = f"{settings.NEWSROOM_SITE_NAME} desk"
admin.site.index_title = _("Newsroom")

urlpatterns = [
    path("admin/", admin.site.urls),
    # The reader's language switch (Django's set_language); URLs stay the same in every language.
    path("i18n/", include("django.conf.urls.i18n")),
    path("sitemap.xml", sitemaps.sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", sitemaps.sitemap_section, name="sitemap-section"),
    path("news-sitemap.xml", sitemaps.news_sitemap, name="news-sitemap"),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
    path("", include("articles.urls")),
]

if settings.DEBUG:
    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns
