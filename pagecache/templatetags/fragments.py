"""Template fragments rendered once per version of what they show (pagecache.fragments).

`{% versions_key "sections" "article:12" as key %}` gives a key for Django's `{% cache %}`.

`{% cards articles "list" heading_level %}…{% endcards %}` caches the cards of a list of articles
(or of one article): the key names every article shown, their sections and authors at their
current versions, and the next scheduled publication, so an edit, a rename or a go-live refreshes
the list at once while the other lists stay cached. Unlike `{% cache %}`, a cache that is down
means the fragment is rendered as if caching were off, never an error page.
"""

import hashlib
import logging
import secrets

from django import template
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

from pagecache.fragments import fragment_version, names_shown_by
from pagecache.middleware import cache_unavailable

register = template.Library()
logger = logging.getLogger(__name__)

FRAGMENT_KEY = "newsroom:fragment:{digest}"


@register.simple_tag
def versions_key(*names):
    try:
        return fragment_version(names)
    except Exception as exc:  # noqa: BLE001 (a cache outage must not take the page down)
        logger.warning("fragment versions unavailable (%s: %s)", type(exc).__name__, exc)
        # A key no fragment was stored under: the fragment is rendered afresh.
        return f"unversioned-{secrets.token_hex(8)}"


class CardsNode(template.Node):
    def __init__(self, nodelist, articles, vary_on):
        self.nodelist = nodelist
        self.articles = articles
        self.vary_on = vary_on

    def render(self, context):
        seconds = settings.NEWSROOM_FRAGMENT_CACHE_SECONDS
        shown = self.articles.resolve(context)
        # One article (a lead story) or a list of them.
        articles = [shown] if hasattr(shown, "pk") else list(shown or ())
        if not seconds or not articles:
            return self.nodelist.render(context)
        try:
            key = self.key(context, articles)
            found = cache.get(key)
        except Exception as exc:  # noqa: BLE001 (the cache is a help, never a dependency)
            cache_unavailable("cards rendered uncached", exc)
            return self.nodelist.render(context)
        if found is not None:
            return found
        rendered = self.nodelist.render(context)
        try:
            cache.set(key, rendered, seconds)
        except Exception as exc:  # noqa: BLE001
            cache_unavailable("cards not cached", exc)
        return rendered

    def key(self, context, articles):
        parts = [
            # Another theme (a template folder searched first) draws other markup.
            *(str(folder) for folder in context.template.engine.dirs),
            get_language() or "",
            *(str(value.resolve(context)) for value in self.vary_on),
            ",".join(str(article.pk) for article in articles),
            fragment_version(names_shown_by(articles)),
        ]
        digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
        return FRAGMENT_KEY.format(digest=digest)


@register.tag
def cards(parser, token):
    """`{% cards articles [vary_on …] %}…{% endcards %}`: see the module's docstring."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"'{bits[0]}' takes a list of articles")
    nodelist = parser.parse(("endcards",))
    parser.delete_first_token()
    return CardsNode(
        nodelist,
        parser.compile_filter(bits[1]),
        [parser.compile_filter(bit) for bit in bits[2:]],
    )
