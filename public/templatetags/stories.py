"""Data the story templates ask for (templates/includes/): URLs and labels, never markup.

The markup of cards, kickers, bylines, story links and the menu is in those templates, so a
theme can replace any of them (README, "Theming").
"""

from django import template

from articles.public_urls import public_url as cached_public_url

register = template.Library()


@register.simple_tag(name="public_url")
def public_url(name, **kwargs):
    """`{% url %}` for the public site's own links, reversed once per process
    (articles.public_urls): the menu, footer and tag list of every page ask for the same few."""
    return cached_public_url(name, **kwargs)


@register.filter
def kicker_label(article):
    """The genre label a kicker shows beside the section link: none for plain news, and none
    when it would say the section's name again (an opinion piece in "Opinion" is labelled once,
    not "OPINION OPINION")."""
    label = article.genre_label
    if label and label.strip().casefold() == article.section.name.strip().casefold():
        return ""
    return label
