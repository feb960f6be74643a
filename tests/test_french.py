"""French as well as English: the reader's language, the article's language, the desk in French."""

import json
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from .factories import make_article, make_author, make_section, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def piece():
    return make_article(
        headline="Les pourparlers de défense",
        section=make_section(name="Opinion", slug="opinion"),
        authors=[make_author(name="Titi KEITA", slug="titi-keita")],
        genre="opinion",
        language="fr",
        published_at=timezone.make_aware(timezone.datetime(2026, 11, 3, 9, 30)),
    )


def test_accept_language_fr_gives_french_navigation_and_dates(client, piece):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").content.decode()
    assert '<html lang="fr">' in html
    assert "Aller au contenu" in html
    assert "Rechercher" in html and "Archives" in html
    assert "3 novembre 2026" in html
    assert "Par <a" in html  # the byline
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Skip to content" in english and "3 November 2026" in english


def test_the_visible_switch_sets_the_language_and_urls_stay_the_same(client, piece):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": piece.get_absolute_url()})
    assert response.status_code == 302 and response["Location"] == piece.get_absolute_url()
    html = client.get(piece.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="fr">' in html and "min de lecture" in html
    assert '<option value="fr" lang="fr" selected>' in html


def test_the_switch_names_each_language_in_itself_and_marks_the_current_one(client, piece):
    for accept, current in [("fr", "fr"), ("en", "en"), ("fr", "fr")]:
        html = client.get("/", HTTP_ACCEPT_LANGUAGE=accept).content.decode()
        options = re.findall(r'<option value="(\w+)" lang="\1"( selected)?>([^<]*)</option>', html)
        assert options == [
            ("en", " selected" if current == "en" else "", "English"),
            ("fr", " selected" if current == "fr" else "", "Français"),
        ]


def test_a_french_piece_on_an_english_page_is_marked_french(client, piece):
    html = client.get(piece.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in html
    assert re.search(r'<article class="story[^"]*" lang="fr">', html)
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = [json.loads(block) for block in blocks]
    article = next(d for d in data if d.get("@type") == "OpinionNewsArticle")
    assert article["inLanguage"] == "fr"
    feed = client.get("/feed/").content.decode()
    assert "<dc:language>fr</dc:language>" in feed


def test_the_desk_speaks_french_too(client):
    user = make_user("redac", is_staff=True)
    user.groups.add(Group.objects.get(name="Writer"))
    client.force_login(user)
    html = client.get(
        reverse("admin:articles_article_add"), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Chapô" in html and "Signatures" in html
    assert "Ajout" in html  # Django's own admin strings follow the language too
