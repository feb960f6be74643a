"""Background tasks (jobs/): emails leave through the queue, a click never waits on SMTP, a
failed email is tried again later and later, then listed in the admin as given up; tasks
queued while no worker runs wait for it; the Redis queue carries them between processes."""

import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles.models import Article
from jobs.retry import LONGEST_WAIT, wait_before

from .factories import make_article, make_author, make_staff, make_user, run_tasks
from .smtp_stub import SMTPStub, closed_port

ROOT = Path(__file__).resolve().parent.parent
QUEUE_REDIS = os.environ.get("TEST_QUEUE_REDIS_URL", "redis://127.0.0.1:6379/13")


@pytest.fixture
def desk():
    writer = make_staff("writer", "Writer")
    return {
        "writer": writer,
        "author": make_author(name="Writer ONE", user=writer),
        "moderator": make_staff("moderator", "Moderator"),
    }


def in_review(desk, headline="Queued story"):
    return make_article(
        headline=headline,
        status=Article.Status.IN_REVIEW,
        created_by=desk["writer"],
        authors=[desk["author"]],
    )


def take(client, user, article, name, **data):
    client.force_login(user)
    return client.post(
        reverse("admin:articles_article_transition", args=[article.pk]),
        {"transition": name, **data},
    )


def smtp(settings, port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 10


def test_each_wait_doubles_up_to_an_hour(settings):
    settings.NEWSROOM_TASK_RETRY_SECONDS = 30
    assert [wait_before(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert wait_before(20) == LONGEST_WAIT


@pytest.mark.django_db(transaction=True)
def test_a_publish_click_does_not_wait_on_a_mail_server_that_stalls(client, desk, settings):
    article = in_review(desk)
    with SMTPStub(stalled=True) as stub:
        smtp(settings, stub.port)
        started = time.monotonic()
        response = take(client, desk["moderator"], article, "publish")
        took = time.monotonic() - started
        assert response.status_code == 302
        article.refresh_from_db()
        assert article.is_published
        # The request finished without opening a connection to the mail server at all.
        assert stub.connections == 0, took
        assert DBTaskResult.objects.filter(status="READY").count() == 1

        seen_stalled = []

        def answer_once_the_worker_waits():
            if stub.connected.wait(10):
                seen_stalled.append(list(stub.messages))
            stub.released.set()  # the server answers at last

        threading.Thread(target=answer_once_the_worker_waits).start()
        run_tasks()  # the worker (in this thread: it sets signal handlers)
        assert seen_stalled == [[]], "the worker never waited on the mail server"
    [message] = stub.messages
    assert message["Subject"] == "[Newsroom] Published: Queued story"
    assert message["To"] == "writer@newsroom.test"
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_is_down_fails_no_click_and_its_email_is_retried_then_given_up(
    client, desk, settings
):
    settings.NEWSROOM_TASK_ATTEMPTS = 3
    settings.NEWSROOM_TASK_RETRY_SECONDS = 30
    smtp(settings, closed_port())
    article = in_review(desk, headline="Down story")
    # The production default once gave the moderator a server error for a step it had taken.
    assert (
        take(
            client, desk["moderator"], article, "request_changes", note="Add a source."
        ).status_code
        == 302
    )
    article.refresh_from_db()
    assert article.status == Article.Status.CHANGES_REQUESTED

    now = timezone.now()
    with time_machine.travel(now, tick=False) as clock:
        run_tasks()
        first = DBTaskResult.objects.get(status="FAILED")
        assert "ConnectionRefusedError" in first.exception_class_path
        second = DBTaskResult.objects.get(status="READY")
        assert second.args_kwargs["kwargs"]["attempt"] == 2
        assert second.run_after == now + timedelta(seconds=30)

        run_tasks()  # not due yet: nothing runs
        assert DBTaskResult.objects.filter(status="READY").count() == 1
        clock.shift(timedelta(seconds=31))
        run_tasks()
        third = DBTaskResult.objects.get(status="READY")
        assert third.args_kwargs["kwargs"]["attempt"] == 3
        assert third.run_after == timezone.now() + timedelta(seconds=60)
        clock.shift(timedelta(seconds=61))
        run_tasks()
    assert not DBTaskResult.objects.filter(status="READY").exists()
    gave_up = DBTaskResult.objects.get(exception_class_path="jobs.retry.GaveUp")
    assert "gave up after 3 tries" in gave_up.traceback

    # An administrator finds it among the tasks that gave up, and runs it again once the
    # mail server is back.
    admin = make_user("boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    listing = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    page = client.get(listing, {"outcome": "gave_up"})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 1
    assert "Gave up" in page.content.decode()
    with SMTPStub() as stub:
        smtp(settings, stub.port)
        response = client.post(
            listing, {"action": "run_again", "_selected_action": [str(gave_up.pk)]}
        )
        assert response.status_code == 302
        run_tasks()
    [message] = stub.messages
    assert message["Subject"] == "[Newsroom] Changes requested: Down story"


@pytest.mark.django_db
def test_writers_cannot_see_or_rerun_tasks(client, desk):
    client.force_login(desk["writer"])
    listing = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    assert client.get(listing).status_code == 403
    assert client.post(listing, {"action": "run_again"}).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_emails_queued_while_no_worker_runs_wait_for_it(client, desk, mailoutbox):
    draft = make_article(
        headline="First",
        status=Article.Status.DRAFT,
        created_by=desk["writer"],
        authors=[desk["author"]],
    )
    assert take(client, desk["writer"], draft, "submit").status_code == 302
    take(client, desk["moderator"], in_review(desk, headline="Second"), "publish")
    assert mailoutbox == []
    assert DBTaskResult.objects.filter(status="READY").count() == 2
    run_tasks()  # the worker comes back
    assert sorted(message.subject for message in mailoutbox) == [
        "[Newsroom] Published: Second",
        "[Newsroom] Submitted for review: First",
    ]
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()


def test_the_redis_queue_carries_an_email_from_one_process_to_a_worker_in_another(tmp_path):
    redis.Redis.from_url(QUEUE_REDIS).flushdb()
    with SMTPStub() as stub:
        env = {
            **os.environ,
            "DEBUG": "1",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
            "REDIS_URL": QUEUE_REDIS,
            "NEWSROOM_TASK_QUEUE": "redis",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(stub.port),
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)

        def manage(*arguments):
            return subprocess.run(
                [sys.executable, "manage.py", *arguments],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            )

        manage(
            "shell",
            "-c",
            "from jobs.email import send_email; "
            "send_email.enqueue(subject='Through Redis', body='Hello', to=['desk@newsroom.test'])",
        )
        assert stub.messages == []
        worker = manage("worker", "--batch")
    assert len(stub.messages) == 1, worker.stdout + worker.stderr
    [message] = stub.messages
    assert message["Subject"] == "Through Redis"
