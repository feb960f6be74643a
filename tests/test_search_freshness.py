"""Search follows what readers see: saves, published changes, renamed authors and tags."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from articles.workflow import apply_transition

from .factories import make_article, make_author, make_user
from .test_permissions import article_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(client):
    user = make_user("mod", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderator"))
    client.force_login(user)
    return user


def found(client, query):
    """The URLs of the articles a reader's search finds."""
    import re

    html = client.get(reverse("articles:search"), {"q": query}).text
    return set(re.findall(r'href="(/[^"/]+/[^"/]+/)"', html))


def test_a_published_change_is_searchable_only_once_it_is_live(client, moderator):
    article = make_article(headline="Harmattan season begins")
    from search.documents import refresh_search_vector

    refresh_search_vector(article)
    url = reverse("admin:articles_article_change", args=[article.pk])
    client.post(url, article_form_data(article, headline="Zanzibar ferry schedule"))
    assert article.get_absolute_url() in found(client, "harmattan")
    assert article.get_absolute_url() not in found(client, "zanzibar")
    feed = client.get("/feed/").text
    assert "Harmattan season begins" in feed and "Zanzibar" not in feed
    apply_transition(article, "publish_changes", by=moderator)
    assert article.get_absolute_url() in found(client, "zanzibar")
    assert article.get_absolute_url() not in found(client, "harmattan")
    assert "Zanzibar ferry schedule" in client.get("/feed/").text


def test_renaming_an_author_or_tag_in_the_admin_updates_search(client, moderator):
    author = make_author(name="Old Name")
    article = make_article(headline="Budget talks", authors=[author], tags=["Sahel"])
    from search.documents import refresh_search_vector

    refresh_search_vector(article)
    client.post(
        reverse("admin:articles_author_change", args=[author.pk]),
        {"name": "Kadiatou SANGARÉ", "slug": author.slug, "role": "", "bio": ""},
    )
    assert article.get_absolute_url() in found(client, "Kadiatou")
    tag = article.tags.get()
    client.post(
        reverse("admin:taggit_tag_change", args=[tag.pk]),
        {"name": "Liptako Gourma", "slug": "liptako-gourma"},
    )
    assert article.get_absolute_url() in found(client, "Liptako")
