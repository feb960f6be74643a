"""/api/v1/: the content API, its OpenAPI schema and its docs (assets served from here)."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api import views

router = DefaultRouter()
router.register("articles", views.ArticleViewSet, basename="article")
router.register("sections", views.SectionViewSet, basename="section")
router.register("authors", views.AuthorViewSet, basename="author")
router.register("tags", views.TagViewSet, basename="tag")

app_name = "api"
urlpatterns = [
    path("v1/schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    # The split view serves its script as a file, so the docs run under a policy that allows
    # this site's scripts only (the public site's allows none); Swagger UI sets inline styles.
    path(
        "v1/docs/",
        csp_replace({"script-src": [SELF], "style-src": [SELF, UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema")
        ),
        name="docs",
    ),
    path("v1/", include(router.urls)),
]
