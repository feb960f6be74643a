"""The first cut of the admin: every model listed, searchable and filterable."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from articles.models import Article, Tag

from .factories import make_article, make_author, make_section, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(make_user("chief", is_staff=True, is_superuser=True))
    return client


def test_article_changelist_shows_bylines_and_filters(admin_client):
    article = make_article(
        headline="Budget vote", authors=[make_author(name="Ada ONE"), make_author(name="Ben TWO")]
    )
    make_article(headline="Draft piece", status=Article.Status.DRAFT)
    url = reverse("admin:articles_article_changelist")
    html = admin_client.get(url).text
    assert "Budget vote" in html and "Ada ONE, Ben TWO" in html
    filtered = admin_client.get(url, {"status__exact": "draft"}).text
    assert "Draft piece" in filtered and "Budget vote" not in filtered
    searched = admin_client.get(url, {"q": "Ben TWO"}).text
    assert "Budget vote" in searched and "Draft piece" not in searched
    by_section = admin_client.get(url, {"section__id__exact": article.section_id}).text
    assert "Budget vote" in by_section and "Draft piece" not in by_section


def test_every_admin_page_renders(admin_client):
    article = make_article()
    for name, args in [
        ("admin:articles_article_add", []),
        ("admin:articles_article_change", [article.pk]),
        ("admin:articles_author_changelist", []),
        ("admin:articles_author_add", []),
        ("admin:articles_section_changelist", []),
        ("admin:articles_tag_changelist", []),
    ]:
        assert admin_client.get(reverse(name, args=args)).status_code == 200, name


def test_author_autocomplete_finds_authors_by_name(admin_client):
    make_author(name="Titi KEITA")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "articles", "model_name": "byline", "field_name": "author", "term": "keita"},
    )
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["Titi KEITA"]


def test_adding_an_article_with_two_ordered_bylines(admin_client):
    section = make_section()
    first, second = make_author(name="Second Named"), make_author(name="First Named")
    response = admin_client.post(
        reverse("admin:articles_article_add"),
        {
            "headline": "Written in the admin",
            "slug": "written-in-the-admin",
            "standfirst": "",
            "body": "<p>Text.</p>",
            "section": section.pk,
            "genre": "news",
            "tags": "Sahel, Budget",
            "status": "draft",
            "hero_image_alt": "",
            "hero_image_caption": "",
            "hero_image_credit": "",
            "bylines-TOTAL_FORMS": "2",
            "bylines-INITIAL_FORMS": "0",
            "bylines-0-author": first.pk,
            "bylines-0-position": "1",
            "bylines-1-author": second.pk,
            "bylines-1-position": "0",
        },
    )
    assert response.status_code == 302, response.text
    article = Article.objects.get(slug="written-in-the-admin")
    assert article.ordered_authors == [second, first]
    assert sorted(tag.name for tag in article.tags.all()) == ["Budget", "Sahel"]
    assert article.created_by.username == "chief"


def test_admin_refuses_a_reserved_section_slug(admin_client):
    response = admin_client.post(
        reverse("admin:articles_section_add"),
        {"name": "Admin", "slug": "admin", "description": "", "position": 0},
    )
    assert response.status_code == 200
    assert "reserved for a site page" in response.text


def test_public_cannot_reach_the_admin(client):
    response = client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_administrator_creates_a_writer_with_their_byline(admin_client):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    response = admin_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newwriter",
            "password1": "a-long-enough-passphrase-42",
            "password2": "a-long-enough-passphrase-42",
            "usable_password": "true",
            "author_profile-TOTAL_FORMS": "1",
            "author_profile-INITIAL_FORMS": "0",
            "author_profile-0-name": "Awa SIDIBÉ",
            "author_profile-0-slug": "awa-sidibe",
            "author_profile-0-role": "Reporter",
            "author_profile-0-bio": "",
        },
    )
    assert response.status_code == 302, response.text[:3000]
    user = get_user_model().objects.get(username="newwriter")
    assert user.author_profile.name == "Awa SIDIBÉ"
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name="Writer"))
    admin_client.force_login(user)
    html = admin_client.get(reverse("admin:articles_article_add")).text
    assert f'<option value="{user.author_profile.pk}" selected>Awa SIDIBÉ</option>' in html


def test_a_prefilled_byline_left_untouched_is_kept_beside_a_new_one(client):
    from django.contrib.auth.models import Group

    writer = make_user("wanda", is_staff=True)
    writer.groups.add(Group.objects.get(name="Writer"))
    own = make_author(name="Wanda WRITER", user=writer)
    other = make_author(name="Titi KEITA")
    section = make_section()
    client.force_login(writer)
    response = client.post(
        reverse("admin:articles_article_add"),
        {
            "headline": "Two voices",
            "slug": "two-voices",
            "body": "<p>x</p>",
            "section": section.pk,
            "genre": "news",
            "bylines-TOTAL_FORMS": "2",
            "bylines-INITIAL_FORMS": "0",
            # Row 0 is exactly as the desk pre-filled it.
            "bylines-0-author": own.pk,
            "bylines-0-position": "0",
            "initial-bylines-0-author": own.pk,
            "initial-bylines-0-position": "0",
            "bylines-1-author": other.pk,
            "bylines-1-position": "1",
        },
    )
    assert response.status_code == 302, response.text[:2000]
    assert Article.objects.get(slug="two-voices").ordered_authors == [own, other]


def test_a_writer_sees_each_of_their_pieces_once_however_it_is_listed(client):
    from django.contrib.auth.models import Group

    writer = make_user("scribe", is_staff=True)
    writer.groups.add(Group.objects.get(name="Writer"))
    mine = make_author(name="Scribe ONE", user=writer)
    shared = make_article(
        headline="Shared desk piece",
        status=Article.Status.DRAFT,
        authors=[mine, make_author(name="Colleague TWO")],
        created_by=writer,
    )
    make_article(headline="Someone else's draft", status=Article.Status.DRAFT)
    client.force_login(writer)
    url = reverse("admin:articles_article_changelist")
    for params in [{}, {"q": "Scribe"}, {"authors__id__exact": mine.pk}, {"q": "desk"}]:
        html = client.get(url, params).text
        assert html.count(f"/admin/articles/article/{shared.pk}/change/") == 1, params
        assert "Someone else" not in html, params


def test_the_changelist_counts_no_further_than_its_cap(admin_client, monkeypatch):
    from articles.pagination import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "cap", 3)
    for n in range(4):
        make_article(headline=f"Piece {n}")
    make_article(headline="Zanzibar harbour")
    url = reverse("admin:articles_article_changelist")
    html = admin_client.get(url).text
    assert "3+ articles" in html and "5 articles" not in html
    # Under the cap, the count is exact.
    html = admin_client.get(url, {"q": "Zanzibar"}).text
    assert "1 article" in html and "+ articles" not in html
    # The published-date filter replaces the date hierarchy.
    assert (
        admin_client.get(url, {"published_at__gte": "2000-01-01 00:00:00+00:00"}).status_code == 200
    )


@pytest.mark.parametrize("role", ["superuser", "Moderator", "Writer"])
def test_tags_are_listed_under_the_newsroom_heading_not_taggit(client, role):
    if role == "superuser":
        user = make_user("chief", is_staff=True, is_superuser=True)
    else:
        user = make_user("desk", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    html = client.get(reverse("admin:index")).text
    newsroom = re.search(r'<div class="app-articles module.*?</table>', html, re.S).group(0)
    assert ">Newsroom</a>" in newsroom
    assert f'<a href="{reverse("admin:articles_tag_changelist")}"' in newsroom
    assert ">Tags</a>" in newsroom
    assert "app-taggit" not in html and "Taggit" not in html and "TAGGIT" not in html
    assert client.get(reverse("admin:articles_tag_changelist")).status_code == 200


def test_the_tag_admin_lists_tags_with_their_articles_and_public_page(admin_client):
    make_article(tags=["Sahel"])
    tag = Tag.objects.get(name="Sahel")
    html = admin_client.get(reverse("admin:articles_tag_changelist")).text
    assert "Sahel" in html
    change = admin_client.get(reverse("admin:articles_tag_change", args=[tag.pk])).text
    assert 'href="/admin/r/' in change  # "View on site": the tag's public page
    assert tag.get_absolute_url() == "/tags/sahel/"


def test_renaming_a_tag_in_the_admin_refreshes_its_cached_public_pages(admin_client, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 300
    article = make_article(headline="Border talks", tags=["Sahel"])
    tag = Tag.objects.get(name="Sahel")
    reader = Client()
    pages = [tag.get_absolute_url(), article.get_absolute_url()]
    for page in pages:
        assert "Sahel" in reader.get(page).text
        assert "Sahel" in reader.get(page).text  # now from the page cache
    admin_client.post(
        reverse("admin:articles_tag_change", args=[tag.pk]),
        {"name": "Liptako Gourma", "slug": "sahel"},
    )
    for page in pages:
        assert "Liptako Gourma" in reader.get(page).text, page


def test_the_french_desk_lists_its_tags_as_mots_cles(client):
    client.force_login(make_user("chief", is_staff=True, is_superuser=True))
    html = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="fr").text
    newsroom = re.search(r'<div class="app-articles module.*?</table>', html, re.S).group(0)
    assert ">Mots-clés</a>" in newsroom


@pytest.mark.django_db(transaction=True)
def test_whoever_held_taggits_tag_permissions_keeps_the_tag_admin_after_migrating():
    before = [("articles", "0012_compact_article_rows")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    Permission = old.get_model("auth", "Permission")
    change_taggit_tag = Permission.objects.get(
        content_type__app_label="taggit", codename="change_tag"
    )
    archivists = old.get_model("auth", "Group").objects.create(name="Archivists")
    archivists.permissions.add(change_taggit_tag)
    keeper = old.get_model("auth", "User").objects.create(username="keeper", is_staff=True)
    keeper.user_permissions.add(change_taggit_tag)

    # Forward to the latest state again, as every other test expects.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    group_user = make_user("archivist", is_staff=True)
    group_user.groups.add(Group.objects.get(name="Archivists"))
    for user in (group_user, get_user_model().objects.get(username="keeper")):
        assert user.has_perm("articles.change_tag"), user
    assert (
        Group.objects.get(name="Moderator")
        .permissions.filter(content_type__app_label="articles", codename="change_tag")
        .exists()
    )
