from django.urls import path

from articles import previews
from public import archive, views
from search.views import search_view
from syndication import feeds

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search_view, name="search"),
    path("feed/", feeds.LatestRssFeed(), name="feed"),
    path("atom/", feeds.LatestAtomFeed(), name="atom"),
    path("archive/", archive.archive_index, name="archive"),
    path("archive/<int:year>/", archive.year_archive, name="archive-year"),
    path("archive/<int:year>/<int:month>/", archive.month_archive, name="archive-month"),
    path("authors/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("authors/<slug:slug>/feed/", feeds.AuthorRssFeed(), name="author-feed"),
    path("authors/<slug:slug>/atom/", feeds.AuthorAtomFeed(), name="author-atom"),
    path("tags/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("tags/<slug:slug>/feed/", feeds.TagRssFeed(), name="tag-feed"),
    path("tags/<slug:slug>/atom/", feeds.TagAtomFeed(), name="tag-atom"),
    path("preview/<str:token>/", previews.shared_preview, name="shared-preview"),
    path("<slug:slug>/", views.SectionView.as_view(), name="section"),
    # Before the article pattern: "feed" and "atom" are reserved article slugs.
    path("<slug:slug>/feed/", feeds.SectionRssFeed(), name="section-feed"),
    path("<slug:slug>/atom/", feeds.SectionAtomFeed(), name="section-atom"),
    path("<slug:section>/<slug:slug>/", views.article_detail, name="detail"),
]
