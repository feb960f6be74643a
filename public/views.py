from django.conf import settings
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import SimpleLazyObject
from django.views.generic import ListView
from taggit.models import Tag

from articles.models import Article, Author, SlugRedirect
from articles.models.content import page_prefetches
from articles.pagination import PublicListPaginator
from pagecache import versions as cache_versions
from pagecache.fragments import request_versions
from public import structured_data
from public.context_processors import nav_sections
from public.related import cached_read_next

HOME_LATEST_COUNT = 12


def home(request):
    articles = list(Article.objects.published().for_lists()[: HOME_LATEST_COUNT + 1])
    return render(
        request,
        "articles/home.html",
        {"lead": articles[0] if articles else None, "latest": articles[1:]},
    )


def article_detail(request, section, slug):
    public = Article.objects.published().for_page_story()
    try:
        article = public.get(slug=slug)
    except Article.DoesNotExist:
        # A link shared before the slug changed still finds the article.
        moved = get_object_or_404(SlugRedirect, old_slug=slug)
        article = get_object_or_404(public, pk=moved.article_id)
    if article.section.slug != section or article.slug != slug:
        # The section moved or the link was mistyped: send readers to the one true URL.
        return redirect(article, permanent=True)
    # What the page shows, so the page cache keeps it until one of them changes, and the
    # story's fragments with it; looked up only by a cache that keeps either.
    known = request_versions(request)
    shows = SimpleLazyObject(lambda: cache_versions.article_page_of(article, known=known))
    # Bylines, tags and read-next are fetched only if a fragment showing them is drawn: a
    # page whose story is in the cache makes two queries.
    story = SimpleLazyObject(lambda: story_details(article, known=known))
    response = render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "bylines": SimpleLazyObject(lambda: story["bylines"]),
            "tags": SimpleLazyObject(lambda: story["tags"]),
            # Only a change published with a note leaves a correction, and it dates the change.
            "corrections": article.corrections.all() if article.content_updated_at else (),
            "current_section_slug": article.section.slug,
            "related_articles": SimpleLazyObject(lambda: story["next_reads"].related),
            "more_from_authors": SimpleLazyObject(lambda: story["next_reads"].more_from_authors),
            "structured_data": SimpleLazyObject(lambda: story["structured_data"]),
            "story_shows": shows,
        },
    )
    response.cache_dependencies = shows
    return response


def story_details(article, *, known=None):
    prefetch_related_objects([article], *page_prefetches())
    authors = article.ordered_authors
    tags = [tagged.tag for tagged in article.tagged_items.all()]
    return {
        "bylines": list(article.bylines.all()),
        "tags": tags,
        "next_reads": cached_read_next(article, tags=tags, authors=authors, known=known),
        "structured_data": structured_data.article_page(article, authors=authors, tags=tags),
    }


class PublishedListView(ListView):
    """A paginated list of published articles filtered by what the URL names."""

    context_object_name = "articles"
    # A page number that is not a number, or past the end, is a 404 rather than an error.
    allow_empty = True

    paginator_class = PublicListPaginator

    def get_paginate_by(self, queryset):
        # Read per request, not when the module is imported, so a changed setting holds.
        return settings.NEWSROOM_PAGE_SIZE

    def get_queryset(self):
        return Article.objects.published().for_lists().filter(**self.get_filters())

    def get_filters(self):
        raise NotImplementedError

    def list_shows(self):
        """The versions the list's cards show (pagecache.versions), for `{% fragment %}`."""
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        # The page of articles is fetched only when the template draws it, which a cached
        # list fragment spares; a page number past the end is still a 404 then.
        page_size = self.get_paginate_by(None)
        page = SimpleLazyObject(lambda: self.paginate_queryset(self.object_list, page_size)[1])
        return {
            "view": self,
            "page_obj": page,
            "articles": SimpleLazyObject(lambda: page.object_list),
            "list_shows": self.list_shows(),
            "page_number": self.page_number(page),
            "page_size": page_size,
            **kwargs,
        }

    def page_number(self, page):
        """The page asked for, known without counting the list (a number past the end is a
        404 once the list is drawn)."""
        asked = self.request.GET.get(self.page_kwarg) or "1"
        if asked == "last":
            return page.number
        if not (asked.isascii() and asked.isdigit()) or int(asked) < 1:
            raise Http404("No such page.")
        return int(asked)


class SectionView(PublishedListView):
    template_name = "articles/section.html"

    def get(self, request, *args, **kwargs):
        # The menu lists every section and the page draws it anyway: no query of its own.
        found = [section for section in nav_sections(request) if section.slug == kwargs["slug"]]
        if not found:
            raise Http404("No such section.")
        self.section = found[0]
        return super().get(request, *args, **kwargs)

    def get_filters(self):
        return {"section": self.section}

    def list_shows(self):
        return cache_versions.article_list("section", self.section.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            section=self.section, current_section_slug=self.section.slug, **kwargs
        )


class AuthorView(PublishedListView):
    template_name = "articles/author.html"

    def get(self, request, *args, **kwargs):
        self.author = get_object_or_404(Author, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_filters(self):
        return {"bylines__author": self.author}

    def list_shows(self):
        return cache_versions.article_list("author", self.author.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(author=self.author, **kwargs)
        # An author with nothing published has no public page: a profile must not
        # announce a writer, or a story, before anything of theirs is out.
        if not context["page_obj"].paginator.count:
            raise Http404("No published articles by this author.")
        context["structured_data"] = structured_data.profile_page(self.author)
        return context


class TagView(PublishedListView):
    template_name = "articles/tag.html"

    def get(self, request, *args, **kwargs):
        self.tag = get_object_or_404(Tag, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_filters(self):
        return {"tags": self.tag}

    def list_shows(self):
        return cache_versions.article_list("tag", self.tag.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(tag=self.tag, **kwargs)
        # A tag used only on drafts would leak what an unpublished story is about.
        if not context["page_obj"].paginator.count:
            raise Http404("No published articles with this tag.")
        return context
