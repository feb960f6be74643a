"""A theme (NEWSROOM_THEME_DIR) changes the site's look without touching the project: its
templates and static files are found before the built-in ones. The example theme that ships in
themes/example draws compact, date-first cards and adds its own stylesheet."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import override_settings

from articles.models import Article
from search.documents import refresh_search_vector

from .factories import make_article, make_author, make_section
from .markup import parse

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "themes" / "example"
THEME_CSS = "/static/css/example-theme.css"


def with_theme(theme):
    """The settings NEWSROOM_THEME_DIR=theme gives: its folders searched first."""
    templates = [
        {**settings.TEMPLATES[0], "DIRS": [theme / "templates", *settings.TEMPLATES[0]["DIRS"]]}
    ]
    return override_settings(
        TEMPLATES=templates, STATICFILES_DIRS=[theme / "static", *settings.STATICFILES_DIRS]
    )


@pytest.fixture
def piece(db):
    article = make_article(
        headline="Farmers turn to millet",
        standfirst="The rains came late.",
        body="<p>Millet needs less water than maize.</p>",
        genre=Article.Genre.ANALYSIS,
        section=make_section(name="Economy", slug="economy"),
        authors=[make_author(name="Awa Diallo", slug="awa-diallo")],
    )
    refresh_search_vector(article)  # as the desk's save does
    return article


def stylesheets(page):
    return [link.attrs["href"] for link in page.find_all("link", rel="stylesheet")]


def test_without_a_theme_the_built_in_card_and_stylesheet_are_used(client, piece):
    page = parse(client.get("/economy/").text)
    card = page.find("article", "card")
    assert "card-compact" not in card.classes
    assert card.find("p", "standfirst").text == "The rains came late."
    # The built-in card: kicker first, the date last, in the meta line.
    assert card.find_all()[0].classes == ["kicker"]
    assert card.find("p", "meta").find("time")
    assert stylesheets(page) == ["/static/css/site.css"]


def test_the_example_theme_draws_its_own_cards_and_adds_its_stylesheet(client, piece):
    with with_theme(EXAMPLE):
        for path in ["/", "/economy/", "/authors/awa-diallo/"]:
            page = parse(client.get(path).text)
            card = page.find("article", "card-compact")
            # Date first, then the kicker and the headline; no standfirst.
            first, kicker = card.find_all()[0], card.find("p", "kicker")
            assert first.classes == ["card-date"]
            assert first.find("time").attrs["datetime"] == piece.published_at.isoformat()
            assert kicker.text == "Analysis Economy"
            assert card.find("a", href=piece.get_absolute_url()).text == piece.headline
            assert not card.find_all(cls="standfirst")
            assert card.find("span", "byline").text == "By Awa Diallo"
            assert stylesheets(page) == ["/static/css/site.css", THEME_CSS], path
        # Search results are the theme's cards too, with the search's marks.
        page = parse(client.get("/search/", {"q": "millet"}).text)
        card = page.find("article", "card-compact")
        assert card.find(cls="card-headline").find("mark").text == "millet"
        assert "Millet" in card.find("p", "search-snippet").text
        assert finders.find("css/example-theme.css") == str(
            EXAMPLE / "static" / "css" / "example-theme.css"
        )
    # Back to the built-in look once the theme is gone.
    assert not parse(client.get("/").text).find_all(cls="card-compact")


def test_a_theme_overrides_one_template_and_keeps_the_rest(client, piece, tmp_path):
    (tmp_path / "templates" / "includes").mkdir(parents=True)
    (tmp_path / "templates" / "includes" / "byline.html").write_text(
        '<span class="byline">{% for line in bylines %}{{ line.author.name }} ✍{% endfor %}</span>'
    )
    (tmp_path / "static" / "css").mkdir(parents=True)
    (tmp_path / "static" / "css" / "site.css").write_text("body { color: teal; }")
    with with_theme(tmp_path):
        page = parse(client.get(piece.get_absolute_url()).text)
        assert page.find("span", "byline").text == "Awa Diallo ✍"
        assert page.find("h1").text == "Farmers turn to millet"  # the built-in page around it
        assert finders.find("css/site.css") == str(tmp_path / "static" / "css" / "site.css")


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", **env},
        check=False,
    )


def test_newsroom_theme_dir_puts_the_themes_files_first():
    result = manage(
        "shell",
        "-c",
        "from django.template.loader import get_template; "
        "from django.contrib.staticfiles import finders; "
        "print(get_template('includes/card.html').origin.name); "
        "print(get_template('includes/kicker.html').origin.name); "
        "print(finders.find('css/example-theme.css'))",
        NEWSROOM_THEME_DIR="themes/example",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == [
        str(EXAMPLE / "templates" / "includes" / "card.html"),
        str(ROOT / "templates" / "includes" / "kicker.html"),
        str(EXAMPLE / "static" / "css" / "example-theme.css"),
    ]


def test_a_theme_dir_that_is_not_there_is_named():
    result = manage("check", NEWSROOM_THEME_DIR="themes/no-such-theme")
    assert result.returncode != 0
    assert "NEWSROOM_THEME_DIR" in result.stderr and "no-such-theme" in result.stderr
    assert "Traceback" not in result.stderr
