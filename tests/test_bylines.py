"""Bylines: several authors, in the order the desk set, each linking to their page."""

import re

import pytest
from django.urls import reverse

from articles.models import Byline

from .factories import make_article, make_author

pytestmark = pytest.mark.django_db


def byline_text(html):
    match = re.search(r'<span class="byline">(.*?)</span>', html, re.S)
    assert match, "no byline on the page"
    return re.sub(r"<[^>]+>", "", match.group(1))


def test_single_author_byline_keeps_the_name_as_written(client):
    article = make_article(authors=[make_author(name="Titi KEITA", slug="titi-keita")])
    html = client.get(article.get_absolute_url()).text
    assert byline_text(html) == "By Titi KEITA"
    assert '<a href="/authors/titi-keita/" rel="author">Titi KEITA</a>' in html


def test_two_authors_read_a_and_b(client):
    article = make_article(authors=[make_author(name="Ada One"), make_author(name="Ben Two")])
    assert byline_text(client.get(article.get_absolute_url()).text) == "By Ada One and Ben Two"


def test_three_authors_read_a_b_and_c(client):
    authors = [make_author(name=name) for name in ("Ada One", "Ben Two", "Cy Three")]
    article = make_article(authors=authors)
    html = client.get(article.get_absolute_url()).text
    assert byline_text(html) == "By Ada One, Ben Two and Cy Three"


def test_byline_follows_position_not_name_or_insertion_order(client):
    zed, amy, max_ = (make_author(name=name) for name in ("Zed Last", "Amy First", "Max Mid"))
    article = make_article(authors=[])
    # Inserted in one order, positioned in another, names sorting in a third.
    Byline.objects.create(article=article, author=amy, position=2)
    Byline.objects.create(article=article, author=zed, position=0)
    Byline.objects.create(article=article, author=max_, position=1)
    assert article.ordered_authors == [zed, max_, amy]
    expected = "By Zed Last, Max Mid and Amy First"
    assert byline_text(client.get(article.get_absolute_url()).text) == expected
    # Listings show the same order.
    assert byline_text(client.get(reverse("articles:home")).text) == expected


def test_every_byline_links_to_its_author_page(client):
    authors = [make_author(name="Ada One", slug="ada-one"), make_author(name="Ben Two", slug="ben")]
    article = make_article(authors=authors)
    html = client.get(article.get_absolute_url()).text
    for author in authors:
        assert f'href="{author.get_absolute_url()}" rel="author"' in html
        page = client.get(author.get_absolute_url())
        assert page.status_code == 200
        assert article.headline in page.text
