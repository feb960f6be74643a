from django.urls import path

from . import previews, views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("authors/<slug:slug>/", views.AuthorView.as_view(), name="author"),
    path("tags/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("preview/<str:token>/", previews.shared_preview, name="shared-preview"),
    path("<slug:slug>/", views.SectionView.as_view(), name="section"),
    path("<slug:section>/<slug:slug>/", views.article_detail, name="detail"),
]
