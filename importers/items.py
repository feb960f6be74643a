"""What an export holds, in one shape whatever system wrote it.

The readers of each format (importers.wordpress, importers.ghost) turn a file into these, in
file order, and the loader (importers.loading) turns these into Newsroom's rows. A reader never
touches the database; the loader never reads a file.

A reader yields, in any order the file gives them, `SourceSite` (first, once), `SourceAuthor`,
`SourceTerm`, `SourcePost`, `SourceAttachment` and `Skipped` items. A post names its authors
and terms by slug with their display names, so the loader can make one it has not seen
(WordPress co-authors are terms on the post itself).
Text is str; dates are aware datetimes (UTC when the file gives no zone) or None.
"""

from dataclasses import dataclass, field
from datetime import datetime


class SourceError(Exception):
    """The file cannot be read as this format: one line that says why, for the operator."""


# Statuses a post can arrive with, as Newsroom sees them.
PUBLISHED = "published"  # public (its date may be in the past only; a future one is SCHEDULED)
SCHEDULED = "scheduled"  # WordPress "future", Ghost "scheduled": goes live at published_at
DRAFT = "draft"
IN_REVIEW = "in_review"  # WordPress "pending"
PRIVATE = "private"  # not public: imported, never shown
TRASH = "trash"  # not public: imported into the bin
STATUSES = {PUBLISHED, SCHEDULED, DRAFT, IN_REVIEW, PRIVATE, TRASH}


@dataclass
class SourceSite:
    """What the file says of the site it came from (first item of a reader, when known)."""

    title: str = ""
    base_url: str = ""  # "https://example.com", no trailing slash
    language: str = ""  # "en", "fr", ... when the export says


@dataclass
class SourceAuthor:
    source_id: str  # WordPress login or co-author term slug, Ghost user id
    slug: str
    name: str
    bio: str = ""
    email: str = ""
    old_paths: list[str] = field(default_factory=list)  # e.g. ["/author/jane/"]


@dataclass
class SourceTerm:
    kind: str  # "category" or "tag"
    source_id: str
    slug: str
    name: str
    description: str = ""
    old_paths: list[str] = field(default_factory=list)  # e.g. ["/category/news/", "/tag/x/"]


@dataclass
class Ref:
    """An author or a term as a post names it."""

    slug: str
    name: str = ""


@dataclass
class SourceImage:
    url: str  # absolute URL in the export
    alt: str = ""
    caption: str = ""
    relative_path: str = ""  # path under the uploads folder (--media-root), when known
    # WordPress names a post's featured image by its attachment's id, and the attachment may
    # come later in the file: the loader resolves it once the file is read (SourceAttachment).
    attachment_id: str = ""


@dataclass
class SourcePost:
    source_id: str  # WordPress post id, Ghost post id
    kind: str  # "post", "page", "attachment", or what else the file says
    title: str
    slug: str  # may be non-ASCII (percent-decoded) or empty
    html: str  # the body as the source rendered it, not yet sanitized
    status: str  # one of STATUSES
    excerpt: str = ""
    published_at: datetime | None = None
    modified_at: datetime | None = None
    authors: list[Ref] = field(default_factory=list)  # in byline order
    categories: list[Ref] = field(default_factory=list)  # the primary one first
    tags: list[Ref] = field(default_factory=list)
    featured_image: SourceImage | None = None
    old_paths: list[str] = field(default_factory=list)  # e.g. ["/2020/01/02/slug/", "/?p=12"]
    comment_count: int = 0
    language: str = ""


@dataclass
class SourceAttachment:
    """A WordPress media item: not an article, but what a featured image may point to."""

    source_id: str
    url: str
    alt: str = ""
    caption: str = ""
    relative_path: str = ""


@dataclass
class Skipped:
    """Something the file holds that does not come over (an attachment, a menu item, a
    comment count...), said in the report."""

    kind: str
    source_id: str = ""
    title: str = ""
    why: str = ""
