"""Which matches a search ranks: the newest few, found in one statement (PostgreSQL).

There are two ways to find them, and PostgreSQL's planner cannot tell which is cheaper: it costs
a vector match as nearly free, though each reads the article's stored vector (about 5 kB, kept
out of line).
- Walking the newest articles in date order and testing each is quick when many match (a
  common word has 200 matches among the newest few hundred) and slow when few do.
- The GIN index finds every match without reading a vector, but each match must then be read
  for its date: quick when few match, slow for a word in half the archive.
So each language walks only its newest WALK_WINDOW articles; if that finds enough, they are the
newest matches. Otherwise the index answers, sorted by date. PostgreSQL evaluates a WITH query
only as far as it is read, so the second way costs nothing when the first suffices.

A quoted phrase needs each candidate's word positions, which only its vector holds: through the
index, it is checked on the newest PHRASE_CANDIDATES articles holding all its words, not on every
one of them (thousands, in a big archive).
"""

import re

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Subquery

WALK_WINDOW = 2000
PHRASE_CANDIDATES = 1000
# In websearch syntax, -"a b" excludes a phrase.
NEGATED_PHRASE = re.compile(r'-"[^"]*(?:"|$)')


def loosened(text):
    """`text` with its phrases as plain words and its excluded phrases dropped: it matches every
    article `text` matches (and more), and the index alone answers it."""
    return " ".join(NEGATED_PHRASE.sub(" ", text).replace('"', " ").split())


def compiled(queryset):
    return queryset.query.sql_with_params()


def newest_matches(articles, text, configs, limit):
    """Ids of the newest `limit` articles of `articles` (a queryset of public articles, maybe
    filtered) matching `text` in websearch syntax, each in its language's configuration
    (`configs`: {language code: text search configuration})."""
    limit = int(limit)  # written into the SQL
    loose = loosened(text) if '"' in text else ""
    ctes, branches, params = [], [], []
    for n, (code, config) in enumerate(configs.items()):
        query = SearchQuery(text, config=config, search_type="websearch")
        base = articles.filter(language=code).order_by()
        cutoff = base.order_by("-published_at", "-pk").values("published_at")[
            WALK_WINDOW - 1 : WALK_WINDOW
        ]
        walk = (
            base.filter(search_vector=query, published_at__gte=Subquery(cutoff))
            .order_by("-published_at", "-pk")
            .values_list("pk", "published_at")[:limit]
        )
        sql, walk_params = compiled(walk)
        ctes.append(f"walk_{n} (id, published_at) AS MATERIALIZED ({sql})")
        params += walk_params
        if loose:
            candidates = base.filter(
                search_vector=SearchQuery(loose, config=config, search_type="websearch")
            ).values_list("pk", "published_at")
            sql, loose_params = compiled(candidates)
            ctes.append(f"loose_{n} (id, published_at) AS MATERIALIZED ({sql})")
            # The phrase is checked candidate by candidate (a subquery per row, which the
            # planner cannot turn into a scan of the whole table testing every vector).
            ctes.append(
                f"every_{n} (id, published_at) AS MATERIALIZED ("
                "SELECT newest.id, newest.published_at FROM ("
                f"SELECT id, published_at FROM loose_{n} "
                f"ORDER BY published_at DESC, id DESC LIMIT {PHRASE_CANDIDATES}) newest "
                "WHERE (SELECT checked.search_vector @@ websearch_to_tsquery(%s::regconfig, %s) "
                "FROM articles_article checked WHERE checked.id = newest.id))"
            )
            params += [*loose_params, config, text]
        else:
            sql, every_params = compiled(
                base.filter(search_vector=query).values_list("pk", "published_at")
            )
            ctes.append(f"every_{n} (id, published_at) AS MATERIALIZED ({sql})")
            params += every_params
        walked = f"(SELECT COUNT(*) FROM walk_{n})"
        branches.append(
            f"SELECT id, published_at FROM walk_{n} WHERE {walked} >= {limit} "
            "UNION ALL SELECT * FROM ("
            f"SELECT id, published_at FROM every_{n} "
            f"ORDER BY published_at DESC, id DESC LIMIT {limit}) indexed_{n} "
            f"WHERE {walked} < {limit}"
        )
    sql = (
        f"WITH {', '.join(ctes)} SELECT id FROM ({' UNION ALL '.join(branches)}) found "
        f"ORDER BY published_at DESC, id DESC LIMIT {limit}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]
