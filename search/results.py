"""What a search card shows: an article found, its headline, standfirst and snippet with the
matched words marked, as safe HTML.

Text is cut into pieces, marked or not, and each is escaped by format_html: nothing an article
(or a reader's query) says can become markup.
"""

import html
import re
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join

from articles.models import Article
from search.documents import HTML_TAG
from search.queries import SNIPPET_WORDS, START_MARK, STOP_MARK, fallback_terms

MARKED = re.compile(f"{START_MARK}(.*?){STOP_MARK}", re.DOTALL)
MARK = "<mark>{}</mark>"


@dataclass(frozen=True)
class Result:
    """An article found, with its headline, standfirst and snippet as safe, marked HTML."""

    article: Article
    headline: str
    standfirst: str
    snippet: str


def result_for(article, search):
    """The Result for an article of find_articles(search): marked by PostgreSQL when it ranked
    the matches, by Python otherwise."""
    if search.is_ranked:
        return Result(
            article,
            headline=marked_by_database(article.marked_headline),
            standfirst=marked_by_database(article.marked_standfirst),
            snippet=marked_by_database(article.marked_snippet, is_html=True),
        )
    terms = fallback_terms(search.query)
    return Result(
        article,
        headline=marked_terms(article.headline, terms),
        standfirst=marked_terms(article.standfirst, terms),
        snippet=marked_terms(excerpt(plain_text(article.body), terms), terms) if terms else "",
    )


def marked_by_database(text, *, is_html=False):
    """What PostgreSQL returned, its marks made <mark>."""
    if is_html:
        # The body's entities come back as written (&lt;); readers see the characters.
        text = " ".join(html.unescape(text).split())
    # split() gives the text between marks at even places, what they enclose at odd ones; a
    # mark the text itself held (a private-use character) is dropped.
    pieces = MARKED.split(text)
    return with_marks(
        (piece.replace(START_MARK, "").replace(STOP_MARK, ""), n % 2 == 1)
        for n, piece in enumerate(pieces)
    )


def with_marks(pieces):
    """Safe HTML from (text, is marked) pairs: each text escaped, the marked ones in <mark>."""
    return format_html_join(
        "", "{}", ((format_html(MARK, text) if marked else text,) for text, marked in pieces)
    )


def plain_text(body_html):
    return " ".join(html.unescape(re.sub(HTML_TAG, " ", body_html)).split())


def marked_terms(text, terms):
    """`text` escaped, with every occurrence of a term (any case) wrapped in <mark>."""
    if not terms:
        return with_marks([(text, False)])
    # Longest first, so "zanzibar" is marked whole when "zan" is a term too.
    longest_first = sorted(terms, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(term) for term in longest_first), re.IGNORECASE)
    pieces, end = [], 0
    for match in pattern.finditer(text):
        pieces += [(text[end : match.start()], False), (match.group(), True)]
        end = match.end()
    pieces.append((text[end:], False))
    return with_marks(pieces)


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
