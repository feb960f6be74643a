"""Turning the plain-text pieces newsrooms receive into articles.

The shape: first line the headline, then paragraphs, last line the byline
("Titi KEITA", "By A and B"). Blank lines are ignored.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.text import slugify

from articles.models import Article, Author, Byline
from articles.models.content import RESERVED_ARTICLE_SLUGS
from articles.signals import article_changed, article_published

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_HEADLINE_LENGTH = Article._meta.get_field("headline").max_length
MAX_NAME_LENGTH = 80
MAX_NAME_WORDS = 6
# "A, B and C", "A & B", "A et B": one byline line can name several authors.
BYLINE_SEPARATORS = re.compile(r"\s*,\s*|\s+&\s+|\s+and\s+|\s+et\s+")
BYLINE_PREFIX = re.compile(r"^(by|par)\b\s*", re.IGNORECASE)
SENTENCE_END = tuple('.!?;:…"”»')


class ImportRejected(ValueError):
    """The file cannot become an article; the message says why, in one line."""


@dataclass(frozen=True)
class PlainTextPiece:
    headline: str
    paragraphs: list[str]
    author_names: list[str]

    def body_html(self):
        return format_html_join("\n", "<p>{}</p>", ((paragraph,) for paragraph in self.paragraphs))


def read_piece(path):
    path = Path(path)
    if not path.exists():
        raise ImportRejected(f"{path}: no such file")
    if not path.is_file():
        raise ImportRejected(f"{path}: not a regular file")
    if path.stat().st_size > MAX_IMPORT_BYTES:
        raise ImportRejected(f"{path}: larger than {MAX_IMPORT_BYTES // 1024} KiB")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ImportRejected(f"{path}: cannot be read ({exc.strerror})") from None
    return parse_piece(raw, source=str(path))


def parse_piece(raw, *, source="input"):
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            f"{source}: not UTF-8 text (invalid byte at position {exc.start})"
        ) from None
    if "\x00" in text:
        raise ImportRejected(f"{source}: contains NUL bytes; not a text file")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise ImportRejected(f"{source}: the file is empty")
    if len(lines) < 3:
        raise ImportRejected(
            f"{source}: expected a headline, at least one paragraph and a byline on the last line"
        )
    headline = lines[0]
    if len(headline) > MAX_HEADLINE_LENGTH:
        raise ImportRejected(
            f"{source}: the first line (headline) is longer than {MAX_HEADLINE_LENGTH} characters"
        )
    return PlainTextPiece(
        headline=headline,
        paragraphs=lines[1:-1],
        author_names=parse_byline(lines[-1], source=source),
    )


def parse_byline(line, *, source="input"):
    rejected = ImportRejected(
        f"{source}: no byline: the last line should name the author(s), got {line[:60]!r}"
    )
    names_text = BYLINE_PREFIX.sub("", line).strip()
    if not names_text or names_text.endswith(SENTENCE_END):
        raise rejected
    names = [name.strip() for name in BYLINE_SEPARATORS.split(names_text) if name.strip()]
    for name in names:
        words = name.split()
        if (
            len(name) > MAX_NAME_LENGTH
            or len(words) > MAX_NAME_WORDS
            or not any(char.isalpha() for char in name)
        ):
            raise rejected
    if not names:
        raise rejected
    return names


def unique_slug(model, text, *, fallback):
    base = slugify(text)[:200].strip("-") or fallback
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def author_named(name):
    """The author whose byline reads `name`, created if the desk has never seen them."""
    author = Author.objects.filter(name__iexact=name).order_by("pk").first()
    if author is None:
        author = Author.objects.create(name=name, slug=unique_slug(Author, name, fallback="author"))
    return author


@transaction.atomic
def import_piece(piece, *, section, genre, publish=False, published_at=None, created_by=None):
    slug = slugify(piece.headline)[:200].strip("-")
    if slug in RESERVED_ARTICLE_SLUGS:
        slug = f"{slug}-article"
    if slug and Article.objects.filter(slug=slug).exists():
        raise ImportRejected(
            f"an article with the slug {slug!r} already exists; not imported twice"
        )
    article = Article.objects.create(
        headline=piece.headline,
        slug=slug or unique_slug(Article, piece.headline, fallback="article"),
        body=piece.body_html(),
        section=section,
        genre=genre,
        status=Article.Status.PUBLISHED if publish else Article.Status.DRAFT,
        published_at=(published_at or timezone.now()) if publish else None,
        created_by=created_by,
    )
    Byline.objects.bulk_create(
        Byline(article=article, author=author_named(name), position=position)
        for position, name in enumerate(piece.author_names)
    )
    article_changed.send(
        sender=Article, articles=Article.objects.filter(pk=article.pk), fields=None
    )
    if publish:
        article_published.send(sender=Article, article=article, by=created_by)
    return article
