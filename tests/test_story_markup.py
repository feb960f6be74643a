"""What readers see in the pieces every page repeats (templates/includes/: cards, search cards,
kickers, bylines, dates, story links, "more from", author notes, tags, the menu): text, links
and attributes, in English and French, with every value escaped. Not the bytes: a theme may
lay them out otherwise."""

from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

from articles.models import Article
from search.documents import refresh_search_vector

from .factories import make_article, make_author, make_section
from .markup import parse

pytestmark = pytest.mark.django_db

PUBLISHED = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)
HEADLINE = 'Why "we" <script>alert(1)</script> & others'


def render(template_name, language="en", **context):
    # An earlier test's request may have left another language active in this thread.
    with translation.override(language):
        return parse(render_to_string(template_name, context))


@pytest.fixture
def opinion(settings):
    settings.TIME_ZONE = "UTC"
    section = make_section(name="Ideas & <Debate>", slug="ideas")
    return make_article(
        headline=HEADLINE,
        slug="why-we",
        standfirst="A <b>standfirst</b>",
        genre=Article.Genre.OPINION,
        section=section,
        published_at=PUBLISHED,
        authors=[
            make_author(name="Titi KEITA", slug="titi-keita"),
            make_author(name="Ada <One>", slug="ada-one"),
            make_author(name="Ben Two", slug="ben-two"),
        ],
    )


def assert_kicker(page, label, section_name, section_url):
    kicker = page.find("p", "kicker")
    labels = kicker.find_all("span", "genre-label")
    assert [span.text for span in labels] == ([label] if label else [])
    link = kicker.find("a", "section-link")
    assert (link.text, link.attrs["href"]) == (section_name, section_url)


def assert_dated(page, moment_iso, said):
    time = page.find("time")
    assert (time.attrs["datetime"], time.text) == (moment_iso, said)


def test_story_link_shows_kicker_headline_link_and_date(opinion):
    page = render("includes/story_link.html", article=opinion)
    item = page.find("li", "story-link")
    assert_kicker(item, "Opinion", "Ideas & <Debate>", "/ideas/")
    link = item.find("a", "story-link-headline")
    assert (link.text, link.attrs["href"]) == (HEADLINE, "/ideas/why-we/")
    assert not page.find_all("script") and not page.find_all("b")
    assert_dated(item, "2026-03-04T09:30:00+00:00", "4 March 2026")


@pytest.mark.parametrize(
    ("context", "card_classes", "heading"),
    [
        ({}, ["card"], ("h3", ["card-headline"])),
        (
            {"is_lead": True, "heading_level": 2},
            ["card", "card-lead"],
            ("h2", ["card-headline", "card-headline-lead"]),
        ),
    ],
)
def test_card_shows_kicker_headline_standfirst_byline_and_date(
    opinion, context, card_classes, heading
):
    page = render("includes/card.html", article=opinion, **context)
    card = page.find("article")
    assert card.classes == card_classes
    assert_kicker(card, "Opinion", "Ideas & <Debate>", "/ideas/")
    tag, classes = heading
    headline = card.find(tag)
    assert headline.classes == classes
    assert (headline.text, headline.find("a").attrs["href"]) == (HEADLINE, "/ideas/why-we/")
    assert card.find("p", "standfirst").text == "A <b>standfirst</b>"
    meta = card.find("p", "meta")
    assert meta.find("span", "byline").text == "By Titi KEITA, Ada <One> and Ben Two"
    assert_dated(meta, "2026-03-04T09:30:00+00:00", "4 March 2026")
    assert not page.find_all("script") and not page.find_all("b")


def test_news_has_no_genre_label_and_no_standfirst_paragraph_when_empty(opinion):
    opinion.genre, opinion.standfirst = Article.Genre.NEWS, ""
    page = render("includes/card.html", article=opinion)
    assert_kicker(page, None, "Ideas & <Debate>", "/ideas/")
    assert not page.find_all(cls="standfirst")


@pytest.mark.parametrize("section_name", ["Opinion", "OPINION", "opinion "])
def test_genre_and_section_of_the_same_name_are_said_once(section_name):
    article = make_article(
        genre=Article.Genre.OPINION, section=make_section(name=section_name, slug="opinion")
    )
    page = render("includes/kicker.html", article=article)
    assert_kicker(page, None, section_name.strip(), "/opinion/")
    assert page.find("p", "kicker").text.casefold() == "opinion"


def test_the_label_is_compared_in_the_readers_language():
    # "Analyse" is the French label of analysis: said once in French, twice in English.
    article = make_article(
        genre=Article.Genre.ANALYSIS, section=make_section(name="Analyse", slug="analyse")
    )
    assert_kicker(
        render("includes/kicker.html", article=article), "Analysis", "Analyse", "/analyse/"
    )
    assert_kicker(
        render("includes/kicker.html", "fr", article=article), None, "Analyse", "/analyse/"
    )


@pytest.mark.parametrize(
    ("names", "said"),
    [
        (["Ada"], "By Ada"),
        (["Ada", "Ben"], "By Ada and Ben"),
        (["Ada", "Ben", "Cy"], "By Ada, Ben and Cy"),
    ],
)
def test_byline_joins_names_and_links_each_author(names, said):
    authors = [make_author(name=name, slug=f"a{n}") for n, name in enumerate(names)]
    article = make_article(authors=authors)
    page = render("includes/byline.html", bylines=article.bylines.all())
    assert page.find("span", "byline").text == said
    links = page.find_all("a")
    assert [(a.text, a.attrs["href"], a.attrs["rel"]) for a in links] == [
        (name, f"/authors/a{n}/", "author") for n, name in enumerate(names)
    ]


def test_no_bylines_no_byline():
    article = make_article(authors=[])
    assert not render("includes/byline.html", bylines=article.bylines.all()).find_all()


def test_byline_and_kicker_in_french(opinion):
    page = render("includes/card.html", "fr", article=opinion)
    assert page.find("span", "byline").text == "Par Titi KEITA, Ada <One> et Ben Two"
    assert_kicker(page, "Opinion", "Ideas & <Debate>", "/ideas/")
    assert_dated(page, "2026-03-04T09:30:00+00:00", "4 mars 2026")


def test_time_element_is_the_locale_date_in_the_sites_zone(settings):
    settings.TIME_ZONE = "Europe/Paris"
    moment = datetime(2026, 11, 3, 7, 5, tzinfo=UTC)
    expected = {
        ("en", False): "3 November 2026",
        ("en", True): "3 November 2026, 08:05",
        ("fr", False): "3 novembre 2026",
        ("fr", True): "3 novembre 2026, 08:05",
    }
    for (language, minutes), said in expected.items():
        page = render("includes/time.html", language, moment=moment, minutes=minutes)
        assert_dated(page, "2026-11-03T08:05:00+01:00", said)
        # The same words as Django's date filter with the house formats (newsroom/formats).
        with translation.override(language):
            filtered = Template(
                '{{ m|date:"DATETIME_FORMAT" }}' if minutes else "{{ m|date }}"
            ).render(Context({"m": moment}))
        assert said == filtered
    assert not render("includes/time.html", moment=None).find_all()


def test_menu_marks_the_current_section_and_escapes_names():
    sections = [make_section(name="News & <Views>", slug="news"), make_section(slug="ideas")]
    page = render("includes/menu.html", nav_sections=sections, current_section_slug="news")
    links = page.find("nav", "site-nav").find_all("a")
    assert [(a.text, a.attrs["href"], a.attrs.get("aria-current")) for a in links] == [
        ("News & <Views>", "/news/", "page"),
        (sections[1].name, "/ideas/", None),
    ]
    page = render("includes/menu.html", nav_sections=sections, current_section_slug=None)
    assert not page.find_all(aria_current="page")


def test_author_notes_link_each_author_with_their_role(opinion):
    author = opinion.bylines.all()[1].author
    author.role = "Editor <at large>"
    author.save()
    page = render("includes/author_notes.html", bylines=opinion.bylines.all()[:2])
    notes = page.find("ul", "author-notes").find_all("li")
    assert [note.text for note in notes] == ["Titi KEITA", "Ada <One>, Editor <at large>"]
    assert [note.find("a").attrs["href"] for note in notes] == [
        "/authors/titi-keita/",
        "/authors/ada-one/",
    ]


def test_tag_links_escape_names(opinion):
    opinion.tags.add("Mali & <Sahel>", "Elections")
    tags = sorted(opinion.tags.all(), key=lambda tag: tag.name)
    page = render("includes/tag_links.html", tags=tags)
    links = page.find("nav", "tags").find_all("a")
    assert [(a.text, a.attrs["href"], a.attrs["rel"]) for a in links] == [
        ("Elections", "/tags/elections/", "tag"),
        ("Mali & <Sahel>", "/tags/mali-sahel/", "tag"),
    ]
    assert not render("includes/tag_links.html", tags=[]).find_all()


def test_more_from_an_author_lists_their_pieces_and_links_to_all(opinion):
    author = opinion.bylines.all()[1].author
    for language, heading, everything in [
        ("en", "More from Ada <One>", "All articles by Ada <One>"),
        # The catalogue's own words, typographic apostrophe and all.
        ("fr", "Plus d’articles de Ada <One>", "Tous les articles de Ada <One>"),
    ]:
        page = render("includes/more_from.html", language, author=author, pieces=[opinion])
        aside = page.find("aside", "more-from")
        title = aside.find("h2")
        assert (title.text, title.attrs["id"]) == (heading, "more-from-ada-one")
        assert aside.attrs["aria-labelledby"] == "more-from-ada-one"
        assert [a.text for a in aside.find_all("a", "story-link-headline")] == [HEADLINE]
        all_by = aside.find("p", "all-by-author").find("a")
        assert (all_by.text, all_by.attrs["href"]) == (everything, "/authors/ada-one/")


def test_article_page_reads_dates_reading_time_and_notes(client, opinion):
    opinion.body = "<p>" + "word " * 700 + "</p>"
    opinion.content_updated_at = PUBLISHED + timedelta(days=1, hours=2)
    opinion.save()
    for language, dates, reading in [
        ("en", "4 March 2026, 09:30, updated 5 March 2026, 11:30", "4 min read"),
        ("fr", "4 mars 2026, 09:30, mis à jour le 5 mars 2026, 11:30", "4 min de lecture"),
    ]:
        page = parse(client.get("/ideas/why-we/", HTTP_ACCEPT_LANGUAGE=language).text)
        header = page.find("header", "story-header")
        assert header.find("h1").text == HEADLINE
        assert header.find("span", "dates").text == dates
        assert header.find("span", "reading-time").text == reading
        assert [a.attrs["href"] for a in header.find("span", "byline").find_all("a")] == [
            "/authors/titi-keita/",
            "/authors/ada-one/",
            "/authors/ben-two/",
        ]
        notes = page.find("ul", "author-notes").find_all("li")
        assert [note.text for note in notes] == ["Titi KEITA", "Ada <One>", "Ben Two"]


def test_article_page_social_tags_escape_what_the_desk_typed(client, opinion):
    opinion.tags.add('Quotes "and" <tags>')
    page = parse(client.get("/ideas/why-we/").text)
    meta = {
        element.attrs.get("property") or element.attrs.get("name"): element.attrs["content"]
        for element in page.find_all("meta")
        if "content" in element.attrs
    }
    assert meta["og:title"] == meta["twitter:title"] == HEADLINE
    assert meta["og:description"] == meta["twitter:description"] == "A <b>standfirst</b>"
    assert meta["og:url"].endswith("/ideas/why-we/")
    assert meta["article:published_time"] == "2026-03-04T09:30:00+00:00"
    assert meta["article:section"] == "Ideas & <Debate>"
    assert meta["article:tag"] == 'Quotes "and" <tags>'
    assert meta["twitter:card"] == "summary"
    assert not page.find_all("script", type=None)


def test_search_card_keeps_the_searchs_marks_and_escapes_the_rest(client):
    found = make_article(
        headline="Zanzibar <votes> & counts",
        standfirst="Zanzibar goes to the polls.",
        body="<p>On the island of Zanzibar, lines formed early.</p>",
        authors=[make_author(name="Awa Diallo", slug="awa-diallo")],
    )
    refresh_search_vector(found)  # as the desk's save does
    page = parse(client.get("/search/", {"q": "zanzibar"}).text)
    card = page.find("article", "card")
    headline = card.find(cls="card-headline")
    assert headline.text == "Zanzibar <votes> & counts"
    assert [mark.text for mark in headline.find_all("mark")] == ["Zanzibar"]
    assert card.find("p", "standfirst").find("mark").text == "Zanzibar"
    assert "Zanzibar" in card.find("p", "search-snippet").text
    assert card.find("span", "byline").text == "By Awa Diallo"
    assert not page.find_all("votes")
