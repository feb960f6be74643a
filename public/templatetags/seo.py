"""What pages tell search engines and link previews: canonical URLs, Open Graph, JSON-LD."""

from django import template
from django.utils.encoding import escape_uri_path
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timezone import template_localtime
from django.utils.translation import to_locale

from public.structured_data import absolute_url, json_ld_script
from public.templatetags.stories import escape

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


@register.simple_tag(takes_context=True)
def article_social_meta(context, article, bylines, tags):
    """Open Graph and Twitter card tags of an article page, for link previews.

    Written out here like the JSON-LD beside it: two dozen tags drawn by the template engine
    were a tenth of the article page's rendering."""
    picture = article.hero_picture
    description = escape(Truncator(article.description).chars(300))
    title = escape(article.page_title)
    lines = [
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{title}">',
        f'<meta property="og:description" content="{description}">',
        f'<meta property="og:url" content="{escape(absolute_url(article.get_absolute_url()))}">',
        f'<meta property="og:site_name" content="{escape(context.get("site_name", ""))}">',
        f'<meta property="og:locale" content="{escape(og_locale(article.language))}">',
    ]
    if picture:
        lines += [
            f'<meta property="og:image" content="{escape(absolute_url(picture["src"]))}">',
            f'<meta property="og:image:width" content="{escape(picture["width"])}">',
            f'<meta property="og:image:height" content="{escape(picture["height"])}">',
            f'<meta property="og:image:alt" content="{escape(article.hero_image_alt)}">',
        ]
    published = template_localtime(article.published_at).isoformat()
    modified = template_localtime(article.modified_at).isoformat()
    lines += [
        f'<meta property="article:published_time" content="{published}">',
        f'<meta property="article:modified_time" content="{modified}">',
        *(
            '<meta property="article:author" '
            f'content="{escape(absolute_url(line.author.get_absolute_url()))}">'
            for line in bylines
        ),
        f'<meta property="article:section" content="{escape(article.section.name)}">',
        *(f'<meta property="article:tag" content="{escape(tag.name)}">' for tag in tags),
        f'<meta name="twitter:card" content="{"summary_large_image" if picture else "summary"}">',
        f'<meta name="twitter:title" content="{title}">',
        f'<meta name="twitter:description" content="{description}">',
    ]
    if picture:
        lines += [
            f'<meta name="twitter:image" content="{escape(absolute_url(picture["src"]))}">',
            f'<meta name="twitter:image:alt" content="{escape(article.hero_image_alt)}">',
        ]
    return mark_safe("\n  ".join(lines) + "\n  \n")
