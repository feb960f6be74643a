"""Webhooks (webhooks/): signed deliveries of article events to a real local receiver, retried
later and later, logged per endpoint, announced at a scheduled piece's go-live time, and
delivered after a worker dies mid-try."""

import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.models import Article, EditorialNote
from articles.workflow import apply_transition
from webhooks import signing
from webhooks.models import Delivery, Endpoint, Event

from .factories import make_article, make_author, make_staff, make_user, run_tasks
from .http_stub import HTTPStub
from .test_permissions import article_form_data

ROOT = Path(__file__).resolve().parent.parent
EVERY_EVENT = [event.value for event in Event if event != Event.PING]


@pytest.fixture
def desk():
    writer = make_staff("writer", "Writer")
    return {
        "writer": writer,
        "author": make_author(name="Titi KEITA", user=writer),
        "moderator": make_staff("moderator", "Moderator"),
    }


def in_review(desk, headline="A story for partners"):
    return make_article(
        headline=headline,
        status=Article.Status.IN_REVIEW,
        created_by=desk["writer"],
        authors=[desk["author"]],
    )


def endpoint_for(receiver, events=EVERY_EVENT, **fields):
    return Endpoint.objects.create(url=receiver.url + "/hooks", events=list(events), **fields)


def signed_correctly(request, secret):
    """The README's verification, written out independently of webhooks.signing."""
    parts = dict(part.split("=", 1) for part in request["headers"]["Newsroom-Signature"].split(","))
    expected = hmac.new(
        secret.encode(), parts["t"].encode() + b"." + request["body"], hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and abs(time.time() - int(parts["t"])) < 300


def events_sent(receiver):
    return [
        (request["headers"]["Newsroom-Event"], json.loads(request["body"])["data"]["article"]["id"])
        for request in receiver.requests
    ]


def test_a_signature_checks_out_only_for_its_body_secret_and_time():
    body = b'{"event": "article.published"}'
    header = signing.signature_header("whsec_one", body, timestamp=1_800_000_000)
    assert signing.verify("whsec_one", body, header, now=1_800_000_010)
    assert not signing.verify("whsec_two", body, header, now=1_800_000_010)
    assert not signing.verify("whsec_one", body + b" ", header, now=1_800_000_010)
    assert not signing.verify("whsec_one", body, header, now=1_800_000_000 + 301)
    assert not signing.verify("whsec_one", body, "garbage", now=1_800_000_010)


@pytest.mark.django_db(transaction=True)
def test_a_moderator_publishes_in_the_admin_and_the_receiver_gets_a_signed_delivery(desk):
    article = in_review(desk)
    EditorialNote.objects.create(article=article, author=desk["moderator"], body="Secret note")
    with HTTPStub() as receiver:
        endpoint = endpoint_for(receiver)
        moderator = Client()
        moderator.force_login(desk["moderator"])
        started = time.monotonic()
        response = moderator.post(
            reverse("admin:articles_article_transition", args=[article.pk]),
            {"transition": "publish"},
        )
        assert response.status_code == 302
        # The click queued the delivery; it did not make it.
        assert receiver.requests == []
        assert time.monotonic() - started < 5
        run_tasks()

    [request] = receiver.requests
    assert request["method"] == "POST" and request["path"] == "/hooks"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["Newsroom-Event"] == "article.published"
    assert signed_correctly(request, endpoint.secret)
    assert signing.verify(
        endpoint.secret, request["body"], request["headers"]["Newsroom-Signature"]
    )
    payload = json.loads(request["body"])
    delivery = Delivery.objects.get()
    assert payload["id"] == str(delivery.id) == request["headers"]["Newsroom-Delivery"]
    assert payload["event"] == "article.published"
    story = payload["data"]["article"]
    assert story["headline"] == "A story for partners"
    assert [author["name"] for author in story["bylines"]] == ["Titi KEITA"]
    assert story["url"] == "http://127.0.0.1:8000" + Article.objects.get().get_absolute_url()
    assert "Secret note" not in request["body"].decode()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.response_status == 200 and delivery.attempts == 1
    assert delivery.duration_ms is not None and delivery.delivered_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_answers_500_twice_gets_the_third_try_later(desk, settings):
    settings.NEWSROOM_TASK_ATTEMPTS = 6
    settings.NEWSROOM_TASK_RETRY_SECONDS = 30
    with HTTPStub(statuses=[500, 500, 204], body=b"busy") as receiver:
        endpoint_for(receiver)
        now = timezone.now()
        with time_machine.travel(now, tick=False) as clock:
            apply_transition(in_review(desk), "publish", by=desk["moderator"])
            run_tasks()
            delivery = Delivery.objects.get()
            assert delivery.status == Delivery.Status.RETRYING
            assert delivery.response_status == 500
            assert delivery.response_excerpt == "busy"  # what the receiver said, kept for the log
            assert delivery.next_retry_at == now + timedelta(seconds=30)
            run_tasks()  # not due yet
            assert len(receiver.requests) == 1
            clock.shift(timedelta(seconds=31))
            run_tasks()
            delivery.refresh_from_db()
            assert (delivery.status, delivery.attempts) == (Delivery.Status.RETRYING, 2)
            assert delivery.next_retry_at == timezone.now() + timedelta(seconds=60)
            clock.shift(timedelta(seconds=61))
            run_tasks()
    assert len(receiver.requests) == 3
    # Every try carries the same delivery, each freshly signed.
    assert len({request["body"] for request in receiver.requests}) == 1
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert (delivery.attempts, delivery.response_status) == (3, 204)
    assert delivery.next_retry_at is None


@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_never_answers_in_time_is_given_up_on_and_listed(desk, settings):
    settings.NEWSROOM_TASK_ATTEMPTS = 2
    settings.NEWSROOM_WEBHOOK_TIMEOUT_SECONDS = 1
    with HTTPStub(stalled=True) as receiver:
        endpoint = endpoint_for(receiver)
        now = timezone.now()
        with time_machine.travel(now, tick=True) as clock:
            apply_transition(in_review(desk), "publish", by=desk["moderator"])
            run_tasks()
            delivery = Delivery.objects.get()
            assert delivery.status == Delivery.Status.RETRYING
            assert "timed out" in delivery.error
            clock.shift(timedelta(seconds=31))
            run_tasks()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, 2)
    assert delivery.next_retry_at is None
    assert DBTaskResult.objects.filter(exception_class_path="jobs.retry.GaveUp").count() == 1

    admin_user = make_user("boss", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    log = client.get(
        reverse("admin:webhooks_delivery_changelist"),
        {"endpoint__id__exact": endpoint.pk, "status": "failed"},
    )
    assert log.status_code == 200
    assert log.context["cl"].result_count == 1
    assert "Gave up after the last try" in log.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_redirect_is_a_failed_try_not_a_post_elsewhere(desk):
    with HTTPStub(statuses=[302]) as receiver:
        endpoint_for(receiver)
        apply_transition(in_review(desk), "publish", by=desk["moderator"])
        run_tasks()
    assert [request["path"] for request in receiver.requests] == ["/hooks"]
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.response_status) == (Delivery.Status.RETRYING, 302)


@pytest.mark.django_db(transaction=True)
def test_a_scheduled_piece_is_announced_at_its_go_live_time_not_before(desk):
    article = in_review(desk)
    with HTTPStub() as receiver:
        endpoint_for(receiver)
        now = timezone.now().replace(microsecond=0)
        with time_machine.travel(now, tick=False) as clock:
            apply_transition(article, "schedule", by=desk["moderator"], at=now + timedelta(hours=1))
            # Moved to later before its first time came: announced once, at the new time.
            article.refresh_from_db()
            apply_transition(
                article, "reschedule", by=desk["moderator"], at=now + timedelta(hours=2)
            )
            run_tasks()
            assert not Delivery.objects.exists()
            clock.shift(timedelta(hours=1, seconds=1))
            run_tasks()
            assert not Delivery.objects.exists()
            clock.shift(timedelta(hours=1))
            run_tasks()
    assert events_sent(receiver) == [("article.published", article.pk)]


@pytest.mark.django_db(transaction=True)
def test_a_scheduled_piece_pulled_back_is_never_announced(desk):
    article = in_review(desk)
    with HTTPStub() as receiver:
        endpoint_for(receiver)
        now = timezone.now()
        with time_machine.travel(now, tick=False) as clock:
            apply_transition(article, "schedule", by=desk["moderator"], at=now + timedelta(hours=1))
            article.refresh_from_db()
            apply_transition(article, "unschedule", by=desk["moderator"])
            clock.shift(timedelta(hours=2))
            run_tasks()
    assert receiver.requests == []
    assert not Delivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_updates_unpublishing_and_deleting_are_announced_and_drafts_are_not(desk):
    moderator = Client()
    moderator.force_login(desk["moderator"])
    draft = make_article(headline="Draft", status=Article.Status.DRAFT, authors=[desk["author"]])
    live = make_article(headline="Live story", authors=[desk["author"]])
    with HTTPStub() as receiver:
        endpoint_for(receiver)
        change = reverse("admin:articles_article_change", args=[draft.pk])
        assert (
            moderator.post(change, article_form_data(draft, headline="Draft 2")).status_code == 302
        )
        # A change to the live piece waits for review: partners hear of it once it is live.
        change = reverse("admin:articles_article_change", args=[live.pk])
        live_form = article_form_data(live, headline="Live story, corrected")
        assert moderator.post(change, live_form).status_code == 302
        run_tasks()
        assert receiver.requests == []
        apply_transition(live, "publish_changes", by=desk["moderator"])
        run_tasks()
        [update] = receiver.requests
        assert json.loads(update["body"])["data"]["article"]["headline"] == "Live story, corrected"

        live.refresh_from_db()
        apply_transition(live, "unpublish", by=desk["moderator"])
        live.refresh_from_db()
        apply_transition(live, "republish", by=desk["moderator"])
        delete = reverse("admin:articles_article_delete", args=[live.pk])
        assert moderator.post(delete, {"post": "yes"}).status_code == 302
        run_tasks()
    assert Article.objects.get(pk=live.pk).deleted_at is not None
    assert events_sent(receiver) == [
        ("article.updated", live.pk),
        ("article.unpublished", live.pk),
        ("article.published", live.pk),
        ("article.deleted", live.pk),
    ]


@pytest.mark.django_db(transaction=True)
def test_an_endpoint_hears_only_the_events_it_chose_and_nothing_once_inactive(desk):
    live = make_article(authors=[desk["author"]])
    with HTTPStub() as only_published, HTTPStub() as inactive:
        endpoint_for(only_published, events=["article.published"])
        off = endpoint_for(inactive)
        apply_transition(in_review(desk), "publish", by=desk["moderator"])
        off.is_active = False
        off.save()
        apply_transition(live, "unpublish", by=desk["moderator"])
        run_tasks()
    assert [request["headers"]["Newsroom-Event"] for request in only_published.requests] == [
        "article.published"
    ]
    assert inactive.requests == []
    # Queued while the endpoint was active, then cancelled rather than sent.
    assert Delivery.objects.get(endpoint=off).status == Delivery.Status.CANCELLED


@pytest.mark.django_db(transaction=True)
def test_send_test_pings_an_endpoint_and_only_administrators_may(desk):
    with HTTPStub() as receiver:
        endpoint = endpoint_for(receiver, events=["article.deleted"])
        send_test = reverse("admin:webhooks_endpoint_send_test", args=[endpoint.pk])
        for user in (desk["writer"], desk["moderator"]):
            client = Client()
            client.force_login(user)
            assert client.post(send_test).status_code == 403
            assert client.get(reverse("admin:webhooks_endpoint_changelist")).status_code == 403
            assert client.get(reverse("admin:webhooks_delivery_changelist")).status_code == 403
        assert not Delivery.objects.exists()

        admin_user = make_user("boss", is_staff=True, is_superuser=True)
        client = Client()
        client.force_login(admin_user)
        page = client.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]))
        assert page.status_code == 200
        assert send_test in page.content.decode()
        assert endpoint.secret in page.content.decode()
        assert client.get(send_test).status_code == 405
        response = client.post(send_test)
        assert response.status_code == 302
        run_tasks()
    [request] = receiver.requests
    assert request["headers"]["Newsroom-Event"] == "ping"
    assert signed_correctly(request, endpoint.secret)
    log = client.get(response["Location"])
    assert log.context["cl"].result_count == 1
    assert "Delivered" in log.content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_administrator_registers_an_endpoint_in_the_admin(desk):
    admin_user = make_user("boss", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    add = reverse("admin:webhooks_endpoint_add")
    refused = client.post(add, {"url": "ftp://partner.test/", "events": ["nope"]})
    assert refused.status_code == 200
    assert set(refused.context["adminform"].form.errors) == {"url", "events"}
    created = client.post(
        add,
        {
            "url": "https://partner.test/hooks",
            "description": "Partner app",
            "events": ["article.published", "article.deleted"],
            "is_active": "on",
        },
    )
    assert created.status_code == 302
    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["article.published", "article.deleted"]
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    assert endpoint.created_by == admin_user


@pytest.mark.django_db(transaction=True)
def test_a_delivery_whose_worker_died_mid_try_is_made_when_a_worker_starts(desk):
    """What a killed worker leaves behind: its task RUNNING, claimed by a process now gone."""
    with HTTPStub() as receiver:
        endpoint_for(receiver)
        apply_transition(in_review(desk), "publish", by=desk["moderator"])
        gone = subprocess.Popen([sys.executable, "-c", "pass"])
        gone.wait()
        [task] = DBTaskResult.objects.filter(status="READY", task_path="webhooks.tasks.deliver")
        task.claim(f"{socket.gethostname()[:40]}:{gone.pid}")
        # Another host's task, started a minute ago, may still be running there: left alone.
        elsewhere = DBTaskResult.objects.create(
            task_path="webhooks.tasks.deliver",
            args_kwargs={"args": ["00000000-0000-0000-0000-000000000000"], "kwargs": {}},
            backend_name="default",
            run_after=timezone.now(),
            status="RUNNING",
            started_at=timezone.now() - timedelta(minutes=1),
            worker_ids=["another-host:1234"],
        )
        run_tasks()
    assert events_sent(receiver) == [("article.published", Article.objects.get().pk)]
    assert Delivery.objects.get().status == Delivery.Status.SUCCEEDED
    elsewhere.refresh_from_db()
    assert elsewhere.status == "RUNNING"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the worker runs in its own process, which needs a database server to share",
)
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_during_a_delivery_delivers_after_it_restarts(desk, tmp_path):
    database = connection.settings_dict  # the test database, not the configured one
    url = f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": url,
        "NEWSROOM_WEBHOOK_TIMEOUT_SECONDS": "20",
    }
    log_path = tmp_path / "worker.log"
    with HTTPStub(stalled=True) as receiver, log_path.open("w") as log:
        endpoint_for(receiver)
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--interval", "0.1"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            apply_transition(in_review(desk), "publish", by=desk["moderator"])
            assert receiver.arrived.wait(timeout=60), log_path.read_text()
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        [task] = DBTaskResult.objects.filter(task_path="webhooks.tasks.deliver")
        assert task.status == "RUNNING"
        receiver.released.set()
        restarted = subprocess.run(
            [sys.executable, "manage.py", "worker", "--batch"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert restarted.returncode == 0, restarted.stderr
    assert len(receiver.requests) == 2  # the try cut short, then the one that counts
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SUCCEEDED, restarted.stderr


@pytest.mark.django_db(transaction=True)
def test_an_imported_piece_that_publishes_is_announced_once_as_published():
    from articles.importing import import_piece, read_piece

    from .factories import make_section

    piece = read_piece(ROOT / "articles" / "demo" / "sample-opinion-piece.txt")
    with HTTPStub() as receiver:
        endpoint_for(receiver)
        article = import_piece(
            piece, section=make_section(name="Opinion"), genre="opinion", publish=True
        )
        run_tasks()
    # The import also said the piece changed: that update is moot next to its publication.
    assert events_sent(receiver) == [("article.published", article.pk)]
    story = json.loads(receiver.requests[0]["body"])["data"]["article"]
    assert [author["name"] for author in story["bylines"]] == ["Titi KEITA"]
