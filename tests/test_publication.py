"""The publication rule: nothing that is not published, and due, reaches the public."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles.models import Article

from .factories import HIDDEN_STATES, make_article, make_author, make_section

pytestmark = pytest.mark.django_db


def public_paths(article):
    author = article.bylines.get().author
    return {
        "home": reverse("articles:home"),
        "section": article.section.get_absolute_url(),
        "author": author.get_absolute_url(),
        "tag": reverse("articles:tag", kwargs={"slug": "secret-tag"}),
    }


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_hidden_article_page_is_404(client, state):
    article = make_article(headline="Secret scoop", tags=["Secret tag"], **state)
    assert client.get(article.get_absolute_url()).status_code == 404
    # Any section in the URL: the rule does not depend on which door is knocked on.
    other = make_section(slug="elsewhere")
    url = reverse("articles:detail", kwargs={"section": other.slug, "slug": article.slug})
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_hidden_article_is_absent_from_every_listing(client, state):
    article = make_article(headline="Secret scoop", tags=["Secret tag"], **state)
    paths = public_paths(article)
    # A published neighbour in the same section, by the same author, with the same tag,
    # so each listing exists and must still leave the hidden article out.
    make_article(
        headline="Public story",
        section=article.section,
        authors=[article.bylines.get().author],
        tags=["Secret tag"],
    )
    for name, path in paths.items():
        response = client.get(path)
        assert response.status_code == 200, name
        assert "Public story" in response.text, name
        assert "Secret scoop" not in response.text, name
        assert article.slug not in response.text, name


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_author_and_tag_with_only_hidden_work_have_no_public_page(client, state):
    article = make_article(headline="Secret scoop", tags=["Secret tag"], **state)
    paths = public_paths(article)
    assert client.get(paths["author"]).status_code == 404
    assert client.get(paths["tag"]).status_code == 404
    assert "Secret scoop" not in client.get(paths["home"]).text


def test_published_queryset_and_instance_rule_agree():
    now = timezone.now()
    public = make_article(published_at=now - timedelta(seconds=1))
    due_now = make_article(published_at=now - timedelta(microseconds=1))
    hidden = [
        make_article(status=Article.Status.DRAFT),
        make_article(published_at=now + timedelta(minutes=5)),
        make_article(status=Article.Status.UNPUBLISHED, published_at=now - timedelta(days=1)),
    ]
    published = set(Article.objects.published())
    assert published == {public, due_now}
    assert all(article.is_published for article in published)
    assert not any(article.is_published for article in hidden)


def test_future_article_appears_by_itself_when_its_time_comes(client):
    start = timezone.now()
    section = make_section(slug="politics")
    author = make_author(slug="titi-keita", name="Titi KEITA")
    article = make_article(
        headline="Embargoed story",
        section=section,
        authors=[author],
        tags=["Embargo"],
        published_at=start + timedelta(seconds=30),
    )
    paths = [
        article.get_absolute_url(),
        reverse("articles:home"),
        section.get_absolute_url(),
        author.get_absolute_url(),
        reverse("articles:tag", kwargs={"slug": "embargo"}),
    ]
    with time_machine.travel(start, tick=False):
        for path in paths:
            response = client.get(path)
            assert "Embargoed story" not in response.text, path
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            assert "Embargoed story" in response.text, path
