"""CDN purge (cdn/): once a change that readers can see is committed, the URLs it makes stale
leave the CDN (Varnish's PURGE or BAN, Cloudflare's API) through the task queue, tried again
while the CDN fails; drafts purge nothing, and nothing is queued without a CDN.

The CDN is a real HTTP server on 127.0.0.1, playing Varnish or Cloudflare's API."""

import json
import math
import re
import runpy
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.admin.articles import move_to_bin
from articles.models import Article, Byline, SlugRedirect
from articles.workflow import apply_transition
from cdn.backends import BAN_HEADER_CHARS, CLOUDFLARE_BATCH, ban_batches
from cdn.stale_urls import stale_urls
from pagecache.signals import pages_stale

from .factories import make_article, make_author, make_section, make_staff, run_tasks
from .http_stub import HTTPStub
from .smtp_stub import closed_port

ROOT = Path(__file__).resolve().parent.parent
PURGE_TASK = "cdn.tasks.purge_urls"
# tests/settings.py's NEWSROOM_BASE_URL: the host every purge must name.
PUBLIC_HOST = "127.0.0.1:8000"
CLOUDFLARE_OK = {"success": True, "errors": [], "messages": [], "result": {"id": "purge-1"}}


@pytest.fixture
def stub():
    with HTTPStub() as server:
        yield server


def use_varnish(settings, stub, mode="purge"):
    settings.NEWSROOM_CDN_PURGE = mode
    settings.NEWSROOM_CDN_VARNISH_URL = stub.url


def use_cloudflare(settings, stub):
    stub.body = json.dumps(CLOUDFLARE_OK).encode()
    settings.NEWSROOM_CDN_PURGE = "cloudflare"
    settings.NEWSROOM_CDN_CLOUDFLARE_API_URL = stub.url + "/client/v4"
    settings.NEWSROOM_CDN_CLOUDFLARE_ZONE = "zone-123"
    settings.NEWSROOM_CDN_CLOUDFLARE_TOKEN = "secret-token"


def purge_tasks(**filters):
    return DBTaskResult.objects.filter(task_path=PURGE_TASK, **filters)


@pytest.fixture
def desk():
    """A writer, a moderator and a piece in review, made before a test configures its CDN: the
    requests the CDN sees are those of what the test does next."""
    writer = make_staff("writer", "Writer")
    section = make_section(name="Politics", slug="politics")
    author = make_author(name="Jane Doe", slug="jane-doe", user=writer)
    article = make_article(
        headline="Budget vote",
        slug="budget-vote",
        status=Article.Status.IN_REVIEW,
        section=section,
        authors=[author],
        tags=["Budget", "Parliament"],
        created_by=writer,
    )
    return {
        "writer": writer,
        "moderator": make_staff("moderator", "Moderator"),
        "section": section,
        "author": author,
        "article": article,
    }


def pages_of_a_published_piece(article):
    """Every path a published (or just unpublished) piece makes stale, as the README lists."""
    local = timezone.localtime(article.published_at)
    kinds = ("", "-feed", "-atom")
    lists = [
        *(
            reverse(f"articles:section{kind}", kwargs={"slug": article.section.slug})
            for kind in kinds
        ),
        *(
            reverse(f"articles:author{kind}", kwargs={"slug": byline.author.slug})
            for byline in article.bylines.all()
            for kind in kinds
        ),
        *(
            reverse(f"articles:tag{kind}", kwargs={"slug": tag.slug})
            for tag in article.tags.all()
            for kind in kinds
        ),
    ]
    return {
        article.get_absolute_url(),
        reverse("articles:archive-year", kwargs={"year": local.year}),
        reverse("articles:archive-month", kwargs={"year": local.year, "month": local.month}),
        *lists,
        "/",
        "/feed/",
        "/atom/",
        "/archive/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/sitemap-sections.xml",
        "/sitemap-authors.xml",
        "/sitemap-tags.xml",
        "/news-sitemap.xml",
    }


@pytest.mark.django_db(transaction=True)
def test_publishing_a_piece_purges_its_page_its_lists_feeds_and_the_home_page(settings, desk, stub):
    use_varnish(settings, stub)
    article = apply_transition(desk["article"], "publish", by=desk["moderator"])
    assert purge_tasks().count() == 1  # one task for the whole step
    assert stub.requests == []  # the click waited on no CDN

    run_tasks()

    purged = stub.answered("PURGE")
    assert {r["path"] for r in purged} == pages_of_a_published_piece(article)
    assert len(purged) == len(stub.requests)  # each once, and nothing else
    assert {r["headers"]["Host"] for r in purged} == {PUBLIC_HOST}
    assert {"/politics/budget-vote/", "/politics/", "/authors/jane-doe/", "/tags/budget/", "/"} <= {
        r["path"] for r in purged
    }
    assert purge_tasks().get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_saving_and_submitting_drafts_purges_nothing(settings, desk, stub):
    use_varnish(settings, stub)
    draft = make_article(
        status=Article.Status.DRAFT,
        section=desk["section"],
        authors=[desk["author"]],
        tags=["Budget"],
        created_by=desk["writer"],
    )
    draft.headline = "A better headline"
    draft.save()
    apply_transition(draft, "submit", by=desk["writer"])
    with transaction.atomic():
        desk["article"].standfirst = "Edited while in review."
        desk["article"].save()
        Byline.objects.create(article=desk["article"], author=make_author(), position=1)

    assert not purge_tasks().exists()
    run_tasks()
    assert stub.requests == []


@pytest.mark.django_db(transaction=True)
def test_without_a_cdn_nothing_is_queued_though_pages_went_stale(settings, desk):
    assert settings.NEWSROOM_CDN_PURGE == ""
    announced = []

    def listen(sender, names, **kwargs):
        announced.append(names)

    pages_stale.connect(listen)
    try:
        apply_transition(desk["article"], "publish", by=desk["moderator"])
    finally:
        pages_stale.disconnect(listen)
    # The page cache did say which pages went stale, once, after the commit...
    [names] = announced
    assert f"article:{desk['article'].pk}" in names
    # ...and, told again, the CDN's receiver looks nothing up and queues nothing.
    with CaptureQueriesContext(connection) as queries:
        pages_stale.send(sender=None, names=names)
    assert queries.captured_queries == []
    assert not purge_tasks().exists()


@pytest.mark.django_db(transaction=True)
def test_cloudflare_gets_the_token_and_every_url_in_batches_of_thirty(settings, desk, stub):
    desk["article"].tags.add(*(f"Topic {n}" for n in range(12)))  # more URLs than one batch
    use_cloudflare(settings, stub)
    article = apply_transition(desk["article"], "publish", by=desk["moderator"])
    run_tasks()

    expected = {f"http://{PUBLIC_HOST}{path}" for path in pages_of_a_published_piece(article)}
    assert len(expected) > CLOUDFLARE_BATCH * 2
    calls = stub.answered("POST")
    assert len(calls) == math.ceil(len(expected) / CLOUDFLARE_BATCH) == len(stub.requests)
    files = []
    for call in calls:
        assert call["path"] == "/client/v4/zones/zone-123/purge_cache"
        assert call["headers"]["Authorization"] == "Bearer secret-token"
        assert call["headers"]["Content-Type"] == "application/json"
        batch = json.loads(call["body"])["files"]
        assert 0 < len(batch) <= CLOUDFLARE_BATCH
        files += batch
    assert len(files) == len(set(files))
    assert set(files) == expected
    assert purge_tasks().get().return_value["requests"] == len(calls)


@pytest.mark.django_db(transaction=True)
def test_a_varnish_ban_names_exactly_the_stale_paths_in_one_request(settings, desk, stub):
    use_varnish(settings, stub, mode="ban")
    article = apply_transition(desk["article"], "publish", by=desk["moderator"])
    run_tasks()

    [ban] = stub.answered("BAN")
    assert len(stub.requests) == 1
    assert ban["headers"]["Host"] == PUBLIC_HOST
    regex = ban["headers"]["X-Ban-Url"]
    # No backslashes: Varnish's ban expressions and PCRE read it as Python does.
    assert "\\" not in regex
    stale = pages_of_a_published_piece(article)
    assert all(re.fullmatch(regex, path) for path in stale)
    others = [
        "/politics/other-story/",
        "/politics/budget-vote/x/",
        "/politicsX",
        "/sitemap-articlesXxml",
    ]
    assert not any(re.search(regex, path) for path in others)


def test_a_long_ban_is_split_into_requests_varnish_accepts():
    urls = [f"http://news.example/section/a-rather-long-slug-number-{n}/" for n in range(400)]
    batches = list(ban_batches(urls))
    assert len(batches) > 1
    assert all(len(regex) <= BAN_HEADER_CHARS for _host, regex in batches)
    paths = [url.removeprefix("http://news.example") for url in urls]
    for path in paths:
        assert sum(bool(re.fullmatch(regex, path)) for _host, regex in batches) == 1


def fail_then_recover(stub, failure, settings):
    """Make the CDN fail as `failure` says; returns what brings it back."""
    if failure == "answers 500":
        stub.status = 500
        return lambda: setattr(stub, "status", 200)
    if failure == "times out":
        settings.NEWSROOM_CDN_TIMEOUT = 0.5
        stub.stalled = True

        def recover():
            stub.stalled = False
            stub.released.set()

        return recover
    # "refuses connections": nothing listens where Varnish should be, until it is back.
    settings.NEWSROOM_CDN_VARNISH_URL = f"http://127.0.0.1:{closed_port()}"
    return lambda: setattr(settings, "NEWSROOM_CDN_VARNISH_URL", stub.url)


@pytest.mark.parametrize("failure", ["answers 500", "times out", "refuses connections"])
@pytest.mark.django_db(transaction=True)
def test_a_failing_cdn_is_tried_again_later_until_it_purges(settings, desk, stub, failure):
    settings.NEWSROOM_TASK_ATTEMPTS = 3
    settings.NEWSROOM_TASK_RETRY_SECONDS = 30
    use_varnish(settings, stub)
    recover = fail_then_recover(stub, failure, settings)
    article = apply_transition(desk["article"], "publish", by=desk["moderator"])

    now = timezone.now()
    with time_machine.travel(now, tick=False) as clock:
        run_tasks()
        first = purge_tasks().get(status="FAILED")
        assert first.exception_class_path != "jobs.retry.GaveUp"
        again = purge_tasks().get(status="READY")
        assert again.args_kwargs["kwargs"]["attempt"] == 2
        assert again.run_after == now + timedelta(seconds=30)
        assert stub.answered("PURGE") == []

        recover()
        run_tasks()  # not due yet
        assert purge_tasks(status="READY").count() == 1
        clock.shift(timedelta(seconds=31))
        run_tasks()
    done = purge_tasks().get(status="SUCCESSFUL")
    assert done.return_value["attempt"] == 2
    assert {r["path"] for r in stub.answered("PURGE")} == pages_of_a_published_piece(article)


@pytest.mark.django_db(transaction=True)
def test_cloudflare_saying_no_in_a_200_is_a_failure_too(settings, desk, stub):
    use_cloudflare(settings, stub)
    stub.body = json.dumps({"success": False, "errors": [{"code": 10000}]}).encode()
    apply_transition(desk["article"], "publish", by=desk["moderator"])
    run_tasks()
    assert "PurgeRefused" in purge_tasks().get(status="FAILED").exception_class_path
    assert purge_tasks(status="READY").get().args_kwargs["kwargs"]["attempt"] == 2


def unpublish(article, moderator):
    apply_transition(article, "unpublish", by=moderator)


def bin_it(article, moderator):
    move_to_bin(article, by=moderator)


@pytest.mark.parametrize("take_down", [unpublish, bin_it], ids=["unpublished", "binned"])
@pytest.mark.django_db(transaction=True)
def test_a_piece_taken_down_leaves_the_cdn_under_its_old_slugs_too(
    settings, client, desk, stub, take_down
):
    article = apply_transition(desk["article"], "publish", by=desk["moderator"])
    SlugRedirect.objects.create(old_slug="budget-vote-draft", article=article)
    use_varnish(settings, stub)

    take_down(article, desk["moderator"])
    assert client.get(article.get_absolute_url()).status_code == 404
    run_tasks()
    purged = {r["path"] for r in stub.answered("PURGE")}
    assert "/politics/budget-vote/" in purged
    assert "/politics/budget-vote-draft/" in purged
    assert {"/", "/politics/", "/authors/jane-doe/", "/tags/budget/"} <= purged


@pytest.mark.django_db(transaction=True)
def test_a_piece_deleted_from_the_database_is_purged_by_the_url_it_had(settings, desk, stub):
    article = apply_transition(desk["article"], "publish", by=desk["moderator"])
    use_varnish(settings, stub)
    Article.objects.filter(pk=article.pk).delete()
    run_tasks()
    purged = {r["path"] for r in stub.answered("PURGE")}
    assert {"/politics/budget-vote/", "/", "/politics/"} <= purged


@pytest.mark.django_db(transaction=True)
def test_a_transaction_queues_one_purge_for_all_it_changed(settings, desk, stub):
    article = apply_transition(desk["article"], "publish", by=desk["moderator"])
    use_varnish(settings, stub)
    with transaction.atomic():
        article.standfirst = "Now with the final count."
        article.save()
        article.tags.add("Results")
        Byline.objects.create(article=article, author=make_author(slug="second-writer"), position=1)
    [task] = purge_tasks()
    urls = task.args_kwargs["kwargs"]["urls"]
    assert len(urls) == len(set(urls))
    paths = {url.removeprefix(f"http://{PUBLIC_HOST}") for url in urls}
    assert {"/politics/budget-vote/", "/tags/results/", "/authors/second-writer/"} <= paths


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_purges_nothing_then_or_later(settings, desk, stub):
    kept = make_article(headline="Kept", slug="kept", section=make_section(slug="sport"))
    other = make_article(
        headline="Rolled back", slug="rolled-back", section=make_section(slug="arts")
    )
    use_varnish(settings, stub)
    with pytest.raises(RuntimeError), transaction.atomic():
        other.standfirst = "Never saved."
        other.save()
        raise RuntimeError
    assert not purge_tasks().exists()

    with transaction.atomic():  # the next transaction of this thread
        kept.standfirst = "Saved."
        kept.save()
    [task] = purge_tasks()
    paths = {
        url.removeprefix(f"http://{PUBLIC_HOST}") for url in task.args_kwargs["kwargs"]["urls"]
    }
    assert "/sport/kept/" in paths
    assert not {"/arts/rolled-back/", "/arts/"} & paths


@pytest.mark.django_db
def test_finding_the_urls_takes_the_same_few_queries_however_many_names(django_assert_num_queries):
    def names_of(count):
        names = {"site", "sections", "authors"}
        for n in range(count):
            article = make_article(tags=[f"Tag {n}"])
            SlugRedirect.objects.create(old_slug=f"old-{article.slug}", article=article)
            names |= {f"article:{article.pk}", f"section:{article.section_id}"}
            names |= {f"author:{b.author_id}" for b in article.bylines.all()}
            names |= {f"tag:{tag.pk}" for tag in article.tags.all()}
        return names

    few, many = names_of(1), names_of(12)
    # A piece that was never public has no URL to give away, even to the CDN.
    draft = make_article(slug="secret-draft", status=Article.Status.DRAFT)
    many.add(f"article:{draft.pk}")
    with django_assert_num_queries(4):
        small = stale_urls(few)
    with django_assert_num_queries(4):
        large = stale_urls(many)
    assert len(large) > len(small) > 20
    assert "http://127.0.0.1:8000/" in large
    assert not any("secret-draft" in url for url in large)


@pytest.mark.parametrize(
    "environment, message",
    [
        ({"NEWSROOM_CDN_PURGE": "varnish"}, "must be empty (off), 'purge', 'ban' or 'cloudflare'"),
        ({"NEWSROOM_CDN_PURGE": "purge"}, "needs NEWSROOM_CDN_VARNISH_URL"),
        (
            {"NEWSROOM_CDN_PURGE": "ban", "NEWSROOM_CDN_VARNISH_URL": "varnish:6081"},
            "NEWSROOM_CDN_VARNISH_URL must be Varnish's own address",
        ),
        (
            {"NEWSROOM_CDN_PURGE": "cloudflare", "NEWSROOM_CDN_CLOUDFLARE_ZONE": "zone-123"},
            "needs NEWSROOM_CDN_CLOUDFLARE_TOKEN",
        ),
    ],
)
def test_a_misconfigured_cdn_stops_the_site_from_starting(monkeypatch, environment, message):
    from django.core.exceptions import ImproperlyConfigured

    for name in ("PURGE", "VARNISH_URL", "CLOUDFLARE_ZONE", "CLOUDFLARE_TOKEN"):
        monkeypatch.delenv(f"NEWSROOM_CDN_{name}", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        runpy.run_path(str(ROOT / "newsroom" / "settings.py"))


def test_a_complete_cloudflare_configuration_starts(monkeypatch):
    monkeypatch.setenv("NEWSROOM_CDN_PURGE", "Cloudflare")
    monkeypatch.setenv("NEWSROOM_CDN_CLOUDFLARE_ZONE", "zone-123")
    monkeypatch.setenv("NEWSROOM_CDN_CLOUDFLARE_TOKEN", "secret-token")
    loaded = runpy.run_path(str(ROOT / "newsroom" / "settings.py"))
    assert loaded["NEWSROOM_CDN_PURGE"] == "cloudflare"
    assert "cdn" in loaded["INSTALLED_APPS"]
