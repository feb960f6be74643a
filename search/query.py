"""Site search: ranked full-text search on PostgreSQL, a plain word match elsewhere.

On PostgreSQL every article stores a weighted `search_vector` (headline A; standfirst, author
and tag names B; body C), stemmed for the language it is written in. Searches rank with it and
let PostgreSQL pick and mark the passages. SQLite, the development default, has no full-text
search: there every word must appear somewhere, newest first, and Python marks the words.
"""

import html
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.generic import ListView

from articles.models import Article, Author, Byline, TaggedArticle
from articles.models.content import LIST_SKIPS
from public.context_processors import remember_sections
from search.ranked import (
    HTML_TAG,
    SNIPPET_WORDS,
    START_MARK,
    STOP_MARK,
    RankedMatches,
)

MAX_QUERY_LENGTH = 200
# A word in a tenth of a big archive matches thousands of articles; ranking each costs a read
# of its whole search vector. Only the newest this many matches are ranked (and counted): a
# reader never pages that far, and on a news site the newest are the likeliest wanted.
MAX_RANKED = 200
# Enough for any real query, and it keeps the fallback's WHERE clause small.
MAX_FALLBACK_TERMS = 8
# Stemmer and stop words for each article language; any other language is indexed word by word.
SEARCH_CONFIGS = {"en": "english", "fr": "french"}
FALLBACK_CONFIG = "simple"
MARKED = re.compile(f"{START_MARK}(.*?){STOP_MARK}", re.DOTALL)
# What the websearch syntax uses, stripped from words before the fallback matches them.
QUERY_PUNCTUATION = "\"'“”‘’«»()&|!<>:*-+~.,;?"


def clean_text(raw, limit=MAX_QUERY_LENGTH):
    """What a reader typed, made safe to send to the database and bounded in length.

    PostgreSQL refuses NUL in text and a lone surrogate cannot be encoded, so control and
    surrogate characters become spaces; runs of spaces collapse to one.
    """
    kept = (
        " " if unicodedata.category(char) in {"Cc", "Cs"} else char for char in raw[: limit * 10]
    )
    return " ".join("".join(kept).split())[:limit].strip()


@dataclass(frozen=True)
class Search:
    """One reader's search: the words, and the filters that narrow it."""

    query: str = ""
    section: str = ""
    genre: str = ""
    author: str = ""

    @classmethod
    def from_params(cls, params):
        genre = clean_text(params.get("genre", ""), 20)
        return cls(
            query=clean_text(params.get("q", "")),
            section=clean_text(params.get("section", ""), 80),
            genre=genre if genre in Article.Genre.values else "",
            author=clean_text(params.get("author", ""), 140),
        )

    @property
    def is_blank(self):
        return not (self.query or self.section or self.genre or self.author)

    def filters(self):
        filters = {}
        if self.section:
            filters["section__slug"] = self.section
        if self.genre:
            filters["genre"] = self.genre
        if self.author:
            filters["bylines__author__slug"] = self.author
        return filters

    def as_params(self):
        """The search as it belongs in a link: cleaned, and only what is set."""
        params = QueryDict(mutable=True)
        for key, value in [
            ("q", self.query),
            ("section", self.section),
            ("genre", self.genre),
            ("author", self.author),
        ]:
            if value:
                params[key] = value
        return params


# The stored vector (PostgreSQL).


def search_configs():
    # Article languages are the site's LANGUAGES (the field's choices): one branch each.
    return {code: SEARCH_CONFIGS.get(code, FALLBACK_CONFIG) for code, _ in settings.LANGUAGES}


def language_config():
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
    Call it after anything searched changes: headline, standfirst, body, language, bylines,
    tags, or the name of an author or a tag. Nothing to store on other databases.
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


# Finding.


def find_articles(search, *, expected_page=1):
    """Published articles that match `search`: best first when words are given, else newest.

    On PostgreSQL, words give RankedMatches (the newest MAX_RANKED matches, ranked, a page at
    a time); otherwise a queryset."""
    if search.query and connection.vendor == "postgresql":
        return RankedMatches(
            search,
            configs=search_configs(),
            limit=MAX_RANKED,
            page_size=settings.NEWSROOM_PAGE_SIZE,
            expected_page=expected_page,
        )
    articles = Article.objects.published().with_byline().filter(**search.filters())
    if not search.query:
        return articles.defer(*LIST_SKIPS)
    # The fallback marks words in the body itself.
    return word_matches(articles.defer("search_vector"), search.query)


def fallback_terms(text):
    words = (word.strip(QUERY_PUNCTUATION) for word in text.split())
    return list(dict.fromkeys(word for word in words if word))[:MAX_FALLBACK_TERMS]


def word_matches(articles, text):
    """Without full-text search: every word somewhere in the article, its bylines or tags."""
    terms = fallback_terms(text)
    if not terms:
        return articles.none()
    for term in terms:
        articles = articles.filter(
            Q(headline__icontains=term)
            | Q(standfirst__icontains=term)
            | Q(body__icontains=term)
            | Exists(Byline.objects.filter(article=OuterRef("pk"), author__name__icontains=term))
            | Exists(
                TaggedArticle.objects.filter(
                    content_object=OuterRef("pk"), tag__name__icontains=term
                )
            )
        )
    return articles


# Showing.


@dataclass(frozen=True)
class Result:
    """An article found, with its headline, standfirst and snippet as safe, marked HTML."""

    article: Article
    headline: str
    standfirst: str
    snippet: str


def plain_text(body_html):
    return " ".join(html.unescape(re.sub(HTML_TAG, " ", body_html)).split())


def marked_by_database(text, *, is_html=False):
    """Escape what PostgreSQL returned, then turn its sentinels into <mark>."""
    if is_html:
        # The body's entities come back as written (&lt;); readers see the characters.
        text = " ".join(html.unescape(text).split())
    marked = MARKED.sub(r"<mark>\1</mark>", escape(text))
    return mark_safe(marked.replace(START_MARK, "").replace(STOP_MARK, ""))


def marked_terms(text, terms):
    """`text` escaped, with every occurrence of a term (any case) wrapped in <mark>."""
    if not terms:
        return escape(text)
    # Longest first, so "zanzibar" is marked whole when "zan" is a term too.
    longest_first = sorted(terms, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(term) for term in longest_first), re.IGNORECASE)
    pieces, end = [], 0
    for match in pattern.finditer(text):
        pieces += [escape(text[end : match.start()]), f"<mark>{escape(match.group())}</mark>"]
        end = match.end()
    pieces.append(escape(text[end:]))
    return mark_safe("".join(pieces))


def excerpt(text, terms):
    """About SNIPPET_WORDS words of `text`, starting a little before the first term found."""
    words = text.split()
    lowered = [term.lower() for term in terms]
    first = next(
        (i for i, word in enumerate(words) if any(term in word.lower() for term in lowered)), 0
    )
    start = max(0, first - SNIPPET_WORDS // 3)
    end = start + SNIPPET_WORDS
    return " ".join(
        [*(["…"] if start else []), *words[start:end], *(["…"] if end < len(words) else [])]
    )


def result_for(found, search):
    """The Result for an item of find_articles(search): an article, or a ranked match's
    (article, headline, standfirst, snippet) as PostgreSQL marked them."""
    if isinstance(found, tuple):
        article, headline, standfirst, snippet = found
        return Result(
            article,
            headline=marked_by_database(headline),
            standfirst=marked_by_database(standfirst),
            snippet=marked_by_database(snippet, is_html=True),
        )
    article = found
    terms = fallback_terms(search.query)
    return Result(
        article,
        headline=marked_terms(article.headline, terms),
        standfirst=marked_terms(article.standfirst, terms),
        snippet=marked_terms(excerpt(plain_text(article.body), terms), terms) if terms else "",
    )


class SearchView(ListView):
    """Ranked matches for ?q=…, narrowed by ?section= and ?author= (slugs) and ?genre=.

    Filters without words list what they select, newest first; with neither, only the form.
    """

    template_name = "articles/search.html"
    context_object_name = "articles"
    # A page number that is not a number, or past the end, is a 404, as on every list.
    allow_empty = True

    def get(self, request, *args, **kwargs):
        self.search = Search.from_params(request.GET)
        return super().get(request, *args, **kwargs)

    def get_paginate_by(self, queryset):
        return settings.NEWSROOM_PAGE_SIZE

    def get_queryset(self):
        if self.search.is_blank:
            return Article.objects.none()
        page = self.kwargs.get(self.page_kwarg) or self.request.GET.get(self.page_kwarg) or 1
        expected_page = int(page) if str(page).isdigit() else 1
        return find_articles(self.search, expected_page=expected_page)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        search = self.search
        sections = getattr(context["paginator"].object_list, "sections", None)
        if sections is not None:
            remember_sections(self.request, sections)
        return {
            **context,
            "search": search,
            "search_params": search.as_params(),
            "results": [result_for(article, search) for article in context["articles"]],
            "genres": Article.Genre.choices,
            "max_query_length": MAX_QUERY_LENGTH,
            # Only the newest MAX_RANKED matches are ranked: say so rather than a false count.
            "more_than": MAX_RANKED
            if search.query
            and connection.vendor == "postgresql"
            and context["paginator"].count >= MAX_RANKED
            else None,
            "author": Author.objects.filter(slug=search.author).first() if search.author else None,
        }


search_view = SearchView.as_view()
