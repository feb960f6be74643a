"""What an article's search vector is made of, and how it is kept up to date (PostgreSQL).

Every article stores a weighted `search_vector`: headline A; standfirst, author and tag names B;
body C; stemmed for the language it is written in. Searches rank with it (search.queries).
SQLite, the development default, has no full-text search and stores nothing.
"""

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import Case, F, Func, OuterRef, QuerySet, Subquery, TextField, Value, When

from articles.models import Article, Byline, TaggedArticle

# Stemmer and stop words for each article language; any other language is indexed word by word.
SEARCH_CONFIGS = {"en": "english", "fr": "french"}
FALLBACK_CONFIG = "simple"
# A tag as the sanitizer writes it: attribute values are always double-quoted. One cut off at
# the end (a body shortened for snippets) goes too.
HTML_TAG = r'<(?:[^>"]|"[^"]*")*(?:>|$)'


def search_configs():
    """{language code: text search configuration} for every language articles are written in
    (the site's LANGUAGES, the field's choices)."""
    return {code: SEARCH_CONFIGS.get(code, FALLBACK_CONFIG) for code, _ in settings.LANGUAGES}


def language_config():
    """The configuration of each article's own language, as an expression on its row."""
    whens = [When(language=code, then=Value(name)) for code, name in SEARCH_CONFIGS.items()]
    return Case(*whens, default=Value(FALLBACK_CONFIG), output_field=TextField())


def body_text(source=None):
    """The body without its tags; PostgreSQL's parser already skips entities such as &amp;."""
    return Func(
        source or F("body"),
        Value(HTML_TAG),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def search_document():
    """The weighted vector of one article row, for UPDATE ... SET search_vector = ..."""
    author_names = Subquery(
        Byline.objects.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(names=StringAgg("author__name", " ", order_by=("position", "pk")))
        .values("names")
    )
    tag_names = Subquery(
        TaggedArticle.objects.filter(content_object=OuterRef("pk"))
        .order_by()
        .values("content_object")
        .annotate(names=StringAgg("tag__name", " ", order_by=("tag__name",)))
        .values("names")
    )
    return (
        SearchVector("headline", config=language_config(), weight="A")
        + SearchVector("standfirst", author_names, tag_names, config=language_config(), weight="B")
        + SearchVector(body_text(), config=language_config(), weight="C")
    )


def refresh_search_vector(articles):
    """Recompute the stored search vector of `articles`, in one UPDATE; returns the row count.

    `articles` is an Article, a queryset of articles, or an iterable of ids (or of articles).
    The domain's `article_changed` signal calls it (search.receivers); bulk loaders outside the
    domain (the synthetic corpus) call it themselves. Nothing to store on other databases.
    """
    if isinstance(articles, Article):
        ids = [articles.pk]
    elif isinstance(articles, QuerySet):
        if articles.model is not Article:
            raise TypeError(f"expected a queryset of articles, got one of {articles.model}")
        ids = articles.values("pk")
    else:
        ids = [getattr(article, "pk", article) for article in articles]
    if connection.vendor != "postgresql":
        return 0
    return Article.objects.filter(pk__in=ids).update(search_vector=search_document())
