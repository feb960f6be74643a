"""What to read next under an article, and the archive by year and month."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from public.related import read_next

from .factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def headlines_under(html, heading_id):
    """Headlines listed in the <aside> labelled by `heading_id`, in page order."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    block = html[start : html.index("</aside>", start)]
    return re.findall(r'class="story-link-headline" href="[^"]+">([^<]+)</a>', block)


def card_headlines(html):
    return re.findall(r'class="card-headline"><a href="[^"]+">([^<]+)</a>', html)


def hidden_articles(**fields):
    """Articles that must never surface publicly: draft, scheduled, unpublished, in the bin."""
    return [
        make_article(headline="Draft piece", status=Article.Status.DRAFT, **fields),
        make_article(headline="Scheduled piece", published_at=ago(hours=-3), **fields),
        make_article(
            headline="Unpublished piece",
            status=Article.Status.UNPUBLISHED,
            published_at=ago(days=1),
            **fields,
        ),
        make_article(headline="Binned piece", deleted_at=ago(minutes=5), **fields),
    ]


# Related articles


def related(story, *, tags):
    return read_next(story, tags=tags, authors=[]).related


@pytest.fixture
def story():
    return make_article(
        headline="The story",
        section=make_section(slug="politics"),
        tags=["Mali", "Sahel", "Elections"],
    )


def test_related_puts_most_shared_tags_first_then_the_sections_newest(client, story):
    elsewhere = make_section()
    make_article(headline="Three tags", section=elsewhere, tags=["Mali", "Sahel", "Elections"])
    make_article(headline="One tag", section=elsewhere, tags=["Sahel"], published_at=ago(minutes=5))
    make_article(headline="Two tags", section=elsewhere, tags=["Mali", "Elections"])
    make_article(headline="Section newest", section=story.section, published_at=ago(minutes=1))
    make_article(headline="Section older", section=story.section, published_at=ago(days=3))
    make_article(headline="Unrelated", section=elsewhere, tags=["Economy"])

    expected = ["Three tags", "Two tags", "One tag", "Section newest"]
    found = related(story, tags=story.tags.all())
    assert [article.headline for article in found] == expected
    assert headlines_under(client.get(story.get_absolute_url()).text, "related-heading") == expected


def test_related_breaks_ties_in_shared_tags_by_recency(story):
    make_article(headline="Older", tags=["Mali"], published_at=ago(days=9))
    make_article(headline="Newer", tags=["Sahel"], published_at=ago(days=1))
    make_article(headline="Newest, same section", section=story.section)
    found = related(story, tags=story.tags.all())
    assert [article.headline for article in found] == ["Newer", "Older", "Newest, same section"]


def test_related_lists_a_tagged_article_in_the_same_section_once(story):
    make_article(headline="Both", section=story.section, tags=["Mali"])
    found = related(story, tags=story.tags.all())
    assert [article.headline for article in found] == ["Both"]


def test_untagged_article_gets_its_sections_newest_four(client):
    section = make_section(slug="economy")
    story = make_article(section=section, published_at=ago(days=30))
    for day in range(6):
        make_article(headline=f"Economy day {day}", section=section, published_at=ago(days=day))
    make_article(headline="Other section")
    expected = [f"Economy day {day}" for day in range(4)]
    assert [a.headline for a in related(story, tags=[])] == expected
    assert headlines_under(client.get(story.get_absolute_url()).text, "related-heading") == expected


def test_related_counts_shared_tags_among_each_tags_latest_pieces(story, monkeypatch):
    monkeypatch.setattr("public.related.TAG_CANDIDATES", 2)
    elsewhere = make_section()
    make_article(
        headline="Tagged first", section=elsewhere, tags=["Mali"], published_at=ago(minutes=1)
    )
    make_article(
        headline="Tagged second", section=elsewhere, tags=["Mali"], published_at=ago(days=2)
    )
    make_article(
        headline="Tagged third", section=elsewhere, tags=["Mali"], published_at=ago(days=3)
    )
    found = related(story, tags=story.tags.all())
    # The tag's two latest taggings are the candidates, newest published first among them.
    assert [article.headline for article in found] == ["Tagged second", "Tagged third"]


def test_related_never_lists_the_article_itself(story):
    assert story not in related(story, tags=story.tags.all())
    assert related(story, tags=story.tags.all()) == []


def test_an_article_with_nothing_related_shows_no_empty_list(client, story):
    html = client.get(story.get_absolute_url()).text
    assert "related-heading" not in html and "More from" not in html


# More from the authors


def test_more_from_each_author_in_byline_order_newest_three_with_a_link(client):
    first = make_author(name="Titi KEITA", slug="titi-keita")
    second = make_author(name="Awa Diallo", slug="awa-diallo")
    quiet = make_author(name="New Writer", slug="new-writer")
    story = make_article(headline="The story", authors=[first, second, quiet])
    for day in range(1, 6):
        make_article(headline=f"Keita day {day}", authors=[first], published_at=ago(days=day))
    make_article(headline="Diallo piece", authors=[second], published_at=ago(days=2))

    groups = read_next(story, tags=[], authors=story.ordered_authors).more_from_authors
    assert [(author.name, [a.headline for a in pieces]) for author, pieces in groups] == [
        ("Titi KEITA", ["Keita day 1", "Keita day 2", "Keita day 3"]),
        ("Awa Diallo", ["Diallo piece"]),
    ]
    html = client.get(story.get_absolute_url()).text
    assert '<h2 id="more-from-titi-keita" class="list-heading">More from Titi KEITA</h2>' in html
    assert html.index("More from Titi KEITA") < html.index("More from Awa Diallo")
    assert headlines_under(html, "more-from-titi-keita") == [
        "Keita day 1",
        "Keita day 2",
        "Keita day 3",
    ]
    assert headlines_under(html, "more-from-awa-diallo") == ["Diallo piece"]
    assert '<a href="/authors/titi-keita/">All articles by Titi KEITA</a>' in html
    assert '<a href="/authors/awa-diallo/">All articles by Awa Diallo</a>' in html
    assert "More from New Writer" not in html


def test_more_from_an_author_is_chosen_among_their_latest_bylines(monkeypatch):
    monkeypatch.setattr("public.related.AUTHOR_CANDIDATES", 3)
    writer = make_author()
    story = make_article(authors=[writer])
    # Written in this order (bylines too), published in another.
    for headline, days in [("Oldest byline", 1), ("Second", 9), ("Third", 3), ("Newest", 5)]:
        make_article(headline=headline, authors=[writer], published_at=ago(days=days))
    (group,) = read_next(story, tags=[], authors=[writer]).more_from_authors
    # The writer's three latest bylines among their public pieces, newest published first.
    assert [a.headline for a in group[1]] == ["Third", "Newest", "Second"]


def test_nothing_unpublished_is_related_or_more_from_an_author(client, story):
    author = story.ordered_authors[0]
    hidden_articles(section=story.section, tags=["Mali", "Sahel"], authors=[author])
    visible = make_article(headline="Visible piece", section=story.section, authors=[author])
    html = client.get(story.get_absolute_url()).text
    for headline in ["Draft piece", "Scheduled piece", "Unpublished piece", "Binned piece"]:
        assert headline not in html
    assert headlines_under(html, "related-heading") == [visible.headline]
    assert headlines_under(html, f"more-from-{author.slug}") == [visible.headline]


def test_article_page_queries_stay_constant_with_three_bylines_and_five_tags(
    client, django_assert_max_num_queries
):
    def busy_story(n):
        section = make_section()
        authors = [make_author() for _ in range(3)]
        tags = [f"topic-{n}-{i}" for i in range(5)]
        for i in range(8):
            make_article(section=section, authors=authors[i % 3 :], tags=tags[: i % 5 + 1])
        return make_article(section=section, authors=authors, tags=tags)

    small, big = busy_story(1), busy_story(2)
    for _ in range(10):  # more of everything around the second story
        make_article(section=big.section, authors=big.ordered_authors, tags=["topic-2-0"])
    counts = []
    for story in [small, big]:
        client.get(story.get_absolute_url())  # caches warm (the menu, content types), as live
        with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(8):
            response = client.get(story.get_absolute_url())
        assert response.status_code == 200
        assert len(headlines_under(response.text, "related-heading")) == 4
        assert response.text.count("All articles by") == 3
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_read_next_runs_the_same_few_queries_for_one_tag_and_author_as_for_many():
    def story_with(tag_count, author_count):
        authors = [make_author() for _ in range(author_count)]
        tags = [f"subject-{tag_count}-{n}" for n in range(tag_count)]
        for n in range(6):
            make_article(authors=authors[n % author_count :], tags=tags[n % tag_count :])
        story = make_article(authors=authors, tags=tags)
        return story, list(story.tags.all()), authors

    counts = []
    for tag_count, author_count in [(1, 1), (5, 3)]:
        story, tags, authors = story_with(tag_count, author_count)
        with CaptureQueriesContext(connection) as queries:
            found = read_next(story, tags=tags, authors=authors)
        assert len(found.related) == 4
        assert len(found.more_from_authors) == author_count
        counts.append(len(queries))
    # Related pieces, the section's newest to top them up, and more from the authors.
    assert counts[0] == counts[1] <= 3


# Read-next from the cache


def test_read_next_is_built_once_then_served_from_the_cache(client, story):
    make_article(headline="Shares a tag", tags=["Mali"])
    with CaptureQueriesContext(connection) as first:
        html = client.get(story.get_absolute_url()).text
    with CaptureQueriesContext(connection) as second:
        again = client.get(story.get_absolute_url()).text
    assert headlines_under(again, "related-heading") == headlines_under(html, "related-heading")
    assert headlines_under(again, "related-heading") == ["Shares a tag"]
    assert len(second) < len(first)


def test_a_piece_published_after_the_lists_were_cached_shows_on_the_next_page(client, story):
    author = story.ordered_authors[0]
    client.get(story.get_absolute_url())
    make_article(headline="Just out", tags=["Sahel"], authors=[author])
    html = client.get(story.get_absolute_url()).text
    assert headlines_under(html, "related-heading") == ["Just out"]
    assert headlines_under(html, f"more-from-{author.slug}") == ["Just out"]


def test_a_piece_unpublished_after_the_lists_were_cached_leaves_them(client, story):
    piece = make_article(headline="Taken down", tags=["Mali"])
    assert "Taken down" in client.get(story.get_absolute_url()).text
    piece.status = Article.Status.UNPUBLISHED
    piece.save()
    assert "Taken down" not in client.get(story.get_absolute_url()).text


def test_a_scheduled_piece_shows_in_the_lists_once_its_time_has_come(client, story):
    go_live = timezone.now() + timedelta(minutes=10)
    make_article(headline="Scheduled, shares a tag", tags=["Mali"], published_at=go_live)
    assert "Scheduled, shares a tag" not in client.get(story.get_absolute_url()).text
    with time_machine.travel(go_live + timedelta(seconds=1)):
        html = client.get(story.get_absolute_url()).text
    assert headlines_under(html, "related-heading") == ["Scheduled, shares a tag"]


# Archive


def at(year, month, day=15, hour=12, tz=UTC):
    return datetime(year, month, day, hour, tzinfo=tz)


@pytest.fixture
def archive():
    section = make_section()
    return {
        "march": [
            make_article(headline="March early", section=section, published_at=at(2024, 3, 2)),
            make_article(headline="March late", section=section, published_at=at(2024, 3, 28)),
        ],
        "november": [
            make_article(headline="November", section=section, published_at=at(2024, 11, 5))
        ],
        "january": [make_article(headline="January", section=section, published_at=at(2025, 1, 9))],
        "hidden": [
            make_article(headline="Draft 2023", status=Article.Status.DRAFT),
            make_article(headline="Binned March", published_at=at(2024, 3, 3), deleted_at=ago()),
            make_article(
                headline="Unpublished 2022",
                status=Article.Status.UNPUBLISHED,
                published_at=at(2022, 6, 1),
            ),
            make_article(headline="Scheduled", published_at=timezone.now() + timedelta(days=400)),
        ],
    }


def test_archive_index_lists_years_and_months_that_have_published_articles(client, archive):
    html = client.get("/archive/").text
    assert "<h1>Archive</h1>" in html
    years = re.findall(
        r'<h2><a href="/archive/(\d+)/">\d+</a> <span[^>]*>\((\d+) articles?\)', html
    )
    assert years == [("2025", "1"), ("2024", "3")]
    months = re.findall(r'<a href="/archive/(\d+/\d+)/">(\w+)</a> <span[^>]*>\((\d+) article', html)
    assert months == [
        ("2025/1", "January", "1"),
        ("2024/11", "November", "1"),
        ("2024/3", "March", "2"),
    ]
    assert "/archive/2022/" not in html and "/archive/2023/" not in html


def test_empty_archive_says_so(client):
    response = client.get("/archive/")
    assert response.status_code == 200
    assert "Nothing published yet." in response.text


def test_year_page_lists_its_published_articles_newest_first_with_its_months(client, archive):
    html = client.get("/archive/2024/").text
    assert "<h1>2024</h1>" in html
    assert card_headlines(html) == ["November", "March late", "March early"]
    assert '<a href="/archive/2024/3/">March</a>' in html
    assert '<a href="/archive/2024/11/">November</a>' in html
    assert "/archive/2024/1/" not in html
    assert "Binned March" not in html


def test_month_page_lists_that_months_published_articles_newest_first(client, archive):
    html = client.get("/archive/2024/3/").text
    assert "<h1>March 2024</h1>" in html
    assert card_headlines(html) == ["March late", "March early"]


@pytest.mark.parametrize(
    "path",
    [
        "/archive/0/",
        "/archive/10000/",
        "/archive/99999999999999999999/",
        "/archive/99999999999999999999/1/",
        "/archive/2024/0/",
        "/archive/2024/13/",
        "/archive/2024/99999999999999999999/",
        "/archive/2024/2/",  # a month with nothing published
        "/archive/2023/",  # only a draft
        "/archive/2022/",  # only an unpublished piece
        "/archive/2022/6/",
    ],
)
def test_bad_or_empty_periods_are_a_404_not_an_error(client, archive, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.text


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Tokyo", "UTC"])
@pytest.mark.parametrize(
    "path", ["/archive/1/", "/archive/1/1/", "/archive/9999/", "/archive/9999/12/"]
)
def test_the_ends_of_the_calendar_are_a_404_in_any_time_zone(client, settings, zone, path):
    settings.TIME_ZONE = zone
    make_article()
    assert client.get(path).status_code == 404


def test_months_follow_the_sites_time_zone(client, settings):
    settings.TIME_ZONE = "Africa/Lagos"  # UTC+1
    lagos = ZoneInfo("Africa/Lagos")
    make_article(headline="Last hour of March", published_at=at(2024, 3, 31, 23, tz=lagos))
    make_article(headline="First hour of April", published_at=at(2024, 4, 1, 0, tz=lagos))
    assert card_headlines(client.get("/archive/2024/3/").text) == ["Last hour of March"]
    assert card_headlines(client.get("/archive/2024/4/").text) == ["First hour of April"]
    html = client.get("/archive/").text
    assert '<a href="/archive/2024/4/">April</a>' in html
    assert '<a href="/archive/2024/3/">March</a>' in html


def test_archive_pages_paginate_by_the_page_size(client, settings):
    settings.NEWSROOM_PAGE_SIZE = 2
    for day in range(1, 6):
        make_article(headline=f"May {day}", published_at=at(2024, 5, day))
    first = client.get("/archive/2024/5/").text
    assert card_headlines(first) == ["May 5", "May 4"]
    assert "Page 1 of 3" in first
    assert card_headlines(client.get("/archive/2024/5/", {"page": 3}).text) == ["May 1"]
    assert card_headlines(client.get("/archive/2024/", {"page": 2}).text) == ["May 3", "May 2"]
    for page in ["4", "0", "abc", "1e9"]:
        assert client.get("/archive/2024/5/", {"page": page}).status_code == 404
        assert client.get("/archive/2024/", {"page": page}).status_code == 404


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/archive/2024/03/", "/archive/2024/3/"),
        ("/archive/02024/3/", "/archive/2024/3/"),
        ("/archive/02024/", "/archive/2024/"),
        ("/archive/2024/03/?page=1", "/archive/2024/3/?page=1"),
    ],
)
def test_zero_padded_periods_redirect_to_the_one_address(client, archive, path, target):
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == target


def test_archive_pages_keep_their_queries_few(client, archive, django_assert_max_num_queries):
    for path in ["/archive/", "/archive/2024/", "/archive/2024/3/"]:
        # The first list drawn after a change also looks up the next scheduled publication
        # (two queries, then cached with the site's version): measure a page as readers get it.
        client.get(path)
        with django_assert_max_num_queries(6):
            assert client.get(path).status_code == 200


def test_pages_have_one_h1_and_headings_that_never_skip_a_level(client, archive):
    story = archive["march"][0]
    make_article(section=story.section, authors=story.ordered_authors)
    for path in [story.get_absolute_url(), "/archive/", "/archive/2024/", "/archive/2024/3/"]:
        levels = [int(level) for level in re.findall(r"<h([1-6])[ >]", client.get(path).text)]
        assert levels.count(1) == 1 and levels[0] == 1, path
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (path, levels)
