"""The pieces every list repeats (cards, story links, kickers, bylines), drawn in Python.

A list page draws twenty cards, an article page a dozen story links; as `{% include %}`s they
cost about as much as the rest of the page. These tags write the same markup (the tests pin
it) and escape every value as the templates did.
"""

from html import escape as _escape

from django import template
from django.utils.dates import MONTHS
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from ..public_urls import public_url as cached_public_url

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


def dates(moment):
    """The `<time>` element of a card or link: an ISO datetime, and the day for readers.

    The same as `|date:"c"` and `|date:"j F Y"`, written out: a list page draws forty of these,
    and the date filter's format machinery was a tenth of its rendering."""
    local = template_localtime(moment)
    return (
        f'<time datetime="{local.isoformat()}">'
        f"{local.day} {escape(MONTHS[local.month])} {local.year:04d}</time>"
    )


@register.simple_tag
def kicker(article):
    """Genre label (none for plain news) and section link, above a headline."""
    section = article.section
    label = article.genre_label
    genre = (
        f'<span class="genre-label genre-{escape(article.genre)}">{escape(label)}</span>'
        if label
        else ""
    )
    return mark_safe(
        f'<p class="kicker">{genre}\n<a class="section-link" '
        f'href="{escape(section.get_absolute_url())}">{escape(section.name)}</a></p>'
    )


@register.simple_tag
def byline(bylines):
    """ "By A, B and C", each name linking to its author page; nothing without bylines.

    Ends with a newline, as the include it replaced did, so pages keep their exact markup."""
    bylines = list(bylines)
    if not bylines:
        return "\n"
    names = [
        f'<a href="{escape(line.author.get_absolute_url())}" rel="author">'
        f"{escape(line.author.name)}</a>"
        for line in bylines
    ]
    if len(names) > 1:
        joined = ", ".join(names[:-1]) + f" {escape(gettext('and'))} " + names[-1]
    else:
        joined = names[0]
    return mark_safe(f'<span class="byline">{escape(gettext("By"))} {joined}</span>\n')


@register.simple_tag
def story_link(article):
    """A headline in a read-next list: kicker, link and date."""
    return mark_safe(
        f'<li class="story-link">\n  {kicker(article)}\n'
        f'  <a class="story-link-headline" href="{escape(article.get_absolute_url())}">'
        f"{escape(article.headline)}</a>\n  {dates(article.published_at)}\n</li>\n"
    )


@register.simple_tag
def article_card(article, *, is_lead=False, heading_level=None):
    """A card in a list: kicker, headline, standfirst, byline and date."""
    level = escape(heading_level or "3")
    lead = " card-lead" if is_lead else ""
    standfirst = (
        f'<p class="standfirst">{escape(article.standfirst)}</p>' if article.standfirst else ""
    )
    return mark_safe(
        f'<article class="card{lead}">\n  {kicker(article)}\n'
        f'  <h{level} class="card-headline{" card-headline-lead" if is_lead else ""}">'
        f'<a href="{escape(article.get_absolute_url())}">{escape(article.headline)}</a>'
        f"</h{level}>\n"
        f"  {standfirst}\n"
        f'  <p class="meta">{byline(article.bylines.all())} {dates(article.published_at)}</p>'
        "\n</article>\n"
    )
