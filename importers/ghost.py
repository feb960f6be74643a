"""Reads a Ghost export (Settings > Labs > Export, Ghost 1.x to 5.x) as importers.items.

An export is one JSON document, {"db": [{"meta": ..., "data": ...}]} (or, from very old Ghosts
and some tools, {"meta": ..., "data": ...}), whose `data` holds Ghost's tables as lists of rows.
It is read whole with the json module, so a file over `max_bytes` is refused before a byte of it
is read. Fields are read by what the row has, not by the version the export claims.

How Ghost's words map to ours:
- settings' title and lang (locale from 4.x) make the SourceSite. Ghost does not export its own
  URL: the __GHOST_URL__ placeholders of 4.x and 5.x exports become relative paths ("/about/")
  unless a `url` setting, the meta or the caller (`base_url`) gives one;
- users become SourceAuthors, tags SourceTerms of kind "tag"; internal tags ("#name") organise
  Ghost's desk and themes, not the site: Skipped, and left out of posts' tags;
- Ghost has no categories: a post's primary tag, as Ghost computes it (its first tag, when that
  one is public), is also its one category, so the loader files the article in a section of
  that name;
- the byline is posts_authors in sort order (before Ghost 1.22, the post's author_id);
- the body is the HTML Ghost stored, else rendered from the lexical or mobiledoc document
  (importers.ghost_content), whose cards with no Newsroom equivalent are each a Skipped;
- pages (type "page", or page: true before 3.x) are Skipped: only posts become articles;
- members-only and paid posts keep their status: Newsroom has no paywall, so they become
  public, and each says so with a Skipped "members-only restriction";
- Ghost exports hold no comments: every post's comment_count is 0.
"""

import io
import json
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime
from html import escape, unescape

from django.utils.html import strip_tags

from .ghost_content import ContentError, lexical_html, mobiledoc_html
from .ghost_markdown import markdown_html
from .items import (
    DRAFT,
    PRIVATE,
    PUBLISHED,
    SCHEDULED,
    Ref,
    Skipped,
    SourceAuthor,
    SourceError,
    SourceImage,
    SourcePost,
    SourceSite,
    SourceTerm,
)

# The JSON is read whole, and its objects take several times its size in memory.
MAX_BYTES = 512 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024

STATUSES = {
    "published": PUBLISHED,
    "scheduled": SCHEDULED,
    "draft": DRAFT,
    "sent": PRIVATE,  # an email-only newsletter: it never had a page on the site
}

GHOST_URL = "__GHOST_URL__"
GHOST_URL_PREFIX = re.compile(r"__GHOST_URL__/?")
EXCERPT_CHARS = 300
INVISIBLE = re.compile(r"<(script|style|iframe|template)\b.*?</\1\s*>", re.I | re.S)
BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote|figure|pre|div|table)\s*>|<br\s*/?>", re.I)
REQUIRED = ("id", "title", "slug")


def read_ghost(fileobj, *, max_bytes=MAX_BYTES, base_url=""):
    """The items of the Ghost export in `fileobj` (opened in binary), SourceSite first, then
    authors, tags and posts. `base_url` ("https://example.com") is the old site's address, for
    the __GHOST_URL__ placeholders, when the export does not say it. Raises SourceError, with one
    line for the operator, when the file is not a readable Ghost export; nothing is read from a
    file over `max_bytes`."""
    export = load_export(fileobj, max_bytes=max_bytes)
    yield from GhostExport(export, base_url=base_url).items()


# The file.


def load_export(fileobj, *, max_bytes):
    """The export's {"meta": ..., "data": ...} object, checked to be one."""
    size = remaining_size(fileobj)
    if size is not None and size > max_bytes:
        raise SourceError(too_large(size, max_bytes))
    # A stream that cannot tell its size is read one byte past the limit, no further.
    raw = fileobj.read() if size is not None else read_at_most(fileobj, max_bytes + 1)
    if len(raw) > max_bytes:
        raise SourceError(too_large(None, max_bytes))
    refuse_other_formats(raw)
    try:
        document = json.loads(raw)
    except UnicodeDecodeError:
        raise SourceError("not a Ghost export: the file is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise SourceError(malformed(error)) from None
    except RecursionError:
        raise SourceError("not a Ghost export: the JSON is nested too deeply to be one") from None
    return export_of(document)


def remaining_size(fileobj):
    """How many bytes are left to read, when the file can say so without reading them."""
    try:
        if not fileobj.seekable():
            return None
        here = fileobj.tell()
        end = fileobj.seek(0, io.SEEK_END)
        fileobj.seek(here)
    except (AttributeError, OSError):
        return None
    return end - here


def read_at_most(fileobj, limit):
    chunks, total = [], 0
    while total < limit and (chunk := fileobj.read(min(CHUNK_BYTES, limit - total))):
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def too_large(size, max_bytes):
    limit = f"the {megabytes(max_bytes)} a Ghost export may be here"
    if size is None:
        return f"the file is larger than {limit}"
    return f"the file is {megabytes(size)}, larger than {limit}"


def megabytes(size):
    return f"{size / 1024**2:,.0f} MB" if size >= 1024**2 else f"{size:,} bytes"


def refuse_other_formats(raw):
    text = raw.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        raise SourceError("the file is empty")
    if text.startswith(b"<"):
        raise SourceError(
            "not a Ghost export: the file is XML (a WordPress export? use import_wordpress)"
        )
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"\x1f\x8b"):
        raise SourceError(
            "not a Ghost export: the file is compressed (unzip it, then import the .json)"
        )


def malformed(error):
    if error.pos >= len(error.doc.rstrip()) or error.msg.startswith("Unterminated string"):
        return (
            f"the JSON stops before it is complete, after {len(error.doc):,} characters "
            "(is the file truncated?)"
        )
    if not error.doc[: error.pos].strip(" \t\r\n\ufeff"):
        return f"not a Ghost export: the file is not JSON ({error.msg} at its start)"
    return f"the JSON is malformed at line {error.lineno}, column {error.colno}: {error.msg}"


def export_of(document):
    if isinstance(document, dict) and "db" in document:
        databases = document["db"]
        if not isinstance(databases, list) or not databases:
            raise SourceError('not a Ghost export: its "db" is not a list of exports')
        document = databases[0]
    if not isinstance(document, dict) or not isinstance(document.get("data"), dict):
        raise SourceError(
            'not a Ghost export: the JSON has no "db" or "data" '
            "(export the site from Ghost's Settings > Labs > Export)"
        )
    if "posts" not in document["data"]:
        raise SourceError('not a Ghost export: its "data" has no "posts"')
    return document


def rows(data, table):
    """The rows of one of Ghost's tables, each a dict; a table the export lacks has none."""
    found = data.get(table)
    if found is None:
        return []
    if not isinstance(found, list) or not all(isinstance(row, dict) for row in found):
        raise SourceError(f'not a Ghost export: its "{table}" is not a list of rows')
    return found


# The export.


class GhostExport:
    """The export's tables, indexed by the ids that posts point to."""

    def __init__(self, export, *, base_url):
        data, meta = export["data"], export.get("meta")
        meta = meta if isinstance(meta, dict) else {}
        self.now = datetime.now(UTC)
        self.settings = {row.get("key"): row.get("value") for row in rows(data, "settings")}
        site_url = base_url or self.settings.get("url") or meta.get("url") or ""
        self.base_url = str(site_url).rstrip("/")
        self.data = data
        self.users = {str(row.get("id")): row for row in rows(data, "users")}
        self.tags = {str(row.get("id")): row for row in rows(data, "tags")}
        self.posts_meta = {str(row.get("post_id")): row for row in rows(data, "posts_meta")}
        self.tags_of = self.sorted_links("posts_tags", "tag_id")
        self.authors_of = self.sorted_links("posts_authors", "author_id")

    def sorted_links(self, table, key):
        """post id -> the ids it links to, by sort_order (the file's order among equals)."""
        links = defaultdict(list)
        for row in sorted(rows(self.data, table), key=lambda row: row.get("sort_order") or 0):
            links[str(row.get("post_id"))].append(str(row.get(key)))
        return links

    def items(self):
        yield self.site()
        for user in rows(self.data, "users"):
            yield self.author(user)
        for tag in rows(self.data, "tags"):
            yield self.term(tag)
        for index, row in enumerate(rows(self.data, "posts")):
            yield from self.post(index, row)

    def site(self):
        language = self.settings.get("locale") or self.settings.get("lang") or ""
        return SourceSite(
            title=text(self.settings.get("title")),
            base_url=self.base_url,
            language=language_code(language),
        )

    def author(self, user):
        slug = text(user.get("slug"))
        return SourceAuthor(
            source_id=str(user.get("id")),
            slug=slug,
            name=text(user.get("name")) or slug,
            bio=text(user.get("bio")),
            email=text(user.get("email")),
            old_paths=[f"/author/{slug}/"] if slug else [],
        )

    def term(self, tag):
        slug, name = text(tag.get("slug")), text(tag.get("name"))
        if is_internal(tag):
            return Skipped(
                kind="internal tag",
                source_id=str(tag.get("id")),
                title=name,
                why="Ghost's internal tags (#name) sort posts for its themes, not readers",
            )
        return SourceTerm(
            kind="tag",
            source_id=str(tag.get("id")),
            slug=slug,
            name=name or slug,
            description=text(tag.get("description")),
            old_paths=[f"/tag/{slug}/"] if slug else [],
        )

    # Posts.

    def post(self, index, row):
        name = post_name(index, row)
        for key in REQUIRED:
            if row.get(key) is None:
                raise SourceError(f'{name}: no "{key}", which every Ghost post has')
        source_id, title = str(row["id"]), text(row["title"])
        kind = "page" if row.get("page") in (True, 1, "1") else text(row.get("type")) or "post"
        if kind != "post":
            what = "pages" if kind == "page" else f"{kind!r} entries"
            why = f"{what} are not imported: only posts become articles"
            yield Skipped(kind=kind, source_id=source_id, title=title, why=why)
            return
        dropped = Counter()
        try:
            html = self.resolved(body(row, dropped), in_html=True)
        except ContentError as error:
            raise SourceError(f"{name}: {error}") from None
        for card, count in sorted(dropped.items()):
            why = f"Ghost's {card} cards have no equivalent in an article: left out of the body"
            for _ in range(count):
                yield Skipped(kind=f"{card} card", source_id=source_id, title=title, why=why)
        visibility = text(row.get("visibility")) or "public"
        if visibility != "public":
            yield Skipped(
                kind="members-only restriction",
                source_id=source_id,
                title=title,
                why=f"Ghost showed it to {visibility!r} readers only; Newsroom has no paywall, "
                "so once published it is public",
            )
        yield self.source_post(row, name, html)

    def source_post(self, row, name, html):
        source_id, slug = str(row["id"]), text(row["slug"])
        published_at = date(row.get("published_at"), name, "published_at")
        status = STATUSES.get(text(row.get("status")) or "draft", DRAFT)
        if status == PUBLISHED and published_at and published_at > self.now:
            status = SCHEDULED
        tags = [self.tags[i] for i in self.tags_of.get(source_id, []) if i in self.tags]
        primary = tags[:1] if tags and not is_internal(tags[0]) else []
        return SourcePost(
            source_id=source_id,
            kind="post",
            title=text(row["title"]),
            slug=slug,
            html=html,
            status=status,
            excerpt=self.excerpt(row, html),
            published_at=published_at,
            modified_at=date(row.get("updated_at"), name, "updated_at"),
            authors=self.byline(source_id, row),
            categories=[tag_ref(tag) for tag in primary],
            tags=[tag_ref(tag) for tag in tags if not is_internal(tag)],
            featured_image=self.featured_image(source_id, row),
            old_paths=[f"/{slug}/"],
            comment_count=0,
            language=language_code(text(row.get("locale"))),
        )

    def byline(self, source_id, row):
        # Before 1.22 (no posts_authors), and for a post the table forgot, author_id is the one.
        ids = self.authors_of.get(source_id) or [str(row.get("author_id"))]
        users = [self.users[i] for i in ids if i in self.users]
        return [Ref(text(user.get("slug")), text(user.get("name"))) for user in users]

    def excerpt(self, row, html):
        # meta_description is on the post before Ghost 3.0, in posts_meta since.
        meta = self.posts_meta.get(str(row["id"]), {})
        for written in (
            row.get("custom_excerpt"),
            row.get("meta_description"),
            meta.get("meta_description"),
        ):
            if text(written).strip():
                return text(written).strip()
        # Ghost's own excerpt is the start of the plaintext: here, its first paragraph.
        plaintext = text(row.get("plaintext")) or plain_text(html)
        first = next((line for line in plaintext.splitlines() if line.strip()), "")
        return shortened(" ".join(first.split()))

    def featured_image(self, source_id, row):
        url = text(row.get("feature_image") or row.get("image"))  # "image" before Ghost 1.0
        if not url:
            return None
        meta = self.posts_meta.get(source_id, {})
        alt = row.get("feature_image_alt") or meta.get("feature_image_alt")
        caption = row.get("feature_image_caption") or meta.get("feature_image_caption")
        return SourceImage(
            url=self.resolved(url),
            alt=text(alt),
            # Ghost's captions are HTML ("Photo by <a>...</a>"); a hero caption is text.
            caption=" ".join(unescape(strip_tags(text(caption))).split()),
        )

    def resolved(self, value, *, in_html=False):
        """`value` with Ghost's __GHOST_URL__ placeholders made the site's URL, or root-relative
        ("__GHOST_URL__/about/" -> "/about/") when the URL is not known."""
        if GHOST_URL not in value:
            return value
        if self.base_url:
            return value.replace(GHOST_URL, escape(self.base_url) if in_html else self.base_url)
        return GHOST_URL_PREFIX.sub("/", value)


def body(row, dropped):
    """The HTML Ghost stored, else the editor's document rendered (5.x lexical, 1.x-4.x
    mobiledoc, 0.x markdown)."""
    if text(row.get("html")).strip():
        return text(row["html"])
    if row.get("lexical"):
        return lexical_html(row["lexical"], dropped)
    if row.get("mobiledoc"):
        return mobiledoc_html(row["mobiledoc"], dropped)
    return markdown_html(text(row.get("markdown")))


def plain_text(html):
    """The text of `html`, a line per block, without what a reader never saw as text."""
    html = INVISIBLE.sub("", html)
    return unescape(strip_tags(BLOCK_END.sub("\n", html)))


def post_name(index, row):
    """How an error names a post: by id and title, or its place in the file when it has none."""
    source_id, title = row.get("id"), row.get("title")
    if source_id is not None:
        return f'post {source_id} ("{title}")' if title else f"post {source_id}"
    where = f"post number {index + 1} in the file"
    return f'{where} ("{title}")' if title else where


def date(value, name, field):
    """An aware UTC datetime from Ghost's ISO 8601 strings, or 1.x's epoch milliseconds."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value / 1000, UTC)
        if isinstance(value, str) and value.isdigit():
            return datetime.fromtimestamp(int(value) / 1000, UTC)
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value)
            return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        pass
    raise SourceError(f"{name}: its {field} {value!r} is not a date")


def text(value):
    return "" if value is None else str(value)


def is_internal(tag):
    return tag.get("visibility") == "internal" or text(tag.get("name")).startswith("#")


def tag_ref(tag):
    return Ref(text(tag.get("slug")), text(tag.get("name")))


def language_code(value):
    """ "fr", "pt-BR" or "en_GB" -> "fr", "pt", "en"."""
    return value.replace("_", "-").split("-")[0].lower()


def shortened(plain):
    if len(plain) <= EXCERPT_CHARS:
        return plain
    return plain[:EXCERPT_CHARS].rsplit(" ", 1)[0].rstrip(",;:.") + "…"
