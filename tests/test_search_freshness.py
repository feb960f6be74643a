"""Search follows what readers see: saves, published changes, renamed authors and tags."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse

from articles.importing import import_piece, parse_piece
from articles.models import Article
from articles.signals import article_changed
from articles.workflow import apply_transition
from search.documents import refresh_search_vector

from .factories import make_article, make_author, make_section, make_user
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
    html = client.get(reverse("articles:search"), {"q": query}).text
    return set(re.findall(r'href="(/[^"/]+/[^"/]+/)"', html))


def test_a_published_change_is_searchable_only_once_it_is_live(client, moderator):
    article = make_article(headline="Harmattan season begins")
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
    refresh_search_vector(article)
    client.post(
        reverse("admin:articles_author_change", args=[author.pk]),
        {"name": "Kadiatou SANGARÉ", "slug": author.slug, "role": "", "bio": ""},
    )
    assert article.get_absolute_url() in found(client, "Kadiatou")
    tag = article.tags.get()
    client.post(
        reverse("admin:articles_tag_change", args=[tag.pk]),
        {"name": "Liptako Gourma", "slug": "liptako-gourma"},
    )
    assert article.get_absolute_url() in found(client, "Liptako")


def test_deleting_a_tag_in_the_admin_updates_search(client, moderator):
    article = make_article(headline="Budget talks", tags=["Liptako"])
    refresh_search_vector(article)
    assert article.get_absolute_url() in found(client, "Liptako")
    client.force_login(make_user("boss", is_staff=True, is_superuser=True))
    tag = article.tags.get()
    client.post(reverse("admin:articles_tag_delete", args=[tag.pk]), {"post": "yes"})
    assert article.get_absolute_url() not in found(client, "Liptako")
    assert article.get_absolute_url() in found(client, "budget")


def test_an_imported_piece_is_found_at_once(client):
    piece = parse_piece(b"Harmattan season begins\n\nDust over the city.\n\nTiti KEITA\n")
    article = import_piece(piece, section=make_section(), genre="news", publish=True)
    assert article.get_absolute_url() in found(client, "harmattan")
    assert article.get_absolute_url() in found(client, "keita")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stored vectors need PostgreSQL")
def test_search_refreshes_only_for_changes_to_what_it_holds(client):
    article = make_article(headline="Harmattan season begins")
    refresh_search_vector(article)
    Article.objects.filter(pk=article.pk).update(headline="Zanzibar ferry schedule")
    changed = Article.objects.filter(pk=article.pk)
    article_changed.send(sender=Article, articles=changed, fields=frozenset({"hero_image"}))
    assert article.get_absolute_url() in found(client, "harmattan")
    article_changed.send(sender=Article, articles=changed, fields=frozenset({"headline"}))
    assert article.get_absolute_url() in found(client, "zanzibar")
    assert article.get_absolute_url() not in found(client, "harmattan")
