"""Lists of cards are rendered once per version of what they show (pagecache/templatetags/
fragments.py): with the page cache off, as right after a publication, a list page draws its cards
from the cache until one of its articles, their sections or their authors changes, or a scheduled
piece goes live."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article

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
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    for _ in range(2):
        page = client.get("/economy/")
        assert page.status_code == 200
        assert cards_drawn(page) == 3
