"""What a reader asked for (Search) and the published articles that answer it (find_articles).

On PostgreSQL the words are parsed as a web search (quoted phrases, `-word`, `or`) in each
article language's configuration and matched against the stored vectors (search.documents);
the newest MAX_RANKED matches are ranked, best first, and PostgreSQL marks the matched words,
all through the ORM (django.contrib.postgres.search). SQLite has no
full-text search: there every word must appear somewhere, newest first, and Python marks them
(search.results).
"""

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    TextField,
    When,
)
from django.db.models.functions import Left
from django.http import QueryDict

from articles.models import Article, Byline, TaggedArticle
from articles.models.content import LIST_SKIPS
from search.documents import body_text, search_configs

MAX_QUERY_LENGTH = 200
# Ranking reads each match's whole stored vector (some 5 kB, kept out of line): at 10,000
# articles, ranking every match of a common word took 350 ms, and a p95 of 260 ms over the
# bench's searches. Only the newest this many matches are ranked (and counted), found by the
# index; a reader never pages that far, and on a news site the newest are the likeliest wanted.
MAX_RANKED = 200
# Matches are looked for among this many of the newest public articles first (newest_ids).
WINDOW = 500
# A quoted phrase is checked on this many of the newest articles holding all its words.
PHRASE_CANDIDATES = 1000
# In websearch syntax, -"a b" excludes a phrase.
NEGATED_PHRASE = re.compile(r'-"[^"]*(?:"|$)')
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
    articles = Article.objects.published().filter(search.filters())
    if not search.query:
        return articles.with_byline().defer(*LIST_SKIPS)
    if search.is_ranked:
        return ranked_matches(articles, search.query)
    # The fallback marks words in the body itself.
    return word_matches(articles.with_byline().defer("search_vector"), search.query)


# PostgreSQL.


def per_language(expressions, output_field):
    """One expression per article language ({code: expression}), each applied to the articles
    written in it; for articles all written in one language, that language's own (compiling
    a CASE of them all was a third of a search's Python time)."""
    if len(expressions) == 1:
        return next(iter(expressions.values()))
    whens = [When(language=code, then=expression) for code, expression in expressions.items()]
    return Case(*whens, output_field=output_field)


def parsed(text, configs):
    """{language code: the words parsed as a web search in that language's configuration}."""
    return {
        code: SearchQuery(text, search_type="websearch", config=config)
        for code, config in configs.items()
    }


def matching(queries):
    """Articles matched by the words parsed in their own language's configuration: a query
    parsed in another one would stem differently, and `-votes` stemmed the French way would
    not exclude an English "votes"."""
    condition = Q()
    for code, query in queries.items():
        condition |= Q(language=code, search_vector=query)
    return condition


def loosened(text):
    """`text` with its phrases as plain words and its excluded phrases dropped: it matches every
    article `text` matches (and more), and the index alone answers it."""
    return " ".join(NEGATED_PHRASE.sub(" ", text).replace('"', " ").split())


def newest_ids(articles, queries, limit):
    """The ids and languages of the newest `limit` of `articles` that `queries` (parsed())
    match, newest first.

    Each vector tested is read whole (some 5 kB, kept out of line: 8 µs), which the planner
    costs as nearly free. So the newest WINDOW public articles are looked at first: a word in
    more than limit/WINDOW of them (40% with the defaults) fills the limit there, reading at
    most WINDOW vectors. Rarer words are found by the GIN index alone (newest_ids_by_index)."""
    window_starts = Subquery(
        Article.objects.published()
        .order_by("-published_at")
        .values("published_at")[WINDOW - 1 : WINDOW]
    )
    in_window = articles.filter(matching(queries), published_at__gte=window_starts)
    found = list(in_window.order_by("-published_at", "-pk").values_list("pk", "language")[:limit])
    if len(found) == limit:
        return found
    return newest_ids_by_index(articles, queries, limit)


def newest_ids_by_index(articles, queries, limit):
    """newest_ids() for words in less than some 40% of the articles, found by the GIN index.

    One branch per language, so that each asks the index exactly what it holds: the index
    then answers for every row and no vector is read (a condition on language and words
    together is tested on each row, reading its vector: 13 ms for a name in a tenth of 10,000
    articles). The branches are ordered together, an order no index holds, so the planner
    cannot walk the date index testing vector after vector instead (20 ms for two words in a
    tenth of the archive, 80 ms for a rare phrase). It would scan the table testing every
    vector for words in more than some 60% of it (160 ms): newest_ids() answers those."""
    branches = [
        articles.filter(language=code, search_vector=query)
        .order_by()
        .values_list("pk", "language", "published_at")
        for code, query in queries.items()
    ]
    matches = branches[0].union(*branches[1:], all=True)
    newest = matches.order_by("-published_at", "-pk")[:limit]
    return [(pk, language) for pk, language, _ in newest]


def ranked_matches(articles, text):
    """The newest MAX_RANKED of `articles` that match `text`, ranked, best first (the newest
    first among equals), with their section and bylines, annotated with their headline,
    standfirst and snippet marked (START_MARK and STOP_MARK around each matched word)."""
    configs = search_configs()
    queries = parsed(text, configs)
    if '"' in text:
        # A phrase needs each candidate's word positions, which only its stored vector holds:
        # it is looked for among the newest PHRASE_CANDIDATES articles holding its words.
        loose = parsed(loosened(text), configs)
        candidates = [pk for pk, _ in newest_ids(articles, loose, PHRASE_CANDIDATES)]
        exact = Article.objects.filter(pk__in=candidates).filter(matching(queries))
        newest = exact.order_by("-published_at", "-pk").values_list("pk", "language")
        ranked = list(newest[:MAX_RANKED])
    else:
        ranked = newest_ids(articles, queries, MAX_RANKED)
    if not ranked:
        return Article.objects.none()
    # Ranked and marked in the languages they are written in.
    languages = {language for _, language in ranked}
    queries = {code: query for code, query in queries.items() if code in languages}

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
        Article.objects.filter(pk__in=[pk for pk, _ in ranked])
        .with_byline()
        .defer(*LIST_SKIPS)
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
