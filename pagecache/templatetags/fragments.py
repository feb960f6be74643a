"""Template fragments rendered once per version of what they show (pagecache.fragments).

`{% versions_key "sections" "article:12" as key %}` gives a key for Django's `{% cache %}`.

`{% cards articles "list" heading_level %}…{% endcards %}` caches the cards of a list of articles
(or of one article): the key names every article shown, their sections and authors at their
current versions, and the next scheduled publication, so an edit, a rename or a go-live refreshes
the list at once while the other lists stay cached.

`{% fragment "name" shows [vary_on …] %}…{% endfragment %}` caches a block whose view already
knows what it shows (`shows`: version names such as the section's list, or an article page's
`cache_versions`), so that on a hit the block's data is never fetched: the views hand it over as
lazy querysets and lists that only a miss evaluates. Without names (a preview) the block is
always rendered, never stored. `… also "other" "names" %}` fetches, in the same round trip, the
fragments of the same page with those names that show the same things and vary the same way
(an article's head and its story): they find themselves already fetched when drawn.

Unlike `{% cache %}`, a cache that is down means the fragment is rendered as if caching were off,
never an error page.
"""

import hashlib
import logging
import secrets

from django import template
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

from pagecache.fragments import fragment_version, names_shown_by, request_versions
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


class CachedFragmentNode(template.Node):
    """A block rendered once per key (`key_parts`), or afresh whenever the cache fails."""

    def __init__(self, nodelist, vary_on):
        self.nodelist = nodelist
        self.vary_on = vary_on

    def key_parts(self, context):
        """What the key names besides the theme, the language and `vary_on`, or None for a
        block that must not be cached."""
        raise NotImplementedError

    def render(self, context):
        if not settings.NEWSROOM_FRAGMENT_CACHE_SECONDS:
            return self.nodelist.render(context)
        try:
            key = self.key(context)
            found = None if key is None else self.fetch(context, key)
        except Exception as exc:  # noqa: BLE001 (the cache is a help, never a dependency)
            cache_unavailable("fragment rendered uncached", exc)
            return self.nodelist.render(context)
        if found is not None:
            return found
        rendered = self.nodelist.render(context)
        if key is not None:
            try:
                cache.set(key, rendered, settings.NEWSROOM_FRAGMENT_CACHE_SECONDS)
            except Exception as exc:  # noqa: BLE001
                cache_unavailable("fragment not cached", exc)
        return rendered

    def fetch(self, context, key):
        return cache.get(key)

    def key(self, context):
        return self.key_of(context, self.key_parts(context))

    def key_of(self, context, parts):
        if parts is None:
            return None
        parts = [
            # Another theme (a template folder searched first) draws other markup.
            *(str(folder) for folder in context.template.engine.dirs),
            get_language() or "",
            *(str(value.resolve(context)) for value in self.vary_on),
            *parts,
        ]
        digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
        return FRAGMENT_KEY.format(digest=digest)


class FragmentNode(CachedFragmentNode):
    def __init__(self, nodelist, name, shows, vary_on, also=()):
        super().__init__(nodelist, vary_on)
        self.name = name
        self.shows = shows
        self.also = also

    def key_parts(self, context, name=None):
        names = self.shows.resolve(context)
        if not names:
            return None
        name = self.name.resolve(context) if name is None else name
        return ["block", str(name), self.version(context, names)]

    def fetch(self, context, key):
        request = context.get("request")
        if request is None:
            return cache.get(key)
        fetched = request.__dict__.setdefault("newsroom_fragments", {})
        if key in fetched:
            return fetched.pop(key)
        others = [
            self.key_of(context, self.key_parts(context, other.resolve(context)))
            for other in self.also
        ]
        found = cache.get_many([key, *others])
        fetched.update((other, found.get(other)) for other in others)
        return found.get(key)

    @staticmethod
    def version(context, names):
        return fragment_version(names, known=request_versions(context.get("request")))


class CardsNode(CachedFragmentNode):
    def __init__(self, nodelist, articles, vary_on):
        super().__init__(nodelist, vary_on)
        self.articles = articles

    def key_parts(self, context):
        shown = self.articles.resolve(context)
        # One article (a lead story) or a list of them.
        articles = [shown] if hasattr(shown, "pk") else list(shown or ())
        if not articles:
            return None
        return [
            ",".join(str(article.pk) for article in articles),
            fragment_version(
                names_shown_by(articles), known=request_versions(context.get("request"))
            ),
        ]


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


@register.tag
def fragment(parser, token):
    """`{% fragment "name" shows [vary_on …] [also "name" …] %}…{% endfragment %}`: see the
    module's docstring."""
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(
            f"'{bits[0]}' takes a name and the version names the block shows"
        )
    vary_on, also = bits[3:], []
    if "also" in vary_on:
        at = vary_on.index("also")
        vary_on, also = vary_on[:at], vary_on[at + 1 :]
        if not also:
            raise template.TemplateSyntaxError(f"'{bits[0]}': 'also' takes fragment names")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(
        nodelist,
        parser.compile_filter(bits[1]),
        parser.compile_filter(bits[2]),
        [parser.compile_filter(bit) for bit in vary_on],
        [parser.compile_filter(bit) for bit in also],
    )
