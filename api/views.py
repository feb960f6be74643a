"""The content API, read-only: every queryset starts at what readers may see."""

from functools import partial

from django.db.models import Exists, OuterRef
from django.utils.cache import patch_cache_control, patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination

from api.caching import cached_answer
from api.filters import ArticleFilters
from api.serializers import (
    ArticleSerializer,
    AuthorSerializer,
    SectionSerializer,
    TagSerializer,
)
from articles.models import Article, Author, Byline, Section, TaggedArticle
from articles.models.tags import Tag


class NewestFirst(CursorPagination):
    """Opaque cursors: stable while new pieces are published at the top."""

    ordering = ("-published_at", "-id")
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class ByName(CursorPagination):
    ordering = ("name", "id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ContentViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only, for holders of an API key (REST_FRAMEWORK's defaults in newsroom.settings)."""

    def list(self, request, *args, **kwargs):
        return cached_answer(request, partial(super().list, request, *args, **kwargs))

    def retrieve(self, request, *args, **kwargs):
        return cached_answer(request, partial(super().retrieve, request, *args, **kwargs))

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # A cache must not answer a request without a key (or with another key) with what a
        # keyed request got, and must ask again each time (If-None-Match, so a 304 when nothing
        # changed) so that a revoked key or a spent rate limit takes effect at once.
        patch_vary_headers(response, ["Authorization"])
        patch_cache_control(response, no_cache=True)
        return response


FILTER_PARAMETERS = [
    OpenApiParameter("section", OpenApiTypes.STR, description="a section's slug"),
    OpenApiParameter("author", OpenApiTypes.STR, description="an author's slug"),
    OpenApiParameter("tag", OpenApiTypes.STR, description="a tag's slug"),
    OpenApiParameter("language", OpenApiTypes.STR, description="a language code: en, fr"),
    OpenApiParameter(
        "updated_since",
        OpenApiTypes.DATETIME,
        description="ISO 8601: only articles changed at or after this moment",
    ),
]


@extend_schema_view(list=extend_schema(parameters=FILTER_PARAMETERS))
class ArticleViewSet(ContentViewSet):
    """Published articles, newest first: never a draft, a piece scheduled for later, a change
    waiting for review or an editorial note."""

    serializer_class = ArticleSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        articles = Article.objects.published().with_page_related()
        if self.action != "list":
            return articles
        filters = ArticleFilters(self.request.query_params)
        if not filters.is_valid():
            raise ValidationError(filters.errors.get_json_data())
        # Filters through bylines or tags could repeat an article: distinct() keeps it once.
        return filters.apply(articles).distinct()


def linked_to_published(link, *, own, article):
    """Rows with at least one `link` row (a byline, a tagging) to a published article."""
    return Exists(
        link.objects.filter(
            **{own: OuterRef("pk"), f"{article}__in": Article.objects.published().values("pk")}
        )
    )


class SectionViewSet(ContentViewSet):
    serializer_class = SectionSerializer
    lookup_field = "slug"
    queryset = Section.objects.all()
    pagination_class = ByName


class AuthorViewSet(ContentViewSet):
    """Authors with at least one published article (the others have no public page)."""

    serializer_class = AuthorSerializer
    lookup_field = "slug"
    pagination_class = ByName

    def get_queryset(self):
        return Author.objects.filter(linked_to_published(Byline, own="author", article="article"))


class TagViewSet(ContentViewSet):
    """Tags carried by at least one published article."""

    serializer_class = TagSerializer
    lookup_field = "slug"
    pagination_class = ByName

    def get_queryset(self):
        return Tag.objects.filter(
            linked_to_published(TaggedArticle, own="tag", article="content_object")
        )
