from articles.models.revisions import Correction, EditingPresence, Revision
from articles.models.tags import Tag
from articles.models.workflow import AuditEntry, EditorialNote

from .content import (
    RESERVED_SECTION_SLUGS,
    WORDS_PER_MINUTE,
    Article,
    ArticleQuerySet,
    Author,
    Byline,
    Section,
    SlugRedirect,
    TaggedArticle,
    validate_section_slug,
)

__all__ = [
    "RESERVED_SECTION_SLUGS",
    "WORDS_PER_MINUTE",
    "Article",
    "ArticleQuerySet",
    "AuditEntry",
    "Author",
    "Byline",
    "Correction",
    "EditingPresence",
    "EditorialNote",
    "Revision",
    "Section",
    "SlugRedirect",
    "Tag",
    "TaggedArticle",
    "validate_section_slug",
]
