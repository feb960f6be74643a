"""What a reader asked for (Search) and the published articles that answer it (find_articles).

On PostgreSQL the words are parsed as a web search (quoted phrases, `-word`, `or`) in each
article language's configuration and matched against the stored vectors (search.documents);
every match is ranked, best first, and PostgreSQL marks the matched words. SQLite has no
full-text search: there every word must appear somewhere, newest first, and Python marks them
(search.results).
"""

import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, Exists, F, FloatField, OuterRef, Q, TextField, When
from django.db.models.functions import Left
from django.http import QueryDict

from articles.models import Article, Byline, TaggedArticle
from articles.models.content import LIST_SKIPS
from search.documents import body_text, search_configs

MAX_QUERY_LENGTH = 200
# Enough for any real query, and it keeps the fallback's WHERE clause small.
MAX_FALLBACK_TERMS = 8
# What the websearch syntax uses, stripped from words before the fallback matches them.
QUERY_PUNCTUATION = "\"'“”‘’«»()&|!<>:*-+~.,;?"
# Snippets are picked from the opening of the body, which news writing front-loads:
# PostgreSQL parses what it marks at about 0.25 µs a character, twenty times a page.
SNIPPET_SOURCE_CHARS = 1000
SNIPPET_WORDS = 30
# PostgreSQL marks matches with these; search.results swaps them for <mark> only after
# escaping the text, so nothing an article says can become markup.
START_MARK, STOP_MARK = "\ue000", "\ue001"


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

    @property
    def is_ranked(self):
        """Whether the database ranks and marks the matches (words, on PostgreSQL)."""
        return bool(self.query) and connection.vendor == "postgresql"

    def filters(self):
        """The filters as one condition on articles."""
        condition = Q()
        if self.section:
            condition &= Q(section__slug=self.section)
        if self.genre:
            condition &= Q(genre=self.genre)
        if self.author:
            # Exists, not a join: an author with two bylines on one piece finds it once.
            condition &= Exists(
                Byline.objects.filter(article=OuterRef("pk"), author__slug=self.author)
            )
        return condition

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


def find_articles(search):
    """Published articles that match `search`, with their section and bylines: best first when
    words are given (ranked and marked on PostgreSQL), else newest first."""
    articles = Article.objects.published().filter(search.filters()).with_byline()
    if not search.query:
        return articles.defer(*LIST_SKIPS)
    if search.is_ranked:
        return ranked_matches(articles.defer(*LIST_SKIPS), search.query)
    # The fallback marks words in the body itself.
    return word_matches(articles.defer("search_vector"), search.query)


# PostgreSQL.


def per_language(expressions, output_field):
    """One expression per article language ({code: expression}), each applied to the articles
    written in it."""
    whens = [When(language=code, then=expression) for code, expression in expressions.items()]
    return Case(*whens, output_field=output_field)


def ranked_matches(articles, text):
    """`articles` that match `text`, every match ranked, best first (the newest first among
    equals), annotated with their headline, standfirst and snippet marked (START_MARK and
    STOP_MARK around each matched word).

    Each article is matched by the words parsed in its own language's configuration: a query
    parsed in another one would stem differently, and `-votes` stemmed the French way would
    not exclude an English "votes"."""
    configs = search_configs()
    queries = {
        code: SearchQuery(text, search_type="websearch", config=config)
        for code, config in configs.items()
    }
    matches = Q()
    for code, query in queries.items():
        matches |= Q(language=code, search_vector=query)

    def marked(source, **options):
        return per_language(
            {
                code: SearchHeadline(
                    source,
                    query,
                    config=configs[code],
                    start_sel=START_MARK,
                    stop_sel=STOP_MARK,
                    **options,
                )
                for code, query in queries.items()
            },
            TextField(),
        )

    return (
        articles.filter(matches)
        .annotate(
            rank=per_language(
                {code: SearchRank(F("search_vector"), query) for code, query in queries.items()},
                FloatField(),
            ),
            marked_headline=marked("headline", highlight_all=True),
            marked_standfirst=marked("standfirst", highlight_all=True),
            marked_snippet=marked(
                body_text(Left("body", SNIPPET_SOURCE_CHARS)),
                max_words=SNIPPET_WORDS,
                min_words=SNIPPET_WORDS // 2,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-rank", "-published_at", "-pk")
    )


# Elsewhere.


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
