"""What pages tell search engines and link previews: canonical URLs, absolute URLs, Open Graph
locales and JSON-LD as data. The tags themselves are in templates (includes/social_meta.html,
includes/article_social_meta.html, includes/structured_data.html)."""

from django import template
from django.utils.encoding import escape_uri_path
from django.utils.safestring import mark_safe
from django.utils.translation import to_locale

from public.structured_data import absolute_url, json_for_script

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
    # A list view says which page it shows without fetching it (public.views.PublishedListView).
    number = context.get("page_number")
    if number is None and context.get("page_obj") is not None:
        number = context["page_obj"].number
    if number and number > 1:
        url += f"?page={number}"
    return url


@register.filter
def absolute(url):
    return absolute_url(url)


@register.filter
def json_ld(data):
    """`data` as JSON to put between `<script type="application/ld+json">` and `</script>`.

    Safe there because json_for_script() escapes `<`, `>` and `&`: no value can close the
    element or open a comment, which HTML escaping would not prevent inside a script."""
    return mark_safe(json_for_script(data))


@register.filter
def og_locale(language_code):
    return OG_LOCALES.get(language_code) or to_locale(language_code or "en")
