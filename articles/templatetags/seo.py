"""What pages tell search engines and link previews: canonical URLs, Open Graph, JSON-LD."""

from django import template
from django.utils.encoding import escape_uri_path
from django.utils.translation import to_locale

from ..structured_data import absolute_url, json_ld_script

register = template.Library()

# Open Graph wants language_TERRITORY; these are the territories our editions write for.
OG_LOCALES = {"en": "en_US", "fr": "fr_FR"}


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's one address on the configured site; a listing keeps its page past the first."""
    request = context.get("request")
    if request is None:
        return ""
    url = absolute_url(escape_uri_path(request.path))
    page_obj = context.get("page_obj")
    if page_obj is not None and page_obj.number > 1:
        url += f"?page={page_obj.number}"
    return url


@register.filter
def absolute(url):
    return absolute_url(url)


@register.filter
def json_ld(data):
    return json_ld_script(data)


@register.filter
def og_locale(language_code):
    return OG_LOCALES.get(language_code) or to_locale(language_code or "en")
