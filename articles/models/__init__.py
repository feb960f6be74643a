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
from .revisions import Correction, EditingPresence, Revision
from .workflow import AuditEntry, EditorialNote

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
    "TaggedArticle",
    "validate_section_slug",
]
