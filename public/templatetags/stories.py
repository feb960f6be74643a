"""The pieces every page repeats (cards, story links, kickers, bylines, the menu, an article's
author notes, tags and "more from" lists), drawn in Python.

A list page draws twenty cards, an article page a dozen story links; as `{% include %}`s they
cost about as much as the rest of the page. These tags write the same markup (the tests pin
it) and escape every value as the templates did.
"""

import functools
from html import escape as _escape
from typing import NamedTuple

from django import template
from django.utils import translation
from django.utils.dates import MONTHS
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime

from articles.models import Article
from articles.public_urls import public_url as cached_public_url

register = template.Library()


@register.simple_tag(name="public_url")
def public_url(name, **kwargs):
    """`{% url %}` for the public site's own links, reversed once per process
    (articles.public_urls): the menu, footer and tag list of every page ask for the same few."""
    return cached_public_url(name, **kwargs)


def escape(value):
    """Django's escaping (the same five characters, the same entities), without its lazy-string
    and safe-string checks: these tags escape plain text they built or read from models, and
    an article page escapes a few hundred values."""
    return value if isinstance(value, SafeString) else _escape(str(value))


class Words(NamedTuple):
    """What the story markup says in one language, escaped for HTML."""

    genres: dict  # genre value -> label, for the genres that carry one
    months: tuple  # month number -> name
    by: str
    and_: str


@functools.cache
def words_in(language):
    # Translated once per language and process: every card or link used to look up its genre
    # label and month name again, a twentieth of an article page's time.
    with translation.override(language):
        return Words(
            # The model's own rule says which genres carry a label (plain news does not).
            genres={
                value: escape(label)
                for value in Article.Genre.values
                if (label := Article(genre=value).genre_label)
            },
            months=("", *(escape(MONTHS[number]) for number in range(1, 13))),
            by=escape(translation.gettext("By")),
            and_=escape(translation.gettext("and")),
        )


def words():
    return words_in(translation.get_language())


def dates(moment, said=None, *, minutes=False):
    """The `<time>` element of a card or link: an ISO datetime, and the day for readers (with
    the time of day when `minutes`).

    The same as `|date:"c"` and `|date:"j F Y"` (or `"j F Y, H:i"`), written out: a list page
    draws forty of these, and the date filter's format machinery was a tenth of its rendering."""
    local = template_localtime(moment)
    month = (said or words()).months[local.month]
    time_of_day = f", {local.hour:02d}:{local.minute:02d}" if minutes else ""
    return (
        f'<time datetime="{local.isoformat()}">'
        f"{local.day} {month} {local.year:04d}{time_of_day}</time>"
    )


@register.simple_tag
def time_element(moment, minutes=False):
    """`{% time_element article.published_at minutes=True %}`: `dates()` in a template."""
    return mark_safe(dates(moment, minutes=minutes)) if moment else ""


@register.simple_tag
def kicker(article, said=None):
    """Genre label (none for plain news) and section link, above a headline."""
    section = article.section
    label = (said or words()).genres.get(article.genre)
    genre = (
        f'<span class="genre-label genre-{escape(article.genre)}">{label}</span>' if label else ""
    )
    return mark_safe(
        f'<p class="kicker">{genre}\n<a class="section-link" '
        f'href="{escape(section.get_absolute_url())}">{escape(section.name)}</a></p>'
    )


@register.simple_tag
def byline(bylines, said=None):
    """ "By A, B and C", each name linking to its author page; nothing without bylines.

    Ends with a newline, as the include it replaced did, so pages keep their exact markup."""
    bylines = list(bylines)
    if not bylines:
        return "\n"
    said = said or words()
    names = [
        f'<a href="{escape(line.author.get_absolute_url())}" rel="author">'
        f"{escape(line.author.name)}</a>"
        for line in bylines
    ]
    joined = names[-1]
    if len(names) > 1:
        joined = ", ".join(names[:-1]) + f" {said.and_} " + joined
    return mark_safe(f'<span class="byline">{said.by} {joined}</span>\n')


@register.simple_tag
def story_link(article):
    """A headline in a read-next list: kicker, link and date."""
    said = words()
    return mark_safe(
        f'<li class="story-link">\n  {kicker(article, said)}\n'
        f'  <a class="story-link-headline" href="{escape(article.get_absolute_url())}">'
        f"{escape(article.headline)}</a>\n  {dates(article.published_at, said)}\n</li>\n"
    )


def card(article, headline, paragraphs, *, is_lead=False, level="3"):
    """A card's markup: kicker, `headline` (HTML) linking to the article, `paragraphs` (HTML,
    one line each, empty ones kept as blank lines), byline and date."""
    said = words()
    lead = " card-lead" if is_lead else ""
    body = "".join(f"  {paragraph}\n" for paragraph in paragraphs)
    return mark_safe(
        f'<article class="card{lead}">\n  {kicker(article, said)}\n'
        f'  <h{level} class="card-headline{" card-headline-lead" if is_lead else ""}">'
        f'<a href="{escape(article.get_absolute_url())}">{headline}</a></h{level}>\n'
        f"{body}"
        f'  <p class="meta">{byline(article.bylines.all(), said)} '
        f"{dates(article.published_at, said)}</p>\n</article>\n"
    )


@register.simple_tag
def article_card(article, *, is_lead=False, heading_level=None):
    """A card in a list: kicker, headline, standfirst, byline and date."""
    standfirst = (
        f'<p class="standfirst">{escape(article.standfirst)}</p>' if article.standfirst else ""
    )
    return card(
        article,
        escape(article.headline),
        [standfirst],
        is_lead=is_lead,
        level=escape(heading_level or "3"),
    )


@register.simple_tag
def search_card(result):
    """A search result: an article card with its headline, standfirst and snippet as the
    search marked them (safe HTML, search.query.Result)."""
    standfirst = f'<p class="standfirst">{result.standfirst}</p>' if result.standfirst else ""
    snippet = f'<p class="search-snippet">{result.snippet}</p>' if result.snippet else ""
    return card(result.article, escape(result.headline), [standfirst, snippet])


CURRENT_PAGE = ' aria-current="page"'


@register.simple_tag
def section_links(sections, current_slug=""):
    """The menu's items; the section the page belongs to is marked as the current one."""
    return mark_safe(
        "\n".join(
            f'          <li><a href="{escape(section.get_absolute_url())}"'
            f"{CURRENT_PAGE if section.slug == current_slug else ''}>"
            f"{escape(section.name)}</a></li>"
            for section in sections
        )
    )


@register.simple_tag
def author_notes(bylines):
    """Under an article: each author, linked, with their role."""
    return mark_safe(
        "\n".join(
            f'      <li><a href="{escape(line.author.get_absolute_url())}">'
            f"{escape(line.author.name)}</a>"
            f"{f', {escape(line.author.role)}' if line.author.role else ''}</li>"
            for line in bylines
        )
    )


@register.simple_tag
def tag_links(tags):
    return mark_safe(
        "".join(
            f'<li><a href="{escape(cached_public_url("articles:tag", slug=tag.slug))}" '
            f'rel="tag">{escape(tag.name)}</a></li>'
            for tag in tags
        )
    )


@register.simple_tag
def reading_time(article):
    minutes = article.reading_minutes
    return translation.ngettext("%(minutes)s min read", "%(minutes)s min read", minutes) % {
        "minutes": minutes
    }


@register.simple_tag
def more_from(author, pieces):
    """An author's other latest pieces under an article, with a link to all of them. As
    `{% blocktranslate %}` does, the name is escaped and the translation is not."""
    slug = escape(author.slug)
    name = {"name": escape(author.name)}
    heading = translation.gettext("More from %(name)s") % name
    everything = translation.gettext("All articles by %(name)s") % name
    links = "".join(story_link(piece) for piece in pieces)
    return mark_safe(
        f'<aside class="read-next more-from" aria-labelledby="more-from-{slug}">\n'
        f'  <h2 id="more-from-{slug}" class="list-heading">{heading}</h2>\n'
        f'  <ul class="story-list">\n    {links}\n  </ul>\n'
        f'  <p class="all-by-author"><a href="{escape(author.get_absolute_url())}">'
        f"{everything}</a></p>\n</aside>\n"
    )
