from django.conf import settings
from django.views.generic import ListView

from articles.models import Article, Author
from search import queries
from search.queries import MAX_QUERY_LENGTH, Search, find_articles
from search.results import result_for


class SearchView(ListView):
    """Ranked matches for ?q=…, narrowed by ?section= and ?author= (slugs) and ?genre=.

    Filters without words list what they select, newest first; with neither, only the form.
    """

    template_name = "articles/search.html"
    context_object_name = "articles"
    # A page number that is not a number, or past the end, is a 404, as on every list.
    allow_empty = True

    def get(self, request, *args, **kwargs):
        self.search = Search.from_params(request.GET)
        return super().get(request, *args, **kwargs)

    def get_paginate_by(self, queryset):
        return settings.NEWSROOM_PAGE_SIZE

    def get_queryset(self):
        if self.search.is_blank:
            return Article.objects.none()
        return find_articles(self.search)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        search = self.search
        return {
            **context,
            "search": search,
            "search_params": search.as_params(),
            "results": [result_for(article, search) for article in context["articles"]],
            "genres": Article.Genre.choices,
            "max_query_length": MAX_QUERY_LENGTH,
            # Only the newest MAX_RANKED matches are ranked: say so rather than a false count
            # (read from the module at each request, so a test can lower it).
            "more_than": queries.MAX_RANKED
            if search.is_ranked and context["paginator"].count >= queries.MAX_RANKED
            else None,
            "author": Author.objects.filter(slug=search.author).first() if search.author else None,
        }


search_view = SearchView.as_view()
