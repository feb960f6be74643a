"""Which matches a search ranks: the newest few, found inside the search page's one statement
(PostgreSQL; search.ranked).

PostgreSQL's planner costs a vector match as nearly free, but each reads the article's stored
vector (about 5 kB, kept out of line): some 7 µs, so testing the newest 2,000 articles one by
one costs 15 ms. The GIN index finds matches without reading a vector, but every match must
then be read for its date, and a word in half the archive has tens of thousands.

So matches are looked for in widening windows of the newest articles: the newest WALK_WINDOW
of the language, then WIDENING times as far back in time, then the whole archive. The first
window holding enough matches answers, and holds the newest of them, since everything outside
it is older. A common word is answered by the first window (walked in date order, stopping at
the last match wanted); a rarer one by the second (the index's matches intersected with the
window's dates), a rare one by the index alone, cheap because it matches few. PostgreSQL
evaluates a WITH query only when something reads it, so a wider window costs nothing when a
narrower one sufficed.

A quoted phrase needs each candidate's word positions, which only its vector holds: it is
checked on the newest PHRASE_CANDIDATES articles holding all its words (found in the same
windows, from the wider one on), not on every one of them.
"""

import re

from articles.models import Article
from public.public_sql import column, table

WALK_WINDOW = 2000
WIDENING = 10
PHRASE_CANDIDATES = 1000
# In websearch syntax, -"a b" excludes a phrase.
NEGATED_PHRASE = re.compile(r'-"[^"]*(?:"|$)')


def loosened(text):
    """`text` with its phrases as plain words and its excluded phrases dropped: it matches every
    article `text` matches (and more), and the index alone answers it."""
    return " ".join(NEGATED_PHRASE.sub(" ", text).replace('"', " ").split())


def tsquery(n, words="text"):
    """The reader's words parsed in the n-th language's configuration."""
    return f"websearch_to_tsquery(%(config_{n})s::regconfig, %({words})s)"


def newest_params(text):
    """The parameters of `newest_ctes`' SQL besides the time, languages, filters and limit
    (read at each search, so a test can change the constants)."""
    return {
        "text": text,
        "loose": loosened(text),
        "window_offset": WALK_WINDOW - 1,
        "phrase_candidates": PHRASE_CANDIDATES,
    }


def cutoffs_sql(languages, public):
    """One row: per language, the date of its newest public article and of its WALK_WINDOW-th
    newest (whichever way ties fall), each NULL when there is none, read from an index alone;
    and the words as that language's configuration parses them (`querytree`, for
    `is_conjunction`).

    Asked apart, before the statement that uses them: written into it as values, they let the
    planner see how many articles each window holds (as a subquery's result it guessed a few
    dozen, and tested thousands of vectors one by one where the index would have answered)."""
    article = table(Article)
    published = column(Article, "published_at")
    language = column(Article, "language")
    return "SELECT " + ", ".join(
        f"(SELECT {published} FROM {article} WHERE {public} AND {language} = %(language_{n})s "
        f"ORDER BY {published} DESC LIMIT 1 OFFSET 0), "
        f"(SELECT {published} FROM {article} WHERE {public} AND {language} = %(language_{n})s "
        f"ORDER BY {published} DESC LIMIT 1 OFFSET %(window_offset)s), "
        f"querytree({tsquery(n)})"
        for n in range(languages)
    )


def is_conjunction(tree):
    """Whether a parsed query (`querytree`'s text) asks for two words together, or a phrase:
    `'a' & 'b'`, `'a' <-> 'b'`, not `'a' | 'b'` nor `'a' & !'b'` (websearch's "a -b", each
    exclusion one & and one !).

    Such words match fewer articles than each alone, and reach the wider windows; a single word
    or alternatives match at least as often as their commonest word."""
    return "<" in tree or tree.count("&") > tree.count("!")


def windows(now, cutoffs):
    """Parameters: the start of each language's windows, from `cutoffs_sql`'s row. Filters
    narrow what a window holds, not its dates."""
    params = {}
    for n, cutoff in enumerate(cutoffs):
        params[f"since_{n}_0"] = cutoff
        params[f"since_{n}_1"] = None if cutoff is None else now - (now - cutoff) * WIDENING
    return params


def newest_ctes(languages, public, filters, *, phrase):
    """WITH queries ending in `found (id, published_at)`: the newest %(limit)s public articles
    that match and that `filters` select (SQL conditions on the article table's own name;
    `public` is `published()`'s, its time %(now)s).

    Parameters: %(config_n)s and %(language_n)s per language (n from 0), %(now)s, %(limit)s,
    the filters' own, those of `newest_params` and of `windows`."""
    article = table(Article)
    vector, language = column(Article, "search_vector"), column(Article, "language")
    ctes, branches = [], []
    for n in range(languages):
        in_language = f"{public} AND {language} = %(language_{n})s"
        where = " AND ".join([in_language, *filters])
        cutoffs = [f"%(since_{n}_{k})s" for k in range(2)]
        if phrase:
            loose = f"{vector} @@ {tsquery(n, 'loose')}"
            # The narrow window rarely holds that many articles with all a phrase's words
            # (half of its articles would need them): the candidates are looked for from the
            # wider one on, so the index is read once rather than twice.
            ctes += newest(f"loose_{n}", where, loose, "%(phrase_candidates)s", cutoffs[1:])
            # The candidates' ids as one array: the planner looks them up together (a bitmap
            # of the primary key) and cannot turn the check into a scan of the whole table
            # testing every vector.
            id_, published = column(Article, "id"), column(Article, "published_at")
            branches.append(
                f"SELECT {id_}, {published} FROM {article} "
                f"WHERE {id_} = ANY(ARRAY(SELECT id FROM loose_{n})) "
                f"AND {vector} @@ {tsquery(n)}"
            )
        else:
            match = f"{vector} @@ {tsquery(n)}"
            ctes += newest(f"matches_{n}", where, match, "%(limit)s", cutoffs)
            branches.append(f"SELECT id, published_at FROM matches_{n}")
    ctes.append(
        f"found (id, published_at) AS MATERIALIZED (SELECT id, published_at FROM "
        f"({' UNION ALL '.join(branches)}) matched "
        "ORDER BY published_at DESC, id DESC LIMIT %(limit)s)"
    )
    return ctes


def newest(name, where, match, limit, cutoffs):
    """CTEs ending in `name (id, published_at)`: the newest `limit` articles where `where` and
    `match` hold, from the first window (since each of `cutoffs`, then ever) holding enough."""
    article = table(Article)
    id_, published = column(Article, "id"), column(Article, "published_at")
    ctes, windows = [], []
    for k, since in enumerate([*cutoffs, None]):
        window = f"{name}_{k}"
        dated = f" AND {published} >= {since}" if since else ""
        ctes.append(
            f"{window} (id, published_at) AS MATERIALIZED (SELECT {id_}, {published} "
            f"FROM {article} WHERE {where} AND {match}{dated} "
            f"ORDER BY {published} DESC, {id_} DESC LIMIT {limit})"
        )
        windows.append(window)
    enough = [f"(SELECT COUNT(*) FROM {window}) >= {limit}" for window in windows[:-1]]
    # CASE, not AND: a wider window is read only once the narrower ones fell short.
    chosen = []
    for k in range(len(windows)):
        this = enough[k] if k < len(enough) else "TRUE"
        earlier = " ".join(f"WHEN {enough[j]} THEN FALSE" for j in range(k))
        chosen.append(f"CASE {earlier} ELSE {this} END" if earlier else this)
    branches = " UNION ALL ".join(
        f"SELECT id, published_at FROM {window} WHERE {condition}"
        for window, condition in zip(windows, chosen, strict=True)
    )
    return [*ctes, f"{name} (id, published_at) AS MATERIALIZED ({branches})"]
