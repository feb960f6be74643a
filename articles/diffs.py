"""Word-level comparison of two revisions, for editors deciding what changed."""

import difflib
import re

from django.utils.html import escape, format_html, strip_tags
from django.utils.safestring import mark_safe

# A word with the space after it: replacements read as whole words, not word-space-word.
WORD = re.compile(r"^\s+|\S+\s*")
BLOCK_END = re.compile(r"</(p|h2|h3|li|blockquote)>|<br\s*/?>|<hr\s*/?>", re.IGNORECASE)


def plain_text(html):
    """Body HTML as text, one paragraph a line, so the diff reads like the article."""
    text = BLOCK_END.sub("\n", html or "")
    lines = (" ".join(strip_tags(line).split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def word_diff(old, new):
    """HTML with removed words in <del> and added words in <ins>; everything else escaped."""
    a, b = WORD.findall(old or ""), WORD.findall(new or "")
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(format_html("<del>{}</del>", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(format_html("<ins>{}</ins>", "".join(b[j1:j2])))
    # Every part is escaped above: line breaks are the only markup added here.
    return mark_safe("".join(parts).replace("\n", "<br>"))


def list_changes(old, new):
    """Added, removed and whether the order changed, for bylines and tags."""
    added = [item for item in new if item not in old]
    removed = [item for item in old if item not in new]
    kept_old = [item for item in old if item in new]
    kept_new = [item for item in new if item in old]
    return {
        "added": added,
        "removed": removed,
        "reordered": kept_old != kept_new,
        "old": old,
        "new": new,
    }


SCALAR_FIELDS = [
    ("slug", "Slug"),
    ("genre", "Genre"),
    ("hero_image", "Hero image"),
    ("hero_image_alt", "Alt text"),
    ("hero_image_caption", "Caption"),
    ("hero_image_credit", "Credit"),
    ("seo_title", "SEO title"),
    ("meta_description", "Meta description"),
]


def compare(old, new):
    """What changed between two revision contents, ready for the compare page."""

    def section(content):
        return (content.get("section") or {}).get("name", "")

    other = [
        {"label": label, "old": old.get(field, ""), "new": new.get(field, "")}
        for field, label in SCALAR_FIELDS
        if old.get(field, "") != new.get(field, "")
    ]
    if section(old) != section(new):
        other.insert(0, {"label": "Section", "old": section(old), "new": section(new)})
    return {
        "headline": word_diff(old.get("headline", ""), new.get("headline", "")),
        "standfirst": word_diff(old.get("standfirst", ""), new.get("standfirst", "")),
        "body": word_diff(plain_text(old.get("body", "")), plain_text(new.get("body", ""))),
        "bylines": list_changes(
            [row["name"] for row in old.get("bylines", [])],
            [row["name"] for row in new.get("bylines", [])],
        ),
        "tags": list_changes(old.get("tags", []), new.get("tags", [])),
        "other": other,
        "changed": old != new,
    }
