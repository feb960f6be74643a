"""Reads a WordPress export (WXR 1.0, 1.1 or 1.2, from Tools > Export) as importers.items.

The file is streamed with defusedxml's iterparse: each element is dropped from the tree once it
has been read, so a 100 MB export costs the memory of its largest post, not of the file. Entity
declarations (billion laughs, external entities) are refused before anything is expanded.

How WordPress's words map to ours:
- the channel is the SourceSite; <wp:author>, <wp:category> and <wp:tag> become SourceAuthor and
  SourceTerm; other taxonomies' <wp:term> (menus, Co-Authors Plus, languages) are not items;
- an <item> of type post becomes a SourcePost, an attachment a SourceAttachment, any other
  type (page, menu item, revision, a plugin's type) a Skipped that says why;
- old paths are decoded ("/2020/07/01/été/", as Django's request.path gives them) and made
  relative to the site's base URL, so the loader can redirect them.
"""

import re
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import parse_qs, unquote, urlsplit
from xml.parsers import expat

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import ParseError, iterparse
from django.utils.text import slugify

from .items import (
    DRAFT,
    IN_REVIEW,
    PRIVATE,
    PUBLISHED,
    SCHEDULED,
    TRASH,
    Ref,
    Skipped,
    SourceAttachment,
    SourceAuthor,
    SourceError,
    SourceImage,
    SourcePost,
    SourceSite,
    SourceTerm,
)

STATUSES = {
    "publish": PUBLISHED,
    "future": SCHEDULED,
    "draft": DRAFT,
    "auto-draft": DRAFT,
    "pending": IN_REVIEW,
    "private": PRIVATE,
    "trash": TRASH,
}

NOT_IMPORTED = {
    "page": "pages are not imported: only posts become articles",
    "nav_menu_item": "menus are not imported",
    "revision": "revisions are not imported: a post comes over as last saved",
}

# WordPress writes "no date" this way for drafts that were never scheduled.
NO_DATE = "0000-00-00 00:00:00"
# Enough of the file to tell a JSON, ZIP or empty file from XML before parsing.
SNIFF_BYTES = 1024

WXR_NAMESPACE = re.compile(r"http://wordpress\.org/export/1\.\d+/(excerpt/)?$")
OTHER_NAMESPACES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
}


@lru_cache(maxsize=512)
def short_name(tag):
    """ "{http://wordpress.org/export/1.2/}post_type" -> "wp:post_type", whatever the WXR version,
    so the rest of the reader names elements the way the file's authors wrote them."""
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    if match := WXR_NAMESPACE.match(uri):
        return f"{'excerpt' if match.group(1) else 'wp'}:{local}"
    return f"{OTHER_NAMESPACES[uri]}:{local}" if uri in OTHER_NAMESPACES else tag


def read_wordpress(fileobj, *, zone=UTC):
    """The items of the WXR export in `fileobj` (opened in binary), in file order, SourceSite
    first. `zone` is the site's time zone, for the local dates of posts that have no GMT date
    (drafts): WXR does not say it. Raises SourceError, possibly after some items, when the file
    is not a readable WordPress export."""
    head = fileobj.read(SNIFF_BYTES)
    refuse_other_formats(head)
    source = Rewound(fileobj, head)
    reader = WxrReader(zone=zone)
    try:
        events = iterparse(
            source, events=("start", "end"), forbid_entities=True, forbid_external=True
        )
        for event, element in events:
            if event == "start":
                reader.start(element)
            else:
                yield from reader.end(element)
    except ParseError as error:
        raise SourceError(malformed(error, truncated=source.at_end)) from error
    except (EntitiesForbidden, ExternalReferenceForbidden, DTDForbidden) as error:
        raise SourceError(refused_xml(error)) from error
    if not reader.site_given:
        raise SourceError("not a WordPress export: the RSS has no <channel>")


def refused_xml(error):
    """What defusedxml refused, said for the operator."""
    if isinstance(error, DTDForbidden):  # only if forbid_dtd is ever turned on
        return "the file has a DOCTYPE, which is refused"
    if isinstance(error, ExternalReferenceForbidden) or error.sysid:
        return "the file declares an external XML entity, which is refused (it would read files)"
    return "the file declares XML entities, which are refused (entity expansion)"


def refuse_other_formats(head):
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text and len(head) < SNIFF_BYTES:
        raise SourceError("the file is empty")
    if text[:1] in (b"{", b"["):
        raise SourceError(
            "not a WordPress export: the file is JSON (a Ghost export? use import_ghost)"
        )
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\x1f\x8b"):
        raise SourceError(
            "not a WordPress export: the file is compressed (unzip it, then import the .xml)"
        )
    if text and not text.startswith(b"<"):
        raise SourceError("not a WordPress export: the file is not XML")


def malformed(error, *, truncated):
    line, column = error.position
    reason = expat.ErrorString(error.code)
    if truncated:
        return f"the XML ends too soon at line {line} (is the file truncated?): {reason}"
    # expat counts columns from 0, editors from 1.
    return f"the XML is malformed at line {line}, column {column + 1}: {reason}"


class Rewound:
    """The file object with the bytes already read to sniff it given back first; it also tells
    whether the parser reached the end of the file (a parse error there means truncation)."""

    def __init__(self, fileobj, head):
        self.fileobj, self.head, self.at_end = fileobj, head, False

    def read(self, size=-1):
        if self.head:
            data, self.head = self.head, b""
            return data
        data = self.fileobj.read(size)
        self.at_end = not data
        return data


class WxrReader:
    """Turns iterparse's events into items. Depth 1 is <rss>, 2 <channel>, 3 its children."""

    # Channel children that come after the site's own description: the site is known by then.
    AFTER_SITE = {"wp:author", "wp:category", "wp:tag", "wp:term", "item"}

    def __init__(self, *, zone):
        self.zone = zone
        self.now = datetime.now(UTC)
        self.depth = 0
        # <rss> and the <channel> being read, to drop their children once read.
        self.root = self.parent = None
        self.is_wxr = False
        self.site = None  # read once the channel has said what it says of the site
        self.site_given = False
        self.channel = {}  # the channel's own fields: title, link, language, wp:base_site_url
        self.base_path = ""
        self.authors = {}  # login -> Ref, for dc:creator
        self.category_ids = {}  # term id -> slug, for Yoast's primary category
        self.category_chains = {}  # slug -> "parent/child", for old paths

    def start(self, element):
        self.depth += 1
        name = short_name(element.tag)
        if not self.is_wxr and name.startswith("wp:"):
            self.is_wxr = True
        if self.depth == 1 and name != "rss":
            local = name.rsplit("}", 1)[-1]
            raise SourceError(f"not a WordPress export: the XML is <{local}>, not an RSS <rss>")
        if self.depth == 1:
            self.root = element
        elif self.depth == 2:
            self.parent = element
        elif self.depth == 3 and name in self.AFTER_SITE and not self.site_given:
            # Checked before the first <item> is parsed: a plain RSS feed fails at once.
            self.site = self.read_site()

    def end(self, element):
        depth, self.depth = self.depth, self.depth - 1
        if depth == 3:
            if self.parent.tag == "channel":
                yield from self.read_channel_child(element)
            element.clear()
            self.parent.remove(element)
        elif depth == 2:
            if element.tag == "channel":
                yield from self.site_once()
            element.clear()
            self.root.remove(element)

    def read_channel_child(self, element):
        name = short_name(element.tag)
        if name == "item":
            yield from self.site_once()
            yield self.read_item(element)
        elif name in self.AFTER_SITE:
            yield from self.site_once()
            yield from self.read_term_or_author(name, element)
        else:
            self.channel[name] = (element.text or "").strip()

    def site_once(self):
        if not self.site_given:
            site = self.site or self.read_site()
            self.site_given = True
            yield site

    def read_site(self):
        if not self.is_wxr:
            raise SourceError(
                "not a WordPress export: an RSS feed without WordPress's wp: elements "
                "(export the site from Tools > Export in WordPress)"
            )
        base_url = self.channel.get("wp:base_site_url") or self.channel.get("link", "")
        base_url = base_url.rstrip("/")
        self.base_path = urlsplit(base_url).path
        language = self.channel.get("language", "").replace("_", "-").split("-")[0].lower()
        return SourceSite(title=self.channel.get("title", ""), base_url=base_url, language=language)

    def read_term_or_author(self, name, element):
        fields = texts(element)
        if name == "wp:author":
            login = fields.get("wp:author_login", "")
            # WXR leaves out the nicename WordPress puts in author URLs: it is the login, sanitized.
            slug = slugify(login.replace(".", "-"))
            display_name = fields.get("wp:author_display_name") or login
            self.authors[login] = Ref(slug=slug, name=display_name)
            yield SourceAuthor(
                source_id=login,
                slug=slug,
                name=display_name,
                email=fields.get("wp:author_email", ""),
                old_paths=[f"/author/{slug}/"],
            )
        elif name == "wp:category":
            slug = unquote(fields.get("wp:category_nicename", ""))
            parent = unquote(fields.get("wp:category_parent", ""))
            # WordPress exports parents before their children.
            chain = f"{self.category_chains.get(parent, parent)}/{slug}" if parent else slug
            self.category_chains[slug] = chain
            term_id = fields.get("wp:term_id") or slug
            self.category_ids[term_id] = slug
            yield SourceTerm(
                kind="category",
                source_id=term_id,
                slug=slug,
                name=fields.get("wp:cat_name") or slug,
                description=fields.get("wp:category_description", ""),
                old_paths=[f"/category/{chain}/"],
            )
        elif name == "wp:tag":
            slug = unquote(fields.get("wp:tag_slug", ""))
            yield SourceTerm(
                kind="tag",
                source_id=fields.get("wp:term_id") or slug,
                slug=slug,
                name=fields.get("wp:tag_name") or slug,
                description=fields.get("wp:tag_description", ""),
                old_paths=[f"/tag/{slug}/"],
            )

    def read_item(self, element):
        fields, meta, terms, comments = {}, {}, [], 0
        for child in element:
            name = short_name(child.tag)
            if name == "category":
                nicename = unquote(child.get("nicename", ""))
                terms.append((child.get("domain", ""), nicename, (child.text or "").strip()))
            elif name == "wp:postmeta":
                pair = texts(child)
                meta[pair.get("wp:meta_key", "")] = pair.get("wp:meta_value", "")
            elif name == "wp:comment":
                comments += 1
            else:
                fields[name] = (child.text or "").strip()
        kind = fields.get("wp:post_type") or "post"
        source_id = fields.get("wp:post_id", "")
        title = fields.get("title", "")
        if kind == "attachment":
            return SourceAttachment(
                source_id=source_id,
                url=fields.get("wp:attachment_url", ""),
                alt=meta.get("_wp_attachment_image_alt", ""),
                caption=fields.get("excerpt:encoded", ""),
                relative_path=meta.get("_wp_attached_file", ""),
            )
        if kind != "post":
            why = NOT_IMPORTED.get(kind, f"{kind!r} items are not imported (a custom post type)")
            return Skipped(kind=kind, source_id=source_id, title=title, why=why)
        return self.read_post(source_id, title, fields, meta, terms, comments)

    def read_post(self, source_id, title, fields, meta, terms, comments):
        published_at = self.date(fields, "wp:post_date")
        status = STATUSES.get(fields.get("wp:status", ""), DRAFT)
        if status == PUBLISHED and published_at and published_at > self.now:
            status = SCHEDULED
        if fields.get("wp:post_password") and status in (PUBLISHED, SCHEDULED):
            # SourcePost has no password: a post WordPress kept behind one must not go public.
            status = PRIVATE
        thumbnail_id = meta.get("_thumbnail_id", "")
        return SourcePost(
            source_id=source_id,
            kind="post",
            title=title,
            slug=unquote(fields.get("wp:post_name", "")),
            html=autop(fields.get("content:encoded", "")),
            status=status,
            excerpt=fields.get("excerpt:encoded", ""),
            published_at=published_at,
            modified_at=self.date(fields, "wp:post_modified"),
            authors=self.byline(fields.get("dc:creator", ""), terms),
            categories=self.categories(terms, meta.get("_yoast_wpseo_primary_category", "")),
            tags=[Ref(slug, name) for domain, slug, name in terms if domain == "post_tag"],
            featured_image=(
                SourceImage(url="", attachment_id=thumbnail_id)
                if thumbnail_id not in ("", "0")
                else None
            ),
            old_paths=self.old_paths(source_id, fields),
            comment_count=comments,
            language=next((slug for domain, slug, _ in terms if domain == "language"), ""),
        )

    def date(self, fields, name):
        """The GMT date when WordPress kept one, else the local date in the site's zone."""
        for key, zone in ((f"{name}_gmt", UTC), (name, self.zone)):
            value = fields.get(key, "")
            if value and value != NO_DATE:
                try:
                    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone)
                except ValueError:
                    continue
        return None

    def byline(self, login, terms):
        """Co-Authors Plus puts the whole byline, in order, as "author" terms on the post, their
        slugs prefixed "cap-"; without them, the post's single author is dc:creator."""
        coauthors = [
            Ref(slug=slug.removeprefix("cap-"), name=name)
            for domain, slug, name in terms
            if domain == "author"
        ]
        if coauthors or not login:
            return coauthors
        return [self.authors.get(login) or Ref(slug=slugify(login.replace(".", "-")), name=login)]

    def categories(self, terms, primary_id):
        refs = [Ref(slug, name) for domain, slug, name in terms if domain == "category"]
        primary = self.category_ids.get(primary_id)
        for index, ref in enumerate(refs):
            if ref.slug == primary:
                refs.insert(0, refs.pop(index))
                break
        return refs

    def old_paths(self, source_id, fields):
        paths = []
        if fields.get("link"):
            paths.append(self.relative(fields["link"]))
        guid_ids = parse_qs(urlsplit(fields.get("guid", "")).query).get("p", [])
        paths += [f"/?p={post_id}" for post_id in guid_ids] + [f"/?p={source_id}"]
        return list(dict.fromkeys(paths))

    def relative(self, url):
        parts = urlsplit(url)
        path = unquote(parts.path) or "/"
        if self.base_path and (path == self.base_path or path.startswith(self.base_path + "/")):
            path = path[len(self.base_path) :] or "/"
        return f"{path}?{parts.query}" if parts.query else path


def texts(element):
    """The text of each child of `element`, by short name."""
    return {short_name(child.tag): (child.text or "").strip() for child in element}


# wpautop's block-level elements: no paragraph is made around them.
BLOCKS = (
    r"(?:address|article|aside|blockquote|caption|col|colgroup|dd|details|div|dl|dt|fieldset"
    r"|figcaption|figure|footer|form|h[1-6]|header|hgroup|hr|legend|li|map|menu|nav|ol|p|pre"
    r"|section|style|summary|table|tbody|td|tfoot|th|thead|tr|ul)"
)
KEPT_AS_IS = re.compile(r"<(pre|script|style|svg|math)\b.*?</\1\s*>", re.I | re.S)
BLOCK_OPENING = re.compile(rf"(<{BLOCKS}\b)", re.I)
# <hr> has no closing tag: the paragraph after it starts after it.
BLOCK_CLOSING = re.compile(rf"(</{BLOCKS}>|<hr\b[^>]*>)", re.I)
P_BEFORE_BLOCK = re.compile(rf"<p>\s*(</?{BLOCKS}\b[^>]*>)", re.I)
P_AFTER_BLOCK = re.compile(rf"(</?{BLOCKS}\b[^>]*>)\s*</p>", re.I)
BR_AFTER_BLOCK = re.compile(rf"(</?{BLOCKS}\b[^>]*>)\s*<br>", re.I)
BR_BEFORE_BLOCK = re.compile(r"<br>(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)\b[^>]*>)", re.I)


def autop(html):
    """The body as WordPress showed it: its classic editor stores paragraphs as blank lines and
    line breaks as newlines, and wpautop() makes them <p> and <br> when the page is shown.

    This is wpautop's core: blank lines around block tags, a <p> around each chunk between blank
    lines, none around block tags, <br> for the newlines left inside a paragraph. <pre>, <script>,
    <style>, <svg> and <math> keep their newlines. Block-editor posts ("<!-- wp:" comments)
    already hold their <p>s and WordPress does not run wpautop on them: they are left alone."""
    if not html.strip() or "<!-- wp:" in html:
        return html
    kept = []

    def keep(match):
        kept.append(match.group(0))
        return f'<pre data-kept="{len(kept) - 1}"></pre>'

    text = KEPT_AS_IS.sub(keep, html.replace("\r\n", "\n").replace("\r", "\n"))
    text = re.sub(r"<[^>]*>", lambda tag: tag.group(0).replace("\n", " "), text)
    text = BLOCK_CLOSING.sub(r"\1\n\n", BLOCK_OPENING.sub(r"\n\n\1", text))
    chunks = [chunk.strip() for chunk in re.split(r"\n\s*\n", text) if chunk.strip()]
    text = "".join(f"<p>{chunk}</p>\n" for chunk in chunks)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.I)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = P_AFTER_BLOCK.sub(r"\1", P_BEFORE_BLOCK.sub(r"\1", text))
    text = re.sub(r"(?<!<br>)[ \t]*\n(?!$)", "<br>\n", text)
    text = BR_BEFORE_BLOCK.sub(r"\1", BR_AFTER_BLOCK.sub(r"\1", text))
    text = re.sub(r'<pre data-kept="(\d+)"></pre>', lambda m: kept[int(m.group(1))], text)
    return text.rstrip("\n")
