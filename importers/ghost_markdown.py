"""Ghost's markdown cards as HTML, simply: what posts written in Ghost's markdown editor use.

Ghost 0.x wrote every post in markdown, and its 1.x migration kept each one as a single markdown
card, so a whole archive may be markdown. This is the common subset, not CommonMark: paragraphs,
# headings, lists, > quotes, ``` fences, --- rules, **bold**, *em*, `code`, [links](url) and
![images](src). Raw HTML is passed through, as Ghost's renderer does; the body is sanitized
downstream (importers.sanitizing). Reference-style links and tables come over as their text.
"""

import re
from html import escape

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
RULE = re.compile(r"^ {0,3}([-*_])( *\1){2,} *$")
BULLET = re.compile(r"^ {0,3}[-*+]\s+(.*)$")
NUMBERED = re.compile(r"^ {0,3}\d{1,9}[.)]\s+(.*)$")
QUOTE = re.compile(r"^ {0,3}> ?(.*)$")
FENCE = re.compile(r"^ {0,3}(```|~~~)")
HTML_BLOCK = re.compile(r"^ {0,3}</?[A-Za-z][^>]*>|^ {0,3}<!--")

# Inline: what must not be touched by the emphasis rules is set aside first (a placeholder).
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
BACKSLASH = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])")
IMAGE = re.compile(r'!\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+"([^"]*)")?\s*\)')
LINK = re.compile(r'\[([^\]]+)\]\(\s*<?([^)\s>]*)>?(?:\s+"([^"]*)")?\s*\)')
AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
RAW_TAG = re.compile(r"</?[A-Za-z][^>]*>|<!--.*?-->", re.S)
STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.S)
EM = re.compile(r"\*(?=\S)(.+?)(?<=\S)\*|(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)", re.S)
# A bare & or < is text, unless it starts an entity or a tag (raw HTML is kept).
BARE_AMPERSAND = re.compile(r"&(?!#?\w+;)")
BARE_LESS_THAN = re.compile(r"<(?![A-Za-z/!])")
PLACEHOLDER = re.compile(r"\x00(\d+)\x00")


def markdown_html(text):
    """`text` (markdown) as HTML blocks, one a line."""
    # NUL is the placeholder's mark (see inline): it has no business in a post anyway.
    text = text.replace("\x00", "")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(blocks(lines))


def blocks(lines):
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
        elif fence := FENCE.match(line):
            end = next(
                (i for i in range(index + 1, len(lines)) if lines[i].strip() == fence.group(1)),
                len(lines),
            )
            yield f"<pre><code>{escape(chr(10).join(lines[index + 1 : end]))}</code></pre>"
            index = end + 1
        elif heading := HEADING.match(line):
            level = len(heading.group(1))
            yield f"<h{level}>{inline(heading.group(2))}</h{level}>"
            index += 1
        elif RULE.match(line):
            yield "<hr>"
            index += 1
        elif QUOTE.match(line):
            quoted = []
            while index < len(lines) and (match := QUOTE.match(lines[index])):
                quoted.append(match.group(1))
                index += 1
            yield f"<blockquote>{markdown_html(chr(10).join(quoted))}</blockquote>"
        elif BULLET.match(line) or NUMBERED.match(line):
            index = yield from a_list(lines, index)
        elif HTML_BLOCK.match(line):
            # Up to the next blank line, as is: markdown leaves HTML blocks alone.
            end = next((i for i in range(index, len(lines)) if not lines[i].strip()), len(lines))
            yield "\n".join(lines[index:end])
            index = end
        else:
            paragraph = [line]
            index += 1
            while index < len(lines) and lines[index].strip() and not starts_other(lines[index]):
                paragraph.append(lines[index])
                index += 1
            yield paragraph_html(paragraph)


def starts_other(line):
    """Whether `line` ends the paragraph above it (a blank line is not needed before these)."""
    return any(rule.match(line) for rule in (FENCE, HEADING, RULE, QUOTE, BULLET, NUMBERED))


def a_list(lines, index):
    """Yields the list starting at lines[index]; returns the index after it. An indented or
    continued line belongs to the item above it."""
    ordered = bool(NUMBERED.match(lines[index])) and not BULLET.match(lines[index])
    marker = NUMBERED if ordered else BULLET
    entries = []
    while index < len(lines) and lines[index].strip():
        if match := marker.match(lines[index]):
            entries.append([match.group(1)])
        elif entries and not starts_other(lines[index]):
            entries[-1].append(lines[index].strip())
        else:
            break
        index += 1
    tag = "ol" if ordered else "ul"
    yield f"<{tag}>" + "".join(f"<li>{inline(' '.join(e))}</li>" for e in entries) + f"</{tag}>"
    return index


def paragraph_html(lines):
    # Two trailing spaces are markdown's line break.
    text = "\n".join(line.rstrip() + ("<br>" if line.endswith("  ") else "") for line in lines)
    return f"<p>{inline(text.removesuffix('<br>'))}</p>"


def inline(text):
    kept = []

    def keep(html):
        kept.append(html)
        return f"\x00{len(kept) - 1}\x00"

    text = CODE_SPAN.sub(lambda m: keep(f"<code>{escape(m.group(2).strip())}</code>"), text)
    text = BACKSLASH.sub(lambda m: keep(escape(m.group(1))), text)
    text = IMAGE.sub(
        lambda m: keep(f'<img src="{attr(m.group(2))}" alt="{attr(m.group(1))}">'), text
    )
    text = LINK.sub(lambda m: f"{keep(link_open(m))}{m.group(1)}{keep('</a>')}", text)
    text = AUTOLINK.sub(
        lambda m: keep(f'<a href="{attr(m.group(1))}">{escape(m.group(1))}</a>'), text
    )
    text = RAW_TAG.sub(lambda m: keep(m.group(0)), text)
    text = BARE_LESS_THAN.sub("&lt;", BARE_AMPERSAND.sub("&amp;", text))
    text = STRONG.sub(r"<strong>\2</strong>", text)
    text = EM.sub(lambda m: f"<em>{m.group(1) or m.group(2)}</em>", text)
    # An image's alt text may hold a code span's placeholder: resolved until none is left.
    while PLACEHOLDER.search(text):
        text = PLACEHOLDER.sub(lambda m: kept[int(m.group(1))], text)
    return text


def link_open(match):
    title = f' title="{attr(match.group(3))}"' if match.group(3) else ""
    return f'<a href="{attr(match.group(2))}"{title}>'


def attr(value):
    return escape(value or "", quote=True)
