"""Lists of cards are rendered once per version of what they show (pagecache/templatetags/
fragments.py): with the page cache off, as right after a publication, a list page draws its cards
from the cache until one of its articles, their sections or their authors changes, or a scheduled
piece goes live."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from newsroom.caches import REDIS_BACKEND

from .factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db

CARD = "includes/card.html"


def cards_drawn(response):
    return sum(1 for template in response.templates if template.name == CARD)


@pytest.fixture
def economy():
    section = make_section(name="Economy", slug="economy")
    author = make_author(name="Awa DIALLO", slug="awa-diallo")
    pieces = [
        make_article(headline=f"Market report {n}", section=section, authors=[author])
        for n in range(3)
    ]
    return {"section": section, "author": author, "pieces": pieces}


@pytest.mark.parametrize("path", ["/", "/economy/", "/authors/awa-diallo/"])
def test_a_second_reader_gets_the_same_cards_without_drawing_them(client, economy, path):
    first = client.get(path)
    second = client.get(path)
    assert cards_drawn(first) == 3
    assert cards_drawn(second) == 0
    for piece in economy["pieces"]:
        assert piece.headline in second.content.decode()


def test_an_edited_headline_shows_on_the_next_request(client, economy):
    client.get("/economy/")
    piece = economy["pieces"][0]
    piece.headline = "Market report, corrected"
    piece.save()
    page = client.get("/economy/").content.decode()
    assert "Market report, corrected" in page


def test_a_renamed_author_or_section_shows_on_the_next_request(client, economy):
    client.get("/economy/")
    client.get("/")
    economy["author"].name = "Awa DIALLO-KEITA"
    economy["author"].save()
    assert "Awa DIALLO-KEITA" in client.get("/economy/").content.decode()
    economy["section"].name = "Markets"
    economy["section"].save()
    assert "Markets" in client.get("/").content.decode()


def test_a_scheduled_piece_joins_the_list_at_its_time(client, economy):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        make_article(
            headline="Budget day arrives",
            section=economy["section"],
            authors=[economy["author"]],
            published_at=start + timedelta(seconds=60),
        )
        assert "Budget day arrives" not in client.get("/economy/").content.decode()
        assert cards_drawn(client.get("/economy/")) == 0
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert "Budget day arrives" in client.get("/economy/").content.decode()


def test_an_unpublished_piece_leaves_the_list_at_once(client, economy):
    client.get("/economy/")
    piece = economy["pieces"][1]
    piece.status = Article.Status.UNPUBLISHED
    piece.save()
    assert piece.headline not in client.get("/economy/").content.decode()


def test_with_fragment_caching_off_every_request_draws_its_cards(client, economy, settings):
    settings.NEWSROOM_FRAGMENT_CACHE_SECONDS = 0
    client.get("/economy/")
    assert cards_drawn(client.get("/economy/")) == 3


def test_a_list_page_is_served_when_the_cache_is_down(client, economy, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": REDIS_BACKEND,
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    for _ in range(2):
        page = client.get("/economy/")
        assert page.status_code == 200
        assert cards_drawn(page) == 3


# Whole blocks: a list page's page of cards, an article's story, head and read-next.


def queries_for(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response, [query["sql"] for query in queries]


@pytest.mark.parametrize("path", ["/economy/", "/economy/?page=1"])
def test_a_cached_section_page_fetches_no_article(client, economy, path):
    client.get(path)
    response, sql = queries_for(client, path)
    assert not [query for query in sql if "articles_article" in query]
    for piece in economy["pieces"]:
        assert piece.headline in response.content.decode()


def test_a_piece_published_in_the_section_joins_its_cached_list(client, economy):
    client.get("/economy/")
    make_article(headline="Fresh market news", section=economy["section"], authors=[])
    assert "Fresh market news" in client.get("/economy/").content.decode()


def test_a_piece_published_elsewhere_leaves_the_section_list_cached(client, economy):
    sport = make_section(name="Sport", slug="sport")  # a new section is a new menu
    client.get("/economy/")
    make_article(headline="Elsewhere news", section=sport)
    _, sql = queries_for(client, "/economy/")
    # Only the moment of the next scheduled publication is looked up again (the site moved on).
    assert [query for query in sql if "articles_article" in query and "MIN(" not in query] == []


def test_a_newly_tagged_piece_joins_the_tag_page_at_once(client, economy):
    tagged = make_article(headline="Tagged first", section=economy["section"], tags=["Cotton"])
    client.get("/tags/cotton/")
    economy["pieces"][0].tags.add("Cotton")
    page = client.get("/tags/cotton/").content.decode()
    assert tagged.headline in page and economy["pieces"][0].headline in page


@pytest.mark.parametrize("page", ["abc", "0", "-1", "²", "99"])
def test_a_page_number_that_is_no_page_is_a_404_cached_or_not(client, economy, page):
    client.get("/economy/")
    for _ in range(2):
        assert client.get(f"/economy/?page={page}").status_code == 404


def test_the_last_page_and_its_canonical_link(client, economy, settings):
    settings.NEWSROOM_PAGE_SIZE = 2
    for _ in range(2):
        last = client.get("/economy/?page=last").content.decode()
        assert "Page 2 of 2" in last
        assert re.search(r'<link rel="canonical" href="http[^"]+/economy/\?page=2">', last)


@pytest.fixture
def story(economy):
    author = economy["author"]
    return make_article(
        headline="Cotton prices climb",
        section=economy["section"],
        authors=[author],
        tags=["Cotton"],
    )


def test_a_cached_article_page_makes_one_query(client, story):
    client.get(story.get_absolute_url())
    response, sql = queries_for(client, story.get_absolute_url())
    # The article with its section; the ids of its authors and tags come from the cache, kept
    # under the article's version.
    assert len(sql) == 1, sql
    page = response.content.decode()
    assert "Cotton prices climb" in page and "Awa DIALLO" in page
    assert 'content="Cotton"' in page  # article:tag in the head, from its fragment


def test_the_story_fragment_follows_every_change_it_shows(client, economy, story):
    path = story.get_absolute_url()
    client.get(path)
    economy["author"].name = "Awa DIALLO-KEITA"
    economy["author"].save()
    assert "Awa DIALLO-KEITA" in client.get(path).content.decode()
    tag = story.tags.get()
    tag.name = "Cotton and gold"
    tag.save()
    assert "Cotton and gold" in client.get(path).content.decode()
    related = make_article(headline="Cotton harvest report", tags=["Cotton and gold"])
    assert related.headline in client.get(path).content.decode()
    story.headline = "Cotton prices climb again"
    story.save()
    assert "Cotton prices climb again" in client.get(path).content.decode()
    # A byline and a tag added: the ids kept for the page are its new ones, so a later change
    # to that author or tag reaches the page too.
    second = make_author(name="Titi KEITA")
    story.bylines.create(author=second, position=1)
    story.tags.add("Gold")
    page = client.get(path).content.decode()
    assert "Titi KEITA" in page and 'content="Gold"' in page
    second.name = "Titi KEITA-DIALLO"
    second.save()
    assert "Titi KEITA-DIALLO" in client.get(path).content.decode()


def test_a_preview_is_never_stored_nor_served_from_the_story_fragment(client, story):
    from django.test import RequestFactory

    from articles.previews import render_preview

    client.get(story.get_absolute_url())
    story.headline = "Unsaved headline"
    request = RequestFactory().get("/admin/preview/")
    preview = render_preview(request, story, bylines=story.bylines.all(), tags=story.tags.all())
    assert "Unsaved headline" in preview.content.decode()
    public = client.get(story.get_absolute_url()).content.decode()
    assert "Unsaved headline" not in public and "Cotton prices climb" in public


def test_a_fragment_fetches_the_others_it_names_in_the_same_round_trip(rf, economy):
    from django.core.cache import cache
    from django.template import Context, Template

    head = '{% load fragments %}{% fragment "head" shows also "body" %}{{ text }}{% endfragment %}'
    body = '{% load fragments %}{% fragment "body" shows %}{{ text }}{% endfragment %}'
    shows = [f"section:{economy['section'].pk}"]

    def render(source, text, request):
        return Template(source).render(Context({"text": text, "shows": shows, "request": request}))

    assert render(body, "stored body", rf.get("/")) == "stored body"
    request = rf.get("/")
    assert render(head, "head", request) == "head"
    cache.clear()  # the body was fetched with the head: the page draws what was fetched
    assert render(body, "drawn afresh", request) == "stored body"
    assert render(body, "drawn afresh", rf.get("/")) == "drawn afresh"


def test_also_without_names_is_a_template_error():
    from django.template import Template, TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        Template('{% load fragments %}{% fragment "head" shows also %}x{% endfragment %}')
