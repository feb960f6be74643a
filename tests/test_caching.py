"""The public page cache, on real Redis: hits, validators, exact invalidation, staff, schedules,
and the fragments keyed by the same versions."""

import gzip
import os
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import revisions
from articles.models import Article
from articles.workflow import apply_transition
from newsroom.caches import REDIS_BACKEND
from pagecache import schedule
from pagecache import versions as cache_versions
from pagecache.middleware import LocalCopies, PageEntry, page_keys

from .factories import make_article, make_author, make_section, make_user, run_tasks

pytestmark = pytest.mark.django_db

# Parallel runs on one machine each take a database of their own (TEST_REDIS_URL).
REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": REDIS_BACKEND,
            "LOCATION": REDIS,
            # A prefix of its own per test: parallel runs and earlier tests never collide.
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    }
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 300
    settings.NEWSROOM_BROWSER_CACHE_SECONDS = 60


@pytest.fixture
def moderator():
    user = make_user("mod", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderator"))
    return user


def get(client, path, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **headers)
    return response, len(queries)


def test_a_repeat_request_is_served_from_redis_without_sql(client):
    article = make_article(headline="Cached story")
    first, _ = get(client, article.get_absolute_url())
    second, queries = get(client, article.get_absolute_url())
    assert (first["X-Cache"], second["X-Cache"]) == ("miss", "hit")
    assert queries == 0
    assert second.content == first.content
    assert "Cached story" in second.content.decode()


def test_public_pages_carry_cache_headers_and_answer_304(client):
    make_article()
    response, _ = get(client, "/")
    cache_control = response["Cache-Control"]
    assert "public" in cache_control and "max-age=60" in cache_control
    assert "s-maxage=60" in cache_control
    assert response.has_header("ETag")
    again, _ = get(client, "/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""


def test_a_hit_carries_the_headers_of_a_fresh_page_and_answers_304_itself(client):
    # The page cache answers a hit before the security middleware runs: what they add is
    # stored with the page, and a hit must say exactly what a fresh page says.
    article = make_article(headline="Headers story")
    path = article.get_absolute_url()
    fresh, _ = get(client, path)
    hit, _ = get(client, path)
    assert hit["X-Cache"] == "hit"
    for header in (
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "X-Frame-Options",
        "Content-Language",
    ):
        assert hit.get(header) == fresh.get(header), header
    assert (
        "script-src" in hit["Content-Security-Policy"]
        or "default-src" in hit["Content-Security-Policy"]
    )
    # Each request still gets its own id, never the one the stored page was made under.
    assert hit["X-Request-ID"] != fresh["X-Request-ID"]
    not_modified, queries = get(client, path, HTTP_IF_NONE_MATCH=hit["ETag"])
    assert (not_modified.status_code, not_modified.content, queries) == (304, b"", 0)
    assert not_modified["ETag"] == hit["ETag"]
    changed, _ = get(client, path, HTTP_IF_NONE_MATCH='"something-else"')
    assert changed.status_code == 200 and changed["X-Cache"] == "hit"


def test_a_live_piece_moved_to_the_bin_leaves_every_cached_page_at_once(client, moderator):
    from articles.admin.articles import move_to_bin, take_out_of_bin

    section = make_section(name="Politics", slug="politics")
    article = make_article(headline="Binned story", section=section)
    pages = ["/", "/politics/", article.get_absolute_url()]
    for path in pages:
        get(client, path)
        assert get(client, path)[0]["X-Cache"] == "hit"
    move_to_bin(article, by=moderator)
    assert get(client, article.get_absolute_url())[0].status_code == 404
    for path in pages[:2]:
        assert "Binned story" not in get(client, path)[0].content.decode()
    take_out_of_bin(article, by=moderator)
    assert "Binned story" in get(client, "/politics/")[0].content.decode()


def test_plain_http_is_sent_to_https_even_when_the_page_is_cached(client, settings):
    article = make_article(headline="Secure story")
    path = article.get_absolute_url()
    assert get(client, path, secure=True)[0].status_code == 200
    assert get(client, path, secure=True)[0]["X-Cache"] == "hit"
    settings.SECURE_SSL_REDIRECT = True
    # A new client: SecurityMiddleware reads the setting when it is set up.
    response, _ = get(Client(), path)
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.parametrize(
    "change",
    ["publish", "unpublish", "publish_changes", "rename_author", "rename_section", "retag"],
)
def test_every_change_readers_should_see_makes_pages_fresh_at_once(client, moderator, change):
    section = make_section(name="Politics", slug="politics")
    author = make_author(name="Awa SIDIBÉ", slug="awa")
    live = make_article(headline="Live story", section=section, authors=[author], tags=["Vote"])
    waiting = make_article(
        headline="Waiting story",
        section=section,
        authors=[author],
        status=Article.Status.IN_REVIEW,
    )
    pages = ["/", "/politics/", "/authors/awa/", live.get_absolute_url(), "/feed/"]
    for path in pages:
        assert get(client, path)[0].status_code == 200
        assert get(client, path)[0]["X-Cache"] == "hit"
    expected = {
        "publish": "Waiting story",
        "unpublish": None,
        "publish_changes": "Corrected story",
        "rename_author": "Awa SIDIBÉ-TRAORÉ",
        "rename_section": "Politique",
        "retag": "Elections",
    }[change]
    if change == "publish":
        apply_transition(waiting, "publish", by=moderator)
    elif change == "unpublish":
        apply_transition(live, "unpublish", by=moderator)
    elif change == "publish_changes":
        content = revisions.content_of(live)
        content["headline"] = "Corrected story"
        revisions.create_revision(live, by=moderator, content=content, pending=True)
        apply_transition(live, "publish_changes", by=moderator)
    elif change == "rename_author":
        author.name = "Awa SIDIBÉ-TRAORÉ"
        author.save()
    elif change == "rename_section":
        section.name = "Politique"
        section.save()
    else:
        live.tags.add("Elections")
    response, _ = get(client, "/politics/")
    assert response["X-Cache"] == "miss"
    article_page, _ = get(client, live.get_absolute_url())
    assert article_page["X-Cache"] == "miss"
    html = response.content.decode() + article_page.content.decode()
    if expected:
        assert expected in html
    else:
        assert "Live story" not in html


def test_a_scheduled_article_appears_on_time_through_the_cache(client, moderator):
    start = timezone.now()
    make_article(headline="Already out")
    scheduled = make_article(headline="Embargo lifts", status=Article.Status.IN_REVIEW)
    apply_transition(scheduled, "schedule", by=moderator, at=start + timedelta(seconds=90))
    with time_machine.travel(start + timedelta(seconds=10)):
        html = get(client, "/")[0].content.decode()
        assert "Already out" in html and "Embargo lifts" not in html
        assert get(client, "/")[0]["X-Cache"] == "hit"
    with time_machine.travel(start + timedelta(seconds=91)):
        response, _ = get(client, "/")
        assert response["X-Cache"] == "miss"
        assert "Embargo lifts" in response.content.decode()


def test_staff_get_fresh_pages_and_never_the_readers_copy_or_the_reverse(client, moderator):
    make_article(headline="Story for everyone")
    anonymous, _ = get(client, "/")
    assert anonymous["X-Cache"] == "miss"
    client.force_login(moderator)
    staff, _ = get(client, "/")
    assert "X-Cache" not in staff  # neither served from nor stored in the page cache
    assert "public" not in staff.get("Cache-Control", "")
    client.logout()
    client.cookies.clear()
    again, _ = get(client, "/")
    assert again["X-Cache"] == "hit" and again.content == anonymous.content


def test_admin_previews_and_the_language_switch_are_never_cached(client, moderator):
    draft = make_article(headline="Secret draft", status=Article.Status.DRAFT)
    from articles.previews import make_share_url

    url = make_share_url(draft)
    assert "X-Cache" not in client.get(url)
    assert "X-Cache" not in client.get(reverse("admin:login"))
    assert "X-Cache" not in client.post("/i18n/setlang/", {"language": "fr", "next": "/"})


def test_languages_are_cached_apart(client):
    make_article()
    english, _ = get(client, "/", HTTP_ACCEPT_LANGUAGE="en")
    french, _ = get(client, "/", HTTP_ACCEPT_LANGUAGE="fr")
    assert french["X-Cache"] == "miss"
    assert '<html lang="fr">' in french.content.decode()
    assert '<html lang="en">' in english.content.decode()
    assert "Accept-Language" in french["Vary"]


def test_pages_render_when_the_cache_server_is_down(client, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": REDIS_BACKEND,
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    article = make_article(headline="Still readable")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200 and "Still readable" in response.content.decode()
    article.headline = "Saved while the cache is down"
    article.save()  # invalidation must not break saving either
    # Each request logs one line, not a traceback: an outage must not bury the log.
    warnings = [r for r in caplog.records if "page cache unavailable" in r.getMessage()]
    assert warnings and all(r.exc_info is None for r in warnings)
    assert any("serving uncached" in r.getMessage() for r in warnings)


def test_work_on_drafts_leaves_the_readers_cache_alone(client, moderator):
    live = make_article(headline="Live story")
    draft = make_article(headline="A draft", status=Article.Status.DRAFT, tags=["Vote"])
    colleague = make_author()
    assert get(client, live.get_absolute_url())[0]["X-Cache"] == "miss"
    assert get(client, "/")[0]["X-Cache"] == "miss"
    # A writer saves, retags, re-bylines and submits a draft: no public page changes.
    draft.headline = "A better draft"
    draft.save()
    draft.tags.add("Elections")
    draft.bylines.create(author=colleague, position=1)
    apply_transition(draft, "submit", by=moderator)
    assert get(client, live.get_absolute_url())[0]["X-Cache"] == "hit"
    assert get(client, "/")[0]["X-Cache"] == "hit"
    # Publishing it does.
    apply_transition(draft, "publish", by=moderator)
    assert get(client, "/")[0]["X-Cache"] == "miss"


def test_publishing_refreshes_lists_and_related_pages_but_not_the_rest_of_the_archive(
    client, moderator
):
    politics, culture = make_section(slug="politics"), make_section(slug="culture")
    awa, ben = make_author(name="Awa ONE", slug="awa"), make_author(name="Ben TWO", slug="ben")
    same_section = make_article(headline="Same section", section=politics, authors=[ben])
    same_author = make_article(headline="Same author", section=culture, authors=[awa])
    same_tag = make_article(headline="Same tag", section=culture, authors=[ben], tags=["Vote"])
    unrelated = make_article(headline="Unrelated", section=culture, authors=[ben], tags=["Art"])
    waiting = make_article(
        headline="New piece",
        section=politics,
        authors=[awa],
        tags=["Vote"],
        status=Article.Status.IN_REVIEW,
    )
    pages = [a.get_absolute_url() for a in (same_section, same_author, same_tag, unrelated)]
    for path in [*pages, "/", "/feed/"]:
        get(client, path)
        assert get(client, path)[0]["X-Cache"] == "hit"
    apply_transition(waiting, "publish", by=moderator)
    after = {path: get(client, path)[0] for path in [*pages, "/", "/feed/"]}
    # Every page whose read-next lists could now name the new piece, and every list, is fresh.
    for path in [*pages[:3], "/", "/feed/"]:
        assert after[path]["X-Cache"] == "miss", path
        assert "New piece" in after[path].content.decode(), path
    # An article sharing nothing with it is still served from the cache, and stays so.
    assert after[pages[3]]["X-Cache"] == "hit"
    again = get(client, pages[3])[0]
    assert again["X-Cache"] == "hit" and again.content == after[pages[3]].content


def test_moving_an_article_refreshes_its_old_section_too(client, moderator):
    politics, culture = make_section(slug="politics"), make_section(slug="culture")
    moving = make_article(headline="Moving piece", section=politics)
    neighbour = make_article(headline="Neighbour", section=politics)
    get(client, neighbour.get_absolute_url())
    assert "Moving piece" in get(client, neighbour.get_absolute_url())[0].content.decode()
    moving.section = culture
    moving.save()
    response, _ = get(client, neighbour.get_absolute_url())
    assert response["X-Cache"] == "miss" and "Moving piece" not in response.content.decode()


def keys_of(path):
    return page_keys(RequestFactory().get(path))


def test_a_hit_uses_this_process_copy_while_redis_holds_the_same_copy(client):
    article = make_article(headline="Local story")
    path = article.get_absolute_url()
    page_key, copy_key = keys_of(path)
    assert get(client, path)[0]["X-Cache"] == "miss"
    # Redis no longer has the page, but still the copy's id and the same site version: the
    # process's own copy is what answers, without SQL.
    cache.delete(page_key)
    response, queries = get(client, path)
    assert response["X-Cache"] == "hit" and queries == 0
    assert "Local story" in response.content.decode()
    # Once Redis forgets that copy, so does every process.
    cache.delete(copy_key)
    assert get(client, path)[0]["X-Cache"] == "miss"


def test_a_flushed_cache_is_never_answered_from_a_local_copy(client):
    article = make_article(headline="Before the flush")
    path = article.get_absolute_url()
    assert get(client, path)[0]["X-Cache"] == "miss"
    site_key = cache_versions.VERSION_KEY.format(name=cache_versions.SITE)
    version = cache.get(site_key)
    Article.objects.filter(pk=article.pk).update(headline="After the flush")
    # Redis restarted empty, and the site's version happens to start at the same number.
    cache.clear()
    cache.set(site_key, version, None)
    response, _ = get(client, path)
    assert response["X-Cache"] == "miss" and "After the flush" in response.content.decode()


def test_no_local_copy_is_served_while_redis_is_down(client, settings):
    article = make_article(headline="Copied once")
    path = article.get_absolute_url()
    assert get(client, path)[0]["X-Cache"] == "miss"
    Article.objects.filter(pk=article.pk).update(headline="Changed during the outage")
    settings.CACHES = {
        "default": {
            "BACKEND": REDIS_BACKEND,
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    response, _ = get(client, path)
    assert not response.has_header("X-Cache")
    assert "Changed during the outage" in response.content.decode()


def entry(size, compressed=None):
    return PageEntry(0, 200, [], b"x" * size, {}, 1, compressed)


def test_local_copies_keep_the_latest_pages_within_their_byte_budget(settings):
    settings.NEWSROOM_PAGE_CACHE_LOCAL_BYTES = 4000
    copies = LocalCopies()
    for name in "abcd":
        copies.put(name, entry(1000), "id")
    assert copies.get("a") is not None  # now the most recently used
    copies.put("e", entry(1000), "id")
    assert [copies.get(name) is not None for name in "abcde"] == [True, False, True, True, True]
    assert copies.size == 4000
    copies.put("huge", entry(1001), "id")  # more than a quarter of the budget
    assert copies.get("huge") is None and copies.size == 4000
    copies.put("a", entry(10), "id")  # replacing an entry gives its bytes back
    assert copies.size == 3010
    copies.put("a", entry(10, compressed=b"z" * 5), "id")  # the compressed copy counts too
    assert copies.size == 3015


def test_local_copies_can_be_turned_off(client, settings):
    settings.NEWSROOM_PAGE_CACHE_LOCAL_BYTES = 0
    article = make_article()
    path = article.get_absolute_url()
    page_key, _ = keys_of(path)
    assert get(client, path)[0]["X-Cache"] == "miss"
    assert get(client, path)[0]["X-Cache"] == "hit"
    cache.delete(page_key)
    assert get(client, path)[0]["X-Cache"] == "miss"


def test_hits_are_sent_compressed_to_clients_that_accept_it(client):
    article = make_article(headline="Compressed story", body="<p>" + "Words. " * 400 + "</p>")
    path = article.get_absolute_url()
    first, _ = get(client, path, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert first["X-Cache"] == "miss" and not first.has_header("Content-Encoding")
    assert "Accept-Encoding" in first["Vary"]
    packed, queries = get(client, path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed["X-Cache"] == "hit" and queries == 0
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == first.content
    assert int(packed["Content-Length"]) == len(packed.content) < len(first.content) / 2
    # The compressed bytes are another representation: a weak validator, still good for 304.
    assert packed["ETag"] == f"W/{first['ETag']}"
    again, _ = get(client, path, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"])
    assert again.status_code == 304
    plain, _ = get(client, path)
    assert plain["X-Cache"] == "hit" and not plain.has_header("Content-Encoding")
    assert plain.content == first.content and plain["ETag"] == first["ETag"]


def test_small_pages_are_not_compressed(client):
    response, _ = get(client, "/robots.txt", HTTP_ACCEPT_ENCODING="gzip")
    again, _ = get(client, "/robots.txt", HTTP_ACCEPT_ENCODING="gzip")
    assert again["X-Cache"] == "hit"
    assert len(again.content) < 1024 and not again.has_header("Content-Encoding")
    assert again.content == response.content


# Committed for real: the task worker (run_tasks) closes connections inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_a_scheduled_change_to_a_live_piece_reaches_readers_at_its_time(client, moderator):
    start = timezone.now()
    live = make_article(headline="Live story")
    path = live.get_absolute_url()
    get(client, path)
    assert get(client, path)[0]["X-Cache"] == "hit"
    content = revisions.content_of(live)
    content["headline"] = "Corrected story"
    revisions.create_revision(live, by=moderator, content=content, pending=True)
    apply_transition(live, "schedule_changes", by=moderator, at=start + timedelta(seconds=90))
    with time_machine.travel(start + timedelta(seconds=10)):
        assert "Live story" in get(client, path)[0].content.decode()
        assert get(client, path)[0]["X-Cache"] == "hit"
    with time_machine.travel(start + timedelta(seconds=91)):
        run_tasks()  # the worker, at the change's time
        for page in (path, "/"):
            html = get(client, page)[0].content.decode()
            assert "Corrected story" in html and "Live story" not in html, page


def test_a_schedule_looked_up_before_the_decision_committed_is_not_trusted(
    client, moderator, django_capture_on_commit_callbacks
):
    start = timezone.now()
    scheduled = make_article(headline="Embargo lifts", status=Article.Status.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        apply_transition(scheduled, "schedule", by=moderator, at=start + timedelta(seconds=90))
        # Meanwhile another worker, reading the rows as they were before the commit, found
        # nothing scheduled, and remembered so under the site's version of the moment.
        site = cache_versions.current([cache_versions.SITE])[cache_versions.SITE]
        cache.set(schedule.NEXT_KEY, (site, schedule.NO_EVENT), 300)
    with time_machine.travel(start + timedelta(seconds=10)):
        assert "Embargo lifts" not in get(client, "/")[0].content.decode()
        assert get(client, "/")[0]["X-Cache"] == "hit"
    with time_machine.travel(start + timedelta(seconds=91)):
        assert "Embargo lifts" in get(client, "/")[0].content.decode()


def test_after_a_piece_goes_live_pages_are_cached_again_until_the_next_one(client, moderator):
    start = timezone.now()
    make_article(headline="Already out")
    for headline, seconds in (("First embargo", 30), ("Second embargo", 90)):
        piece = make_article(headline=headline, status=Article.Status.IN_REVIEW)
        apply_transition(piece, "schedule", by=moderator, at=start + timedelta(seconds=seconds))
    with time_machine.travel(start + timedelta(seconds=10)):
        assert "First embargo" not in get(client, "/")[0].content.decode()
    with time_machine.travel(start + timedelta(seconds=31)):
        html = get(client, "/")[0].content.decode()
        assert "First embargo" in html and "Second embargo" not in html
        assert get(client, "/")[0]["X-Cache"] == "hit"
    with time_machine.travel(start + timedelta(seconds=91)):
        response, _ = get(client, "/")
        assert response["X-Cache"] == "miss" and "Second embargo" in response.content.decode()


def max_ages(response):
    directives = dict(
        part.strip().partition("=")[::2] for part in response["Cache-Control"].split(",")
    )
    return int(directives["max-age"]), int(directives["s-maxage"])


def test_browsers_and_proxies_are_not_told_to_keep_a_page_past_a_scheduled_publication(
    client, moderator
):
    start = timezone.now()
    make_article(headline="Already out")
    piece = make_article(headline="Embargo lifts", status=Article.Status.IN_REVIEW)
    apply_transition(piece, "schedule", by=moderator, at=start + timedelta(seconds=20))
    with time_machine.travel(start + timedelta(seconds=1), tick=False):
        assert all(age <= 19 for age in max_ages(get(client, "/")[0]))
    with time_machine.travel(start + timedelta(seconds=15), tick=False):
        response, _ = get(client, "/")
        assert response["X-Cache"] == "hit"
        assert all(age <= 5 for age in max_ages(response))


def menu_queries(client, path="/"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response, [q["sql"] for q in queries if 'FROM "articles_section" ORDER BY' in q["sql"]]


def test_the_menu_is_cached_until_a_section_changes_even_with_the_page_cache_off(client, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    section = make_section(name="Politics", slug="politics")
    make_article(section=section)
    first, queried = menu_queries(client)
    assert queried and "Politics" in first.content.decode()
    again, queried = menu_queries(client)
    assert not queried and "Politics" in again.content.decode()
    section.name = "Politique"
    section.save()
    renamed, _ = menu_queries(client)
    assert "Politique" in renamed.content.decode() and "Politics" not in renamed.content.decode()


def test_the_menu_is_queried_every_time_when_fragment_caching_is_off(client, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    settings.NEWSROOM_FRAGMENT_CACHE_SECONDS = 0
    make_article()
    menu_queries(client)
    assert menu_queries(client)[1]


def test_a_fragment_keyed_by_versions_is_fresh_after_a_change_or_a_go_live(moderator):
    start = timezone.now()
    section = make_section(name="Politics")

    def render(names, text):
        template = Template(
            "{% load cache fragments %}{% versions_key " + names + " as key %}"
            "{% cache 300 fragment key %}{{ text }}{% endcache %}"
        )
        return template.render(Context({"text": text}))

    menu = '"sections"'
    assert render(menu, "first") == "first"
    make_author().save()  # nothing the menu shows
    assert render(menu, "second") == "first"
    section.save()
    assert render(menu, "third") == "third"
    piece = make_article(headline="Embargo lifts", status=Article.Status.IN_REVIEW)
    apply_transition(piece, "schedule", by=moderator, at=start + timedelta(seconds=30))
    listing = f'"site" "section:{section.pk}"'
    with time_machine.travel(start + timedelta(seconds=10)):
        assert render(listing, "before") == "before"
        assert render(listing, "still before") == "before"
    with time_machine.travel(start + timedelta(seconds=31)):
        assert render(listing, "after") == "after"


def test_a_page_rendered_before_a_due_change_is_applied_is_kept_by_nobody(
    client, moderator, settings
):
    # The change's time has passed, and the worker has not published it yet (it is busy, or
    # stopped): pages rendered meanwhile are served but stored by no cache.
    live = make_article(headline="Live story")
    path = live.get_absolute_url()
    get(client, path)
    content = revisions.content_of(live)
    content["headline"] = "Corrected story"
    revisions.create_revision(
        live,
        by=moderator,
        content=content,
        pending=True,
        scheduled_for=timezone.now() - timedelta(seconds=1),
    )
    for _ in range(2):
        response, _ = get(client, path)
        assert response["X-Cache"] == "miss" and "Live story" in response.content.decode()
        assert max_ages(response) == (0, 0)
