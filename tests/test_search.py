"""Readers find published articles by their words, authors and tags, and nothing else."""

import importlib
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article, Author
from search.documents import refresh_search_vector
from search.queries import MAX_QUERY_LENGTH, Search, loosened

from .factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text ranking and stored vectors need PostgreSQL"
)


def make_found(**fields):
    """An article as the site leaves it after a save: with its search vector up to date."""
    article = make_article(**fields)
    refresh_search_vector(article)
    return article


def search(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response


def found(response):
    return [result.article.headline for result in response.context["results"]]


# The page.


def test_blank_search_shows_the_form_and_nothing_else(client):
    make_found(headline="Zanzibar votes")
    html = search(client).text
    assert html.count("<h1") == 1
    assert '<label for="search-q">Search articles</label>' in html
    assert '<input type="search" id="search-q" name="q" value=""' in html
    assert '<meta name="robots" content="noindex">' in html
    assert "Zanzibar" not in html
    assert "results-heading" not in html


def test_results_page_counts_results_and_is_not_indexed(client):
    make_found(headline="Zanzibar votes")
    make_found(headline="Zanzibar counts")
    html = search(client, q="zanzibar").text
    assert "2 results for “zanzibar”" in html
    assert '<meta name="robots" content="noindex">' in html
    assert '<article class="card">' in html
    assert "1 result for “votes”" in search(client, q="votes").text


def test_no_match_shows_a_friendly_empty_state(client):
    make_found(headline="Zanzibar votes")
    html = search(client, q="quixotic").text
    assert "0 results for “quixotic”" in html
    assert "Nothing published matches your search." in html


def test_finds_words_in_headline_standfirst_and_body(client):
    make_found(headline="Harbour reopens")
    make_found(standfirst="The harbour reopened at dawn.")
    make_found(body="<p>Ships returned to the <strong>harbour</strong> today.</p>")
    make_found(headline="Unrelated story")
    assert len(found(search(client, q="harbour"))) == 3


def test_finds_articles_by_author_name(client):
    keita = make_author(name="Titi KEITA")
    make_found(headline="Sahel column", authors=[keita])
    make_found(headline="Someone else's column")
    assert found(search(client, q="keita")) == ["Sahel column"]


def test_finds_articles_by_tag_name(client):
    make_found(headline="Fishing quotas", tags=["Aquaculture"])
    make_found(headline="Other news", tags=["Politics"])
    assert found(search(client, q="aquaculture")) == ["Fishing quotas"]


def test_every_word_must_match(client):
    make_found(headline="Zanzibar harbour reopens")
    make_found(headline="Zanzibar votes")
    assert found(search(client, q="zanzibar harbour")) == ["Zanzibar harbour reopens"]


def test_only_published_articles_are_ever_found(client):
    now = timezone.now()
    make_found(headline="Zanzibar published")
    make_found(headline="Zanzibar draft", status=Article.Status.DRAFT)
    make_found(headline="Zanzibar in review", status=Article.Status.IN_REVIEW, submitted_at=now)
    make_found(headline="Zanzibar changes", status=Article.Status.CHANGES_REQUESTED)
    make_found(headline="Zanzibar scheduled", published_at=now + timedelta(days=1))
    make_found(headline="Zanzibar unpublished", status=Article.Status.UNPUBLISHED)
    make_found(headline="Zanzibar in the bin", deleted_at=now)
    assert found(search(client, q="zanzibar")) == ["Zanzibar published"]
    assert found(search(client, q="zanzibar", genre="news")) == ["Zanzibar published"]


# Ranking and language (PostgreSQL).


@postgresql_only
def test_headline_match_ranks_above_standfirst_and_body_matches(client):
    now = timezone.now()
    # Newest first would put them in the opposite order.
    make_found(headline="Headline match: zanzibar", published_at=now - timedelta(days=3))
    make_found(standfirst="Standfirst: zanzibar.", published_at=now - timedelta(days=2))
    make_found(body="<p>Body only: zanzibar.</p>", published_at=now - timedelta(days=1))
    results = search(client, q="zanzibar").context["results"]
    assert [result.article.published_at.date() for result in results] == [
        (now - timedelta(days=days)).date() for days in (3, 2, 1)
    ]


@postgresql_only
def test_author_name_ranks_above_a_body_mention(client):
    keita = make_author(name="Titi KEITA")
    make_found(headline="Mentions her", body="<p>As Keita wrote last week.</p>")
    make_found(headline="Her column", authors=[keita])
    assert found(search(client, q="keita")) == ["Her column", "Mentions her"]


@postgresql_only
def test_words_are_stemmed_in_the_article_language(client):
    make_found(headline="The elections are close", language="en")
    make_found(headline="Les élections nationales approchent", language="fr")
    assert found(search(client, q="election")) == ["The elections are close"]
    assert found(search(client, q="élection nationale")) == ["Les élections nationales approchent"]
    vectors = dict(Article.objects.values_list("language", "search_vector"))
    # Each article drops its own language's stop words, and only those.
    assert "'les'" not in vectors["fr"] and "'the'" not in vectors["en"]


@postgresql_only
def test_websearch_syntax_is_understood(client):
    make_found(headline="Zanzibar harbour reopens")
    make_found(headline="Zanzibar votes")
    assert found(search(client, q="zanzibar -votes")) == ["Zanzibar harbour reopens"]
    assert len(found(search(client, q="harbour or votes"))) == 2
    assert found(search(client, q='"harbour reopens"')) == ["Zanzibar harbour reopens"]


# Filters.


def test_filters_by_section_genre_and_author_combined_with_words(client):
    politics = make_section(name="Politics", slug="politics")
    keita = make_author(name="Titi KEITA", slug="titi-keita")
    make_found(headline="Zanzibar news", section=politics)
    make_found(headline="Zanzibar opinion", section=politics, genre=Article.Genre.OPINION)
    make_found(headline="Zanzibar by Keita", authors=[keita], genre=Article.Genre.OPINION)
    make_found(headline="Harbour news", section=politics)
    assert sorted(found(search(client, q="zanzibar", section="politics"))) == [
        "Zanzibar news",
        "Zanzibar opinion",
    ]
    assert sorted(found(search(client, q="zanzibar", genre="opinion"))) == [
        "Zanzibar by Keita",
        "Zanzibar opinion",
    ]
    assert found(search(client, q="zanzibar", section="politics", genre="opinion")) == [
        "Zanzibar opinion"
    ]
    response = search(client, q="zanzibar", author="titi-keita")
    assert found(response) == ["Zanzibar by Keita"]
    assert "Only pieces by Titi KEITA." in response.text
    assert found(search(client, q="zanzibar", section="no-such-section")) == []


def test_filters_alone_list_published_articles_newest_first(client):
    now = timezone.now()
    politics = make_section(name="Politics", slug="politics")
    make_found(headline="Older", section=politics, published_at=now - timedelta(days=2))
    make_found(headline="Newer", section=politics, published_at=now - timedelta(days=1))
    make_found(headline="Elsewhere")
    make_found(headline="Draft", section=politics, status=Article.Status.DRAFT)
    response = search(client, section="politics")
    assert found(response) == ["Newer", "Older"]
    assert "2 articles" in response.text
    assert '<option value="politics" selected>Politics</option>' in response.text


def test_an_unknown_genre_is_ignored(client):
    make_found(headline="Zanzibar votes")
    assert found(search(client, q="zanzibar", genre="<script>")) == ["Zanzibar votes"]


# Pagination.


def test_results_are_paginated_and_links_keep_the_search(client, settings):
    settings.NEWSROOM_PAGE_SIZE = 2
    section = make_section(slug="politics")
    for n in range(5):
        make_found(headline=f"Zanzibar story {n}", section=section)
    first = search(client, q="zanzibar", section="politics", genre="news")
    assert len(found(first)) == 2
    assert "5 results for “zanzibar”" in first.text
    assert 'href="?q=zanzibar&amp;section=politics&amp;genre=news&amp;page=2"' in first.text
    third = search(client, q="zanzibar", section="politics", genre="news", page=3)
    assert len(found(third)) == 1
    assert 'rel="prev" href="?q=zanzibar&amp;section=politics&amp;genre=news&amp;page=2"' in (
        third.text
    )
    seen = {h for page in (1, 2, 3) for h in found(search(client, q="zanzibar", page=page))}
    assert len(seen) == 5


def test_the_last_page_is_the_last_and_a_huge_number_is_a_404(client, settings):
    settings.NEWSROOM_PAGE_SIZE = 2
    for n in range(5):
        make_found(headline=f"Zanzibar story {n}")
    last = found(search(client, q="zanzibar", page="last"))
    assert last == found(search(client, q="zanzibar", page=3)) and len(last) == 1
    assert client.get("/search/", {"q": "zanzibar", "page": "9" * 30}).status_code == 404


@postgresql_only
@pytest.mark.parametrize("server_side_binding", [False, True])
def test_a_search_leaves_the_planner_settings_as_it_found_them(
    client, monkeypatch, server_side_binding
):
    # With server-side binding a message holds one statement: the setting gets a transaction.
    monkeypatch.setitem(
        connection.settings_dict["OPTIONS"], "server_side_binding", server_side_binding
    )
    make_found(headline="Zanzibar votes")
    assert found(search(client, q="zanzibar votes")) == ["Zanzibar votes"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_indexscan")
        assert cursor.fetchone() == ("on",)


@pytest.mark.parametrize("page", ["99", "abc", "-1", "0", "1.5"])
def test_a_page_that_does_not_exist_is_a_404_like_every_list(client, page):
    make_found(headline="Zanzibar votes")
    assert client.get("/search/", {"q": "zanzibar", "page": page}).status_code == 404


# Snippets.


def test_matches_are_marked_in_headline_standfirst_and_snippet(client):
    make_found(
        headline="Zanzibar votes",
        standfirst="Zanzibar goes to the polls.",
        body="<p>" + "filler " * 40 + "Turnout in Zanzibar was high. " + "more " * 40 + "</p>",
    )
    html = search(client, q="zanzibar").text
    assert '<a href="/' in html and "<mark>Zanzibar</mark> votes</a>" in html
    assert '<p class="standfirst"><mark>Zanzibar</mark> goes to the polls.</p>' in html
    snippet = html.split('<p class="search-snippet">')[1].split("</p>")[0]
    assert "Turnout in <mark>Zanzibar</mark> was high." in snippet
    assert len(snippet.split()) < 45  # an excerpt, not the whole body


def test_snippets_escape_article_text_and_never_run_it(client):
    make_found(
        headline="Zanzibar <b>bold</b> claims",
        body="<p>Zanzibar: &lt;script&gt;alert('x')&lt;/script&gt; &amp; more.</p>",
    )
    html = search(client, q="zanzibar").text
    assert "<script>" not in html and "<b>bold" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    snippet = html.split('<p class="search-snippet">')[1].split("</p>")[0]
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in snippet


def test_what_the_reader_typed_is_escaped_everywhere(client):
    make_found(headline="Zanzibar votes")
    html = search(client, q='<script>alert(1)</script>"><img src=x>').text
    assert "<script>alert(1)" not in html and "<img src=x>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x&gt;" in html


# Hostile input.


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"unbalanced quote',
        "'single' 'quotes",
        "zanzibar & | ! <-> :* ( ) ",
        "!!!",
        "& | <->",
        "zanzibar:*",
        "or",
        "-",
        "'; DROP TABLE articles_article; --",
        "zanzibar\x00votes",
        "\x00",
        "zanzibar 🗳️ votes",
        "z" * 10_000,
        "zanzibar " * 2_000,
        "%_\\",
        "\t\n\r",
    ],
)
def test_hostile_queries_never_fail(client, query):
    make_found(headline="Zanzibar votes")
    response = search(client, q=query, section="x\x00", author="\x00", genre="\x00")
    assert len(response.context["search"].query) <= MAX_QUERY_LENGTH


def test_a_null_byte_does_not_hide_the_words_around_it(client):
    make_found(headline="Zanzibar votes")
    assert found(search(client, q="zanzibar\x00")) == ["Zanzibar votes"]


def test_lone_surrogates_and_q_given_twice_never_fail(client):
    make_found(headline="Zanzibar votes")
    assert client.get("/search/?q=%ED%A0%80zanzibar").status_code == 200
    assert client.get("/search/?q=%F0%9F%97%B3&section=%ED%A0%80").status_code == 200
    assert client.get("/search/?q=%C3").status_code == 200
    response = client.get("/search/?q=nothing&q=zanzibar")
    assert response.status_code == 200
    assert found(response) == ["Zanzibar votes"]  # the last one, as QueryDict.get gives


def test_query_is_cleaned_and_bounded():
    assert Search.from_params({"q": "  a\x00b\u200b \ud800 c  "}).query == "a b\u200b c"
    assert len(Search.from_params({"q": "z" * 10_000}).query) == MAX_QUERY_LENGTH


# The stored vector.


def test_refresh_makes_a_headline_change_searchable(client):
    article = make_found(headline="Zanzibar votes")
    Article.objects.filter(pk=article.pk).update(headline="Pemba votes")
    if connection.vendor == "postgresql":
        # The stored vector still says Zanzibar until it is refreshed.
        assert found(search(client, q="zanzibar")) == ["Pemba votes"]
        assert found(search(client, q="pemba")) == []
    refresh_search_vector(article)
    assert found(search(client, q="pemba")) == ["Pemba votes"]
    assert found(search(client, q="zanzibar")) == []


def test_refresh_after_an_author_is_renamed(client):
    author = make_author(name="Titi KEITA")
    make_found(headline="Column", authors=[author])
    author.name = "Titi DIARRA"
    author.save()
    refresh_search_vector(author.articles.all())
    assert found(search(client, q="diarra")) == ["Column"]
    assert found(search(client, q="keita")) == []


def test_refresh_accepts_an_article_a_queryset_or_ids():
    first, second, third = (make_article() for _ in range(3))
    refreshed = [
        refresh_search_vector(first),
        refresh_search_vector(Article.objects.filter(pk=second.pk)),
        refresh_search_vector([first.pk, third.pk]),
        refresh_search_vector([second, third]),
        refresh_search_vector([]),
    ]
    with pytest.raises(TypeError):
        refresh_search_vector(Author.objects.all())  # ids of authors are not ids of articles
    if connection.vendor == "postgresql":
        assert refreshed == [1, 1, 2, 2, 0]
        assert not Article.objects.filter(search_vector__isnull=True).exists()
    else:
        assert refreshed == [0, 0, 0, 0, 0]  # SQLite searches the fields themselves


@postgresql_only
def test_unrefreshed_articles_are_not_found_on_postgresql(client):
    make_article(headline="Zanzibar votes")
    assert found(search(client, q="zanzibar")) == []


@postgresql_only
def test_migration_backfills_the_same_vector_and_adds_a_gin_index():
    tagged = make_found(headline="Zanzibar votes", tags=["Politics", "Africa"], language="fr")
    plain = make_found(body="<p>A <a href=\"https://x.test/\" title='a > b'>link</a>.</p>")
    expected = dict(Article.objects.values_list("pk", "search_vector"))
    Article.objects.update(search_vector=None)
    migration = importlib.import_module("articles.migrations.0007_search_vector_index")
    with connection.cursor() as cursor:
        # Inside the test's transaction; a real migration has no pending FK checks to wait for.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.schema_editor() as schema_editor:
        migration.add_index_and_backfill(None, schema_editor)
    assert dict(Article.objects.values_list("pk", "search_vector")) == expected
    assert "'afric':9B" in expected[tagged.pk]  # tags count, stemmed in French
    # Tags are stripped whole, even with a ">" inside a quoted attribute.
    assert "'link':11C" in expected[plain.pk] and "'b'" not in expected[plain.pk]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'article_search_vector_gin'"
        )
        assert "USING gin (search_vector)" in cursor.fetchone()[0]


# Queries.


@pytest.mark.parametrize("filters", [{}, {"section": "politics", "genre": "news"}])
def test_query_count_does_not_grow_with_the_results(client, settings, filters):
    settings.NEWSROOM_PAGE_SIZE = 50
    politics = make_section(slug="politics")
    tags = ["Politics", "Africa"]

    def queries_for(query):
        with CaptureQueriesContext(connection) as captured:
            response = search(client, q=query, **filters)
        return len(captured), len(found(response))

    make_found(headline="Pemba votes", section=politics, tags=tags)
    for n in range(20):
        authors = [make_author(), make_author()]
        make_found(headline=f"Zanzibar {n}", section=politics, authors=authors, tags=tags)
    queries_for("pemba")  # the first page caches the menu's sections for the ones after it
    assert queries_for("pemba") == (queries_for("zanzibar")[0], 1)
    assert queries_for("zanzibar")[1] == 20


@postgresql_only
def test_phrases_are_matched_exactly_and_excluded_phrases_too(client):
    make_found(headline="Culture war in the harbour", standfirst="Trade")
    make_found(headline="The war on trade culture", standfirst="harbour")
    assert found(search(client, q='"culture war"')) == ["Culture war in the harbour"]
    assert found(search(client, q='harbour -"culture war"')) == ["The war on trade culture"]
    assert sorted(found(search(client, q='"war on trade" or "culture war"'))) == [
        "Culture war in the harbour",
        "The war on trade culture",
    ]


@postgresql_only
def test_a_word_in_thousands_of_articles_ranks_only_the_newest_matches(client, monkeypatch):
    monkeypatch.setattr("search.queries.MAX_RANKED", 3)
    now = timezone.now()
    make_found(headline="Harbour old", published_at=now - timedelta(days=30))
    make_found(headline="Harbour harbour harbour", published_at=now - timedelta(days=3))
    for day in (1, 2):
        make_found(
            headline=f"Day {day}", standfirst="The harbour", published_at=now - timedelta(days=day)
        )
    make_found(headline="Harbour in French", language="fr", published_at=now - timedelta(days=4))
    response = search(client, q="harbour")
    # The three newest matches, best first; older ones are not ranked (nor counted).
    assert found(response) == ["Harbour harbour harbour", "Day 1", "Day 2"]
    assert "More than 3 results for “harbour”, the newest 3 shown best first" in response.text
    monkeypatch.setattr("search.queries.MAX_RANKED", 10)
    response = search(client, q="harbour")
    assert len(found(response)) == 5 and "5 results for “harbour”" in response.text


@pytest.mark.parametrize(
    ("typed", "loose"),
    [
        ('"harbour reopens"', "harbour reopens"),
        ('zanzibar "harbour reopens" -votes', "zanzibar harbour reopens -votes"),
        ('trade -"culture war"', "trade"),
        ('trade -"culture war', "trade"),
        ('"a b" or "c d"', "a b or c d"),
        ("plain words", "plain words"),
    ],
)
def test_loosened_queries_keep_every_match(typed, loose):
    assert loosened(typed) == loose


@postgresql_only
def test_a_phrase_is_looked_for_among_the_newest_articles_with_its_words(client, monkeypatch):
    monkeypatch.setattr("search.queries.PHRASE_CANDIDATES", 3)
    now = timezone.now()
    make_found(headline="Harbour reopens", published_at=now - timedelta(days=10))
    for day in (1, 2, 3):
        make_found(
            headline=f"Day {day}: the reopens of the harbour",
            published_at=now - timedelta(days=day),
        )
    # Three newer pieces have both words, apart: the old phrase match is past the candidates.
    assert found(search(client, q='"harbour reopens"')) == []
    monkeypatch.setattr("search.queries.PHRASE_CANDIDATES", 4)
    assert found(search(client, q='"harbour reopens"')) == ["Harbour reopens"]


@postgresql_only
@pytest.mark.parametrize("window", [1, 3, 100])
def test_the_newest_matches_are_the_same_whichever_way_they_are_found(client, monkeypatch, window):
    # A small window makes the walk fall short and the index answer; a large one lets the walk
    # find them all. Readers must not be able to tell.
    monkeypatch.setattr("search.queries.WINDOW", window)
    monkeypatch.setattr("search.queries.MAX_RANKED", 3)
    now = timezone.now()
    for day in range(1, 9):
        matching = day % 2 == 0
        make_found(
            headline=f"Day {day} {'harbour' if matching else 'market'}",
            published_at=now - timedelta(days=day),
        )
    make_found(headline="Harbour en français", language="fr", published_at=now)
    response = search(client, q="harbour")
    assert sorted(found(response)) == ["Day 2 harbour", "Day 4 harbour", "Harbour en français"]


@postgresql_only
@pytest.mark.parametrize("window", [1, 4, 100])
def test_filtered_searches_get_the_newest_matches_from_any_window(client, monkeypatch, window):
    # Windows are counted over the language, not the filter: a section holding few of the
    # newest articles is looked for further back, and readers cannot tell.
    monkeypatch.setattr("search.queries.WINDOW", window)
    monkeypatch.setattr("search.queries.MAX_RANKED", 2)
    now = timezone.now()
    politics, culture = make_section(slug="politics"), make_section(slug="culture")
    for day in range(1, 13):
        make_found(
            headline=f"Harbour day {day}",
            section=politics if day % 4 == 0 else culture,
            published_at=now - timedelta(days=day),
        )
    response = search(client, q="harbour", section="politics")
    assert found(response) == ["Harbour day 4", "Harbour day 8"]
    assert "More than 2 results for “harbour”, the newest 2 shown best first" in response.text
