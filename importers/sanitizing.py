"""The project's sanitizer (articles.sanitize), counting what it takes out of imported bodies,
so the report says how many scripts, iframes, styles and other tags an import dropped."""

from collections import Counter
from html.parser import HTMLParser

from articles.sanitize import sanitize_html


class TagCounter(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = Counter()
        self.attributes = Counter()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        for name, _value in attrs:
            # Event handlers (onclick, onerror...) counted together: which one matters little.
            self.attributes["on*" if name.startswith("on") else name] += 1

    handle_startendtag = handle_starttag


def counted(html):
    parser = TagCounter()
    parser.feed(html)
    parser.close()
    return parser


def sanitize_counting(html, dropped):
    """`html` sanitized; what the sanitizer removed is added to the Counter `dropped`, as
    "<tag>" for elements and "attribute" names (e.g. "style", "on*")."""
    clean = sanitize_html(html)
    if not html or html == clean:
        return clean
    before, after = counted(html), counted(clean)
    for tag, n in (before.tags - after.tags).items():
        dropped[f"<{tag}>"] += n
    # The sanitizer adds rel="noopener noreferrer" to links: only what went is counted.
    for name, n in (before.attributes - after.attributes).items():
        dropped[name] += n
    return clean
