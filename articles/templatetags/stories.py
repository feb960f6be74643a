"""The pieces every list repeats (cards, story links, kickers, bylines), drawn in Python.

A list page draws twenty cards, an article page a dozen story links; as `{% include %}`s they
cost about as much as the rest of the page. These tags write the same markup (the tests pin
it) and escape every value as the templates did.
"""

from django import template
from django.utils.dates import MONTHS
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

register = template.Library()


def dates(moment):
    """The `<time>` element of a card or link: an ISO datetime, and the day for readers.

    The same as `|date:"c"` and `|date:"j F Y"`, written out: a list page draws forty of these,
    and the date filter's format machinery was a tenth of its rendering."""
    local = template_localtime(moment)
    return format_html(
        '<time datetime="{}">{} {} {}</time>',
        local.isoformat(),
        local.day,
        MONTHS[local.month],
        f"{local.year:04d}",
    )


@register.simple_tag
def kicker(article):
    """Genre label (none for plain news) and section link, above a headline."""
    section = article.section
    label = article.genre_label
    genre = (
        format_html('<span class="genre-label genre-{}">{}</span>', article.genre, label)
        if label
        else ""
    )
    return format_html(
        '<p class="kicker">{}\n<a class="section-link" href="{}">{}</a></p>',
        genre,
        section.get_absolute_url(),
        section.name,
    )


@register.simple_tag
def byline(bylines):
    """ "By A, B and C", each name linking to its author page; nothing without bylines.

    Ends with a newline, as the include it replaced did, so pages keep their exact markup."""
    bylines = list(bylines)
    if not bylines:
        return "\n"
    names = [
        format_html(
            '<a href="{}" rel="author">{}</a>', line.author.get_absolute_url(), line.author.name
        )
        for line in bylines
    ]
    if len(names) > 1:
        joined = ", ".join(names[:-1]) + f" {conditional_escape(gettext('and'))} " + names[-1]
    else:
        joined = names[0]
    return mark_safe(f'<span class="byline">{conditional_escape(gettext("By"))} {joined}</span>\n')


@register.simple_tag
def story_link(article):
    """A headline in a read-next list: kicker, link and date."""
    return format_html(
        '<li class="story-link">\n  {}\n'
        '  <a class="story-link-headline" href="{}">{}</a>\n  {}\n</li>\n',
        kicker(article),
        article.get_absolute_url(),
        article.headline,
        dates(article.published_at),
    )


@register.simple_tag
def article_card(article, *, is_lead=False, heading_level=None):
    """A card in a list: kicker, headline, standfirst, byline and date."""
    level = heading_level or "3"
    lead = " card-lead" if is_lead else ""
    standfirst = (
        format_html('<p class="standfirst">{}</p>', article.standfirst)
        if article.standfirst
        else ""
    )
    return format_html(
        '<article class="card{}">\n  {}\n'
        '  <h{} class="card-headline{}"><a href="{}">{}</a></h{}>\n'
        "  {}\n"
        '  <p class="meta">{} {}</p>\n</article>\n',
        lead,
        kicker(article),
        level,
        " card-headline-lead" if is_lead else "",
        article.get_absolute_url(),
        article.headline,
        level,
        standfirst,
        byline(article.bylines.all()),
        dates(article.published_at),
    )
