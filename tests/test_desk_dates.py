"""The desk's dates in the desk's language: workflow panel, conflicts, revisions, history, emails.

Every date goes through the locale's SHORT_DATETIME_FORMAT (newsroom/formats/): the French desk
reads "4 déc. 2026, 12:50", the English one "4 Dec. 2026, 12:50", never "04 Dec 2026, 12:50".
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse

from articles.models import Article, EditorialNote

from .factories import make_article, make_author, make_user, run_tasks
from .test_permissions import article_form_data

pytestmark = pytest.mark.django_db

# TIME_ZONE is UTC in the tests, so this is also the desk's local time.
NOW = datetime(2026, 12, 4, 12, 50, tzinfo=UTC)
FRENCH = "4 déc. 2026, 12:50"
ENGLISH = "4 Dec. 2026, 12:50"
OLD_STYLE = "04 Dec 2026"


def staff(name, role):
    user = make_user(name, is_staff=True, email=f"{name}@newsroom.test")
    user.groups.add(Group.objects.get(name=role))
    return user


def desk_client(user, language):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.fixture
def desk():
    writer = staff("writer", "Writer")
    return {
        "writer": writer,
        "moderator": staff("moderator", "Moderator"),
        "author": make_author(name="Writer ONE", user=writer),
    }


def change_page(client, article):
    return client.get(reverse("admin:articles_article_change", args=[article.pk])).text


@pytest.mark.parametrize(
    "language,expected", [("fr", f"Programmé pour le {FRENCH}"), ("en", f"Scheduled for {ENGLISH}")]
)
def test_a_scheduled_piece_says_when_in_the_desks_language(desk, language, expected):
    article = make_article(
        status=Article.Status.PUBLISHED, published_at=NOW, authors=[desk["author"]]
    )
    client = desk_client(desk["moderator"], language)
    with time_machine.travel(NOW - timedelta(days=2), tick=False):
        panel = change_page(client, article)
        changelist = client.get(reverse("admin:articles_article_changelist")).text
    assert expected in panel and expected in changelist
    assert OLD_STYLE not in panel and OLD_STYLE not in changelist


def test_the_schedule_confirmation_speaks_french(desk):
    article = make_article(status=Article.Status.IN_REVIEW, authors=[desk["author"]])
    client = desk_client(desk["moderator"], "fr")
    with time_machine.travel(NOW - timedelta(days=2), tick=False):
        response = client.post(
            reverse("admin:articles_article_transition", args=[article.pk]),
            {"transition": "schedule", "at": "2026-12-04T12:50"},
            follow=True,
        )
    assert f"Programmé pour le {FRENCH}" in response.text


@pytest.mark.parametrize(
    "language,expected",
    [
        ("fr", f"Modifications demandées par moderator le {FRENCH}"),
        ("en", f"Changes requested by moderator on {ENGLISH}"),
    ],
)
def test_the_requested_changes_and_notes_are_dated_in_the_desks_language(desk, language, expected):
    article = make_article(
        status=Article.Status.CHANGES_REQUESTED,
        created_by=desk["writer"],
        authors=[desk["author"]],
    )
    with time_machine.travel(NOW, tick=False):
        EditorialNote.objects.create(
            article=article,
            author=desk["moderator"],
            kind=EditorialNote.Kind.CHANGES_REQUESTED,
            body="Check the figures.",
        )
    panel = change_page(desk_client(desk["writer"], language), article)
    assert expected in panel
    date_in_note = FRENCH if language == "fr" else ENGLISH
    assert f">{date_in_note}</time>" in panel  # the notes list under the panel


def test_an_edit_conflict_is_dated_in_french(desk):
    article = make_article(
        status=Article.Status.DRAFT, created_by=desk["writer"], authors=[desk["author"]]
    )
    writer = desk_client(desk["writer"], "fr")
    moderator = desk_client(desk["moderator"], "fr")
    url = reverse("admin:articles_article_change", args=[article.pk])
    with time_machine.travel(NOW, tick=False):
        opened = Article.objects.get(pk=article.pk)
        writer_form = article_form_data(opened, body="<p>The writer's paragraph.</p>")
        moderator_form = article_form_data(opened, headline="Moderator's headline")
        assert moderator.post(url, moderator_form).status_code == 302
        response = writer.post(url, writer_form)
    assert response.status_code == 200
    assert f"moderator a enregistré cet article le {FRENCH}" in response.text
    # The notice above the form gives the time of that save.
    assert "moderator a enregistré cet article à 12:50 pendant que" in response.text


@pytest.mark.parametrize("language,expected", [("fr", FRENCH), ("en", ENGLISH)])
def test_revisions_compare_and_history_are_dated_in_the_desks_language(desk, language, expected):
    article = make_article(
        status=Article.Status.DRAFT, created_by=desk["writer"], authors=[desk["author"]]
    )
    client = desk_client(desk["writer"], language)
    url = reverse("admin:articles_article_change", args=[article.pk])
    with time_machine.travel(NOW, tick=False):
        client.post(url, article_form_data(Article.objects.get(pk=article.pk), headline="One"))
        client.post(url, article_form_data(Article.objects.get(pk=article.pk), headline="Two"))
    first, second = article.revisions.order_by("number")
    listing = client.get(reverse("admin:articles_article_revisions", args=[article.pk])).text
    compare = client.get(
        reverse("admin:articles_article_compare", args=[article.pk]),
        {"from": first.pk, "to": second.pk},
    ).text
    history = client.get(reverse("admin:articles_article_history", args=[article.pk])).text
    for page in (listing, compare, history):
        assert expected in page
        assert OLD_STYLE not in page


def scheduled_by_a_french_moderator(desk, django_capture_on_commit_callbacks):
    article = make_article(
        headline="Mail story",
        status=Article.Status.IN_REVIEW,
        created_by=desk["writer"],
        authors=[desk["author"]],
    )
    client = desk_client(desk["moderator"], "fr")
    mail.outbox.clear()
    with (
        time_machine.travel(NOW - timedelta(days=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(
            reverse("admin:articles_article_transition", args=[article.pk]),
            {"transition": "schedule", "at": "2026-12-04T12:50"},
        )
    run_tasks()
    [message] = mail.outbox
    return message


# Committed for real: the task worker (run_tasks) closes connections inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_emails_speak_the_sites_language_not_the_deciders(desk, django_capture_on_commit_callbacks):
    message = scheduled_by_a_french_moderator(desk, django_capture_on_commit_callbacks)
    assert message.to == ["writer@newsroom.test"]
    assert f"Goes live: {ENGLISH} UTC" in message.body
    assert message.body.startswith("Scheduled by moderator")
    assert OLD_STYLE not in message.body


# Committed for real: the task worker (run_tasks) closes connections inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_a_french_site_mails_its_dates_in_french(
    desk, settings, django_capture_on_commit_callbacks
):
    settings.LANGUAGE_CODE = "fr"
    message = scheduled_by_a_french_moderator(desk, django_capture_on_commit_callbacks)
    assert f"Mise en ligne\N{NO-BREAK SPACE}: {FRENCH} UTC" in message.body
    assert message.body.startswith("Programmé par moderator")
    assert message.subject == "[Newsroom] Programmé\N{NO-BREAK SPACE}: Mail story"
    assert "December" not in message.body and OLD_STYLE not in message.body
