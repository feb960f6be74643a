"""A Ghost post's body as HTML, from the editor's own document when the export has no HTML.

Ghost keeps what its editor wrote as JSON: mobiledoc (Ghost 1.x to 4.x) or lexical (5.x), and
the HTML it rendered from it, which some exports leave null. This renders the common parts of
both documents: paragraphs, headings, quotes, lists, links, bold and italics, line breaks, and
the html, markdown, image, divider and code cards. Ghost's other cards (bookmarks, embeds,
galleries, buttons, callouts, paywalls, products...) have no equivalent in a Newsroom body: they
are left out and counted into `dropped` (a Counter by card name) for the import's report.

An importer builds HTML here, unlike the rest of Newsroom, because the source's markup is what
comes over; the loader sanitizes every body (importers.sanitizing), so what this writes is not
trusted: text is escaped, and html cards pass through for the sanitizer to cut.
"""

import json
from html import escape

from .ghost_markdown import markdown_html


class ContentError(Exception):
    """The editor's document cannot be read: one line, without the post's name."""


def mobiledoc_html(text, dropped):
    """The HTML of a mobiledoc document (a JSON string), Ghost 1.x to 4.x."""
    return render(text, "mobiledoc", lambda document: Mobiledoc(document, dropped).html())


def lexical_html(text, dropped):
    """The HTML of a lexical document (a JSON string), Ghost 5.x."""
    return render(text, "lexical", lambda document: Lexical(dropped).node(document["root"]))


def render(text, name, renderer):
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ContentError(f"its {name} is not valid JSON ({error})") from None
    if not isinstance(document, dict):
        raise ContentError(f"its {name} is not a {name} document (a JSON object)")
    try:
        return renderer(document)
    except (LookupError, TypeError, AttributeError, ValueError) as error:
        # A document this far from what Ghost writes is damaged: said, not half imported.
        raise ContentError(
            f"its {name} is not in a shape Ghost writes ({type(error).__name__}: {error})"
        ) from None


def card_html(name, payload, dropped):
    """A card's HTML; mobiledoc and lexical give a card the same fields."""
    if name == "html":
        return payload.get("html") or ""
    if name in ("markdown", "card-markdown"):  # "card-markdown" in Ghost 1.x
        return markdown_html(payload.get("markdown") or "")
    if name == "image":
        return figure(payload.get("src"), payload.get("alt"), payload.get("caption"))
    if name in ("hr", "horizontalrule"):
        return "<hr>"
    if name in ("code", "codeblock"):
        return f"<pre><code>{escape(payload.get('code') or '')}</code></pre>"
    dropped[name or "unnamed"] += 1
    return ""


def figure(src, alt, caption):
    # Ghost writes captions as HTML ("Photo by <a href=...>"): kept as such, like html cards.
    if not src:
        return ""
    image = f'<img src="{escape(src)}" alt="{escape(alt or "")}">'
    caption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f"<figure>{image}{caption}</figure>"


class Mobiledoc:
    """Mobiledoc 0.3 (what Ghost writes): sections point into lists of markups, atoms and cards.

    A marker is [kind, markups it opens, how many open markups it closes, text or atom index]:
    markups nest like a stack."""

    MARKUP_SECTION, IMAGE_SECTION, LIST_SECTION, CARD_SECTION = 1, 2, 3, 10
    TEXT_MARKER, ATOM_MARKER = 0, 1
    # "aside" is Ghost's alternative quote style; Newsroom has one kind of quote.
    SECTION_TAGS = {
        **{tag: tag for tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote")},
        "aside": "blockquote",
        "pull-quote": "blockquote",
    }
    INLINE_TAGS = {"a", "b", "strong", "em", "i", "u", "s", "code", "sub", "sup"}

    def __init__(self, document, dropped):
        self.markups = document.get("markups") or []
        self.atoms = document.get("atoms") or []
        self.cards = document.get("cards") or []
        self.sections = document.get("sections") or []
        self.dropped = dropped

    def html(self):
        return "\n".join(filter(None, (self.section(section) for section in self.sections)))

    def section(self, section):
        kind = section[0]
        if kind == self.MARKUP_SECTION:
            tag = self.SECTION_TAGS.get(str(section[1]).lower(), "p")
            text = self.markers(section[2])
            return f"<{tag}>{text}</{tag}>" if text.strip() else ""
        if kind == self.LIST_SECTION:
            tag = "ol" if str(section[1]).lower() == "ol" else "ul"
            entries = "".join(f"<li>{self.markers(entry)}</li>" for entry in section[2])
            return f"<{tag}>{entries}</{tag}>"
        if kind == self.CARD_SECTION:
            name, payload = self.cards[section[1]][:2]
            return card_html(name, payload or {}, self.dropped)
        if kind == self.IMAGE_SECTION:
            return figure(section[1], "", "")
        raise ValueError(f"unknown section type {kind!r}")

    def markers(self, markers):
        out, closing = [], []
        for kind, opened, closed, value in markers:
            for index in opened:
                opening, end = self.markup(self.markups[index])
                out.append(opening)
                closing.append(end)
            if kind == self.ATOM_MARKER:
                out.append(self.atom(self.atoms[value]))
            else:
                out.append(escape(value))
            for _ in range(closed):
                out.append(closing.pop())
        out.extend(reversed(closing))  # what a careless document left open
        return "".join(out)

    def markup(self, markup):
        """(opening tag, closing tag) of a markup; an unknown one keeps its text, no tag."""
        tag = str(markup[0]).lower()
        if tag not in self.INLINE_TAGS:
            return "", ""
        attributes = markup[1] if len(markup) > 1 else []
        href = dict(zip(attributes[::2], attributes[1::2], strict=False)).get("href")
        if tag == "a":
            return f'<a href="{escape(href or "")}">', "</a>"
        return f"<{tag}>", f"</{tag}>"

    def atom(self, atom):
        name, text = atom[0], atom[1]
        return "<br>" if name == "soft-return" else escape(str(text or ""))


class Lexical:
    """Lexical's node tree (Ghost 5.x): element nodes hold `children`, text nodes a `format`
    bitmask, cards (decorator nodes) their fields."""

    # Lexical's text format bits, in the order the tags nest.
    FORMATS = ((1, "strong"), (2, "em"), (4, "s"), (8, "u"), (16, "code"), (32, "sub"), (64, "sup"))
    # Ghost's "extended-" nodes keep pasted styles; Newsroom does not.
    BLOCK_TAGS = {
        "paragraph": "p",
        "quote": "blockquote",
        "extended-quote": "blockquote",
        "aside": "blockquote",
        "listitem": "li",
    }
    HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self, dropped):
        self.dropped = dropped

    def node(self, node):
        kind = node.get("type")
        if kind in ("text", "extended-text"):
            return self.text(node)
        if kind == "linebreak":
            return "<br>"
        if kind == "tab":
            return "\t"
        if kind == "root":
            return "\n".join(filter(None, (self.node(child) for child in node["children"])))
        if kind in ("link", "autolink"):
            return f'<a href="{escape(node.get("url") or "")}">{self.children(node)}</a>'
        if kind in ("heading", "extended-heading"):
            tag = node.get("tag") if node.get("tag") in self.HEADINGS else "h2"
            return self.block(tag, node)
        if kind == "list":
            return self.a_list(node)
        if kind in self.BLOCK_TAGS:
            return self.block(self.BLOCK_TAGS[kind], node)
        if "children" in node:
            return self.children(node)  # an element this reader does not know: its text stays
        return card_html(kind, node, self.dropped)

    def children(self, node):
        return "".join(self.node(child) for child in node.get("children") or [])

    def block(self, tag, node):
        inner = self.children(node)
        # Editors leave empty paragraphs between blocks; a list item may be empty on purpose.
        return f"<{tag}>{inner}</{tag}>" if inner.strip() or tag == "li" else ""

    def a_list(self, node):
        ordered = node.get("listType") == "number" or node.get("tag") == "ol"
        tag = "ol" if ordered else "ul"
        start = node.get("start") or 1
        opening = f'<ol start="{int(start)}">' if ordered and start != 1 else f"<{tag}>"
        return f"{opening}{self.children(node)}</{tag}>"

    def text(self, node):
        html = escape(node.get("text") or "")
        format_bits = node.get("format")
        format_bits = format_bits if isinstance(format_bits, int) else 0
        for bit, tag in self.FORMATS:
            if format_bits & bit:
                html = f"<{tag}>{html}</{tag}>"
        return html
