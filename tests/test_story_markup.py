"""The markup of cards, story links, kickers and bylines (public/templatetags/stories.py),
pinned character for character: they replaced `{% include %}`s and must draw what those drew."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import translation

from articles.models import Article

from .factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db

PUBLISHED = datetime(2026, 3, 4, 9, 30, tzinfo=UTC)


def render(source, language="en", **context):
    # An earlier test's request may have left another language active in this thread.
    with translation.override(language):
        return Template("{% load stories %}" + source).render(Context(context))


@pytest.fixture
def opinion(settings):
    settings.TIME_ZONE = "UTC"
    section = make_section(name="Ideas & <Debate>", slug="ideas")
    return make_article(
        headline='Why "we" <script>alert(1)</script> & others',
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


KICKER = (
    '<p class="kicker"><span class="genre-label genre-opinion">Opinion</span>\n'
    '<a class="section-link" href="/ideas/">Ideas &amp; &lt;Debate&gt;</a></p>'
)
HEADLINE = "Why &quot;we&quot; &lt;script&gt;alert(1)&lt;/script&gt; &amp; others"
BYLINE = (
    '<span class="byline">By <a href="/authors/titi-keita/" rel="author">Titi KEITA</a>, '
    '<a href="/authors/ada-one/" rel="author">Ada &lt;One&gt;</a> and '
    '<a href="/authors/ben-two/" rel="author">Ben Two</a></span>\n'
)
TIME = '<time datetime="2026-03-04T09:30:00+00:00">4 March 2026</time>'


def test_story_link_markup(opinion):
    assert render("{% story_link article %}", article=opinion) == (
        f'<li class="story-link">\n  {KICKER}\n'
        f'  <a class="story-link-headline" href="/ideas/why-we/">{HEADLINE}</a>\n'
        f"  {TIME}\n</li>\n"
    )


def test_card_markup_lead_and_plain(opinion):
    body = (
        '<h{level} class="card-headline{lead_h}"><a href="/ideas/why-we/">'
        f"{HEADLINE}</a></h{{level}}>\n"
        '  <p class="standfirst">A &lt;b&gt;standfirst&lt;/b&gt;</p>\n'
        f'  <p class="meta">{BYLINE} {TIME}</p>\n</article>\n'
    )
    assert render("{% article_card article %}", article=opinion) == (
        f'<article class="card">\n  {KICKER}\n  ' + body.format(level=3, lead_h="")
    )
    assert render("{% article_card article is_lead=True heading_level=2 %}", article=opinion) == (
        f'<article class="card card-lead">\n  {KICKER}\n  '
        + body.format(level=2, lead_h=" card-headline-lead")
    )


def test_news_has_no_genre_label_and_no_standfirst_paragraph_when_empty(opinion):
    opinion.genre, opinion.standfirst = Article.Genre.NEWS, ""
    html = render("{% article_card article %}", article=opinion)
    assert '<p class="kicker">\n<a class="section-link"' in html
    assert "genre-label" not in html and "standfirst" not in html


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ([], "\n"),
        (["Ada"], '<span class="byline">By <a href="/authors/a0/" rel="author">Ada</a></span>\n'),
        (
            ["Ada", "Ben"],
            '<span class="byline">By <a href="/authors/a0/" rel="author">Ada</a> and '
            '<a href="/authors/a1/" rel="author">Ben</a></span>\n',
        ),
    ],
)
def test_byline_joins_names(names, expected):
    authors = [make_author(name=name, slug=f"a{n}") for n, name in enumerate(names)]
    article = make_article(authors=authors)
    assert render("{% byline article.bylines.all %}", article=article) == expected


def test_byline_and_kicker_in_french(opinion):
    html = render("{% byline article.bylines.all %}{% kicker article %}", "fr", article=opinion)
    assert html.startswith('<span class="byline">Par <a href="/authors/titi-keita/"')
    assert "</a> et <a" in html and ">Opinion</span>" in html


def test_time_element_is_the_date_filters_markup_in_the_sites_zone_and_language(settings):
    settings.TIME_ZONE = "Europe/Paris"
    moment = datetime(2026, 11, 3, 7, 5, tzinfo=UTC)
    source = (
        "{% time_element moment %}|{% time_element moment minutes=True %}|{% time_element none %}"
    )
    django = (
        '<time datetime="{{ m|date:\'c\' }}">{{ m|date:"j F Y" }}</time>|'
        '<time datetime="{{ m|date:\'c\' }}">{{ m|date:"j F Y, H:i" }}</time>|'
    )
    for language in ["en", "fr", "en"]:
        drawn = render(source, language, moment=moment, none=None)
        with translation.override(language):
            expected = Template(django).render(Context({"m": moment}))
        assert drawn == expected
    assert render(source, "fr", moment=moment, none=None).startswith(
        '<time datetime="2026-11-03T08:05:00+01:00">3 novembre 2026</time>|'
        '<time datetime="2026-11-03T08:05:00+01:00">3 novembre 2026, 08:05</time>|'
    )


def test_section_links_mark_the_current_section_and_escape_names():
    sections = [make_section(name="News & <Views>", slug="news"), make_section(slug="ideas")]
    drawn = render("{% section_links sections 'news' %}", sections=sections)
    assert drawn == (
        '          <li><a href="/news/" aria-current="page">News &amp; &lt;Views&gt;</a></li>\n'
        f'          <li><a href="/ideas/">{sections[1].name}</a></li>'
    )
    assert "aria-current" not in render("{% section_links sections missing %}", sections=sections)


def test_author_notes_link_each_author_with_their_role(opinion):
    author = opinion.bylines.all()[1].author
    author.role = "Editor <at large>"
    author.save()
    drawn = render("{% author_notes bylines %}", bylines=opinion.bylines.all()[:2])
    assert drawn == (
        '      <li><a href="/authors/titi-keita/">Titi KEITA</a></li>\n'
        '      <li><a href="/authors/ada-one/">Ada &lt;One&gt;</a>, Editor &lt;at large&gt;</li>'
    )


def test_tag_links_escape_names(opinion):
    opinion.tags.add("Mali & <Sahel>", "Elections")
    tags = sorted(opinion.tags.all(), key=lambda tag: tag.name)
    assert render("{% tag_links tags %}", tags=tags) == (
        '<li><a href="/tags/elections/" rel="tag">Elections</a></li>'
        '<li><a href="/tags/mali-sahel/" rel="tag">Mali &amp; &lt;Sahel&gt;</a></li>'
    )


def test_reading_time_in_english_and_french(opinion):
    opinion.body = "<p>" + "word " * 700 + "</p>"
    assert render("{% reading_time article %}", article=opinion) == "4 min read"
    assert render("{% reading_time article %}", "fr", article=opinion) == "4 min de lecture"


def test_more_from_an_author_markup(opinion):
    author = opinion.bylines.all()[1].author
    drawn = render("{% more_from author pieces %}", author=author, pieces=[opinion])
    link = render("{% story_link article %}", article=opinion)
    assert drawn == (
        '<aside class="read-next more-from" aria-labelledby="more-from-ada-one">\n'
        '  <h2 id="more-from-ada-one" class="list-heading">More from Ada &lt;One&gt;</h2>\n'
        f'  <ul class="story-list">\n    {link}\n  </ul>\n'
        '  <p class="all-by-author"><a href="/authors/ada-one/">'
        "All articles by Ada &lt;One&gt;</a></p>\n</aside>\n"
    )
    french = render("{% more_from author pieces %}", "fr", author=author, pieces=[opinion])
    # The translation is the catalogue's, typographic apostrophe and all; only the name is escaped.
    assert ">Plus d’articles de Ada &lt;One&gt;</h2>" in french
    assert ">Tous les articles de Ada &lt;One&gt;</a>" in french
