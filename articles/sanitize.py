"""The HTML allowlist for article bodies: what opinion and news writing uses, nothing else.

Whatever arrives (Word or Google Docs paste, a web page, a crafted POST, an import) is cut down
to these tags and attributes before it is stored, so templates can trust the stored body.
"""

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "strong",
    "b",
    "em",
    "i",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
# The contents of these go with them; other unknown tags are unwrapped and their text kept.
DROPPED_WITH_CONTENT = {
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "template",
    "noscript",
    "svg",
    "math",
    "head",
    "title",
    "xml",
    "meta",
    "link",
}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    # Readers leave for other sites without handing them our page or window.
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def sanitize_html(html):
    """Return `html` cut down to the allowlist; an editor's empty paragraph becomes ''."""
    if not html:
        return ""
    cleaned = _cleaner.clean(html).strip()
    return "" if cleaned in {"<p></p>", "<p><br></p>"} else cleaned


# The editor offers exactly what the allowlist keeps, so nothing typed is lost on save.
EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Heading": {"levels": [2, 3]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": sorted(URL_SCHEMES)},
    "History": True,
}
