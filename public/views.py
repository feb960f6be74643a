from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.generic import ListView
from taggit.models import Tag

from articles.models import Article, Author, SlugRedirect
from articles.pagination import PublicListPaginator
from pagecache import versions as cache_versions
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
    public = Article.objects.published().for_page()
    try:
        article = public.get(slug=slug)
    except Article.DoesNotExist:
        # A link shared before the slug changed still finds the article.
        moved = get_object_or_404(SlugRedirect, old_slug=slug)
        article = get_object_or_404(public, pk=moved.article_id)
    if article.section.slug != section or article.slug != slug:
        # The section moved or the link was mistyped: send readers to the one true URL.
        return redirect(article, permanent=True)
    authors = article.ordered_authors
    tags = [tagged.tag for tagged in article.tagged_items.all()]
    next_reads = cached_read_next(article, tags=tags, authors=authors)
    response = render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "bylines": article.bylines.all(),
            "tags": tags,
            # Only a change published with a note leaves a correction, and it dates the change.
            "corrections": article.corrections.all() if article.content_updated_at else (),
            "current_section_slug": article.section.slug,
            "related_articles": next_reads.related,
            "more_from_authors": next_reads.more_from_authors,
            "structured_data": structured_data.article_page(article, authors=authors, tags=tags),
        },
    )
    # What the page shows, so the page cache keeps it until one of them changes.
    response.cache_dependencies = cache_versions.article_page(
        article, author_ids=[a.pk for a in authors], tag_ids=[t.pk for t in tags]
    )
    return response


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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(tag=self.tag, **kwargs)
        # A tag used only on drafts would leak what an unpublished story is about.
        if not context["page_obj"].paginator.count:
            raise Http404("No published articles with this tag.")
        return context
