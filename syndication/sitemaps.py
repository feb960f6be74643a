"""What crawlers are told exists: the sitemap index and its sections, the Google News sitemap
and robots.txt. Every address is on the configured site (NEWSROOM_BASE_URL), whichever host
the request came in on, so search engines only ever learn the canonical one.
"""

from datetime import timedelta
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import conditional_page
from taggit.models import Tag

from articles.models import Article, Author, Section

CACHE_SECONDS = 5 * 60
NEWS_WINDOW = timedelta(hours=48)
# Google News reads at most this many URLs from one news sitemap.
NEWS_LIMIT = 1000
# Article.modified_at, in SQL.
CHANGED_AT = Coalesce("content_updated_at", "published_at")


def absolute_url(path):
    """`path` (as reverse() or storage.url() give it) on the configured site address."""
    return urljoin(settings.NEWSROOM_BASE_URL, path)


def public_cache(view):
    """Shared caches may keep a copy for a few minutes, and revalidating it costs no body."""
    return cache_control(public=True, max_age=CACHE_SECONDS)(conditional_page(view))


def with_published_work(queryset, lookup):
    """Only the rows that published articles point to by `lookup`, each annotated with
    `last_changed`: when the newest of those articles was published or updated."""
    articles = Article.objects.published().filter(**{lookup: OuterRef("pk")})
    newest = articles.annotate(changed=CHANGED_AT).order_by("-changed").values("changed")[:1]
    return queryset.annotate(last_changed=Subquery(newest)).filter(last_changed__isnull=False)


class PublicSitemap(Sitemap):
    def get_protocol(self, protocol=None):
        return urlsplit(settings.NEWSROOM_BASE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.NEWSROOM_BASE_URL).netloc

    def lastmod(self, item):
        return item.last_changed


class ArticleSitemap(PublicSitemap):
    # Crawlers accept 50,000 URLs a file; pages of 1,000 (~150 kB) are quick to render, cheap
    # to serve from the cache, and all but the last stay unchanged as the archive grows.
    limit = 1000

    def items(self):
        # Oldest first: a new article only changes the last page, earlier pages stay cached.
        return (
            Article.objects.published()
            .select_related("section")
            .only("slug", "published_at", "content_updated_at", "section__slug")
            .order_by("published_at", "pk")
        )

    def lastmod(self, article):
        return article.modified_at

    def get_latest_lastmod(self):
        return self.items().aggregate(latest=Max(CHANGED_AT))["latest"]


class SectionSitemap(PublicSitemap):
    def items(self):
        return with_published_work(Section.objects.all(), "section")


class AuthorSitemap(PublicSitemap):
    def items(self):
        return with_published_work(Author.objects.all(), "authors")


class TagSitemap(PublicSitemap):
    def items(self):
        return with_published_work(Tag.objects.order_by("name"), "tags")

    def location(self, tag):
        return reverse("articles:tag", kwargs={"slug": tag.slug})


SITEMAPS = {
    "articles": ArticleSitemap,
    "sections": SectionSitemap,
    "authors": AuthorSitemap,
    "tags": TagSitemap,
}


@public_cache
def sitemap_index(request):
    response = sitemap_views.index(request, SITEMAPS, sitemap_url_name="sitemap-section")
    # The framework names the host the request came in on: move each link to the configured one.
    for entry in response.context_data["sitemaps"]:
        path = urlsplit(entry.location)._replace(scheme="", netloc="").geturl()
        entry.location = absolute_url(path)
    return response


@public_cache
def sitemap_section(request, section):
    return sitemap_views.sitemap(request, SITEMAPS, section=section)


@public_cache
def news_sitemap(request):
    since = timezone.now() - NEWS_WINDOW
    articles = (
        Article.objects.published()
        .filter(published_at__gte=since)
        .select_related("section")[:NEWS_LIMIT]
    )
    context = {"articles": articles, "site_root": absolute_url("/").rstrip("/")}
    return render(request, "sitemaps/news.xml", context, content_type="application/xml")


@public_cache
def robots_txt(request):
    sitemaps = [absolute_url(reverse(name)) for name in ("sitemap", "news-sitemap")]
    return render(
        request, "robots.txt", {"sitemaps": sitemaps}, content_type="text/plain; charset=utf-8"
    )
