"""The editorial calendar: published, scheduled and planned pieces on their days, in the site's
time zone, filterable, rescheduled through the workflow."""

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, AuditEntry
from articles.workflow import apply_transition

from .factories import make_article, make_author, make_section, make_staff, run_tasks

pytestmark = pytest.mark.django_db

URL = "/admin/articles/article/calendar/"


@pytest.fixture
def desk(settings):
    # Far from UTC, so that a day in the site's zone is not the UTC day.
    settings.TIME_ZONE = "Pacific/Auckland"
    writer = make_staff("writer", "Writer")
    return {
        "writer": writer,
        "profile": make_author(name="Titi KEITA", user=writer),
        "moderator": make_staff("moderator", "Moderator"),
        "economy": make_section(name="Economy", slug="economy"),
        "politics": make_section(name="Politics", slug="politics"),
    }


def local(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, datetime.min.time())).replace(
        hour=hour, minute=minute
    )


def cell(html, day):
    found = re.search(rf'data-day="{day.isoformat()}">(.*?)</td>', html, re.S)
    return found.group(1) if found else ""


def test_pieces_sit_on_their_local_day_by_kind(client, desk):
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    live = make_article(headline="Out this morning", section=desk["economy"])
    Article.objects.filter(pk=live.pk).update(published_at=local(today, 0, 30))
    scheduled = make_article(headline="Going out tomorrow", status=Article.Status.IN_REVIEW)
    apply_transition(scheduled, "schedule", by=desk["moderator"], at=local(tomorrow, 23, 45))
    make_article(
        headline="Planned piece",
        status=Article.Status.DRAFT,
        due_at=local(tomorrow, 17),
        assignee=desk["profile"],
    )
    client.force_login(desk["moderator"])
    html = client.get(URL, {"date": today.isoformat()}).content.decode()
    assert "Out this morning" in cell(html, today) and "Published" in cell(html, today)
    out = cell(html, tomorrow)
    assert "Going out tomorrow" in out and "Scheduled" in out and "23:45" in out
    assert "Planned piece" in out and "due 17:00" in out and "Titi KEITA" in out
    week = client.get(URL, {"view": "week", "date": tomorrow.isoformat()}).content.decode()
    assert "Going out tomorrow" in cell(week, tomorrow)
    assert week.count("data-day=") == 7


def test_filters_by_section_and_author(client, desk):
    today = timezone.localdate()
    mine = make_article(headline="By Titi", authors=[desk["profile"]], section=desk["politics"])
    other = make_article(headline="By someone else", section=desk["economy"])
    client.force_login(desk["moderator"])
    by_section = client.get(URL, {"section": desk["politics"].pk}).content.decode()
    assert mine.headline in by_section and other.headline not in by_section
    by_author = client.get(URL, {"author": desk["profile"].pk}).content.decode()
    assert mine.headline in by_author and other.headline not in by_author
    assert cell(by_author, today)


@pytest.mark.parametrize(
    "query",
    [
        {"date": "2026-02-31"},
        {"date": "<script>"},
        {"view": "year"},
        {"section": "abc"},
        {"section": "999999"},
        {"author": "9" * 40},
    ],
)
def test_bad_input_gets_a_clear_message_and_a_calendar(client, desk, query):
    client.force_login(desk["moderator"])
    response = client.get(URL, query)
    assert response.status_code == 200
    assert list(get_messages(response.wsgi_request))
    assert "<script>" not in response.content.decode()


def test_the_calendar_costs_the_same_queries_however_full_the_month_is(client, desk):
    def month_queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured.captured_queries)

    client.force_login(desk["moderator"])
    make_article()
    month_queries()
    few = month_queries()
    for n in range(30):
        make_article(headline=f"Piece {n}", authors=[desk["profile"]])
        make_article(status=Article.Status.DRAFT, due_at=timezone.now() + timedelta(hours=n))
    assert month_queries() == few


# Committed for real: the task worker (run_tasks) closes connections inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_a_moderator_reschedules_from_the_calendar_through_the_workflow(
    client, desk, django_capture_on_commit_callbacks
):
    piece = make_article(
        headline="Moving piece",
        status=Article.Status.IN_REVIEW,
        created_by=desk["writer"],
        authors=[desk["profile"]],
    )
    first = timezone.now().replace(second=0, microsecond=0) + timedelta(days=1)
    apply_transition(piece, "schedule", by=desk["moderator"], at=first)
    client.force_login(desk["moderator"])
    page = client.get(URL).content.decode()
    assert 'value="reschedule"' in page
    later = timezone.localtime(first + timedelta(hours=3))
    run_tasks()  # the first scheduling's email
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:articles_article_transition", args=[piece.pk]),
            {"transition": "reschedule", "at": later.strftime("%Y-%m-%dT%H:%M"), "next": URL},
        )
    run_tasks()
    assert response.status_code == 302 and response["Location"] == URL
    piece.refresh_from_db()
    assert piece.published_at == later
    assert piece.audit_entries.filter(action=AuditEntry.Action.RESCHEDULED).count() == 1
    assert [m.subject for m in mail.outbox] == ["[Newsroom] Rescheduled: Moving piece"]


def test_a_writer_reads_the_calendar_but_reschedules_nothing(client, desk):
    piece = make_article(headline="Theirs to move", status=Article.Status.IN_REVIEW)
    apply_transition(piece, "schedule", by=desk["moderator"], at=timezone.now() + timedelta(days=1))
    draft = make_article(
        headline="Someone else draft", status=Article.Status.DRAFT, due_at=timezone.now()
    )
    client.force_login(desk["writer"])
    page = client.get(URL).content.decode()
    assert "Theirs to move" in page and 'value="reschedule"' not in page
    assert draft.headline not in page  # not theirs, not public
    response = client.post(
        reverse("admin:articles_article_transition", args=[piece.pk]),
        {"transition": "reschedule", "at": "2030-01-01T10:00"},
    )
    assert response.status_code == 403


def test_the_calendar_reads_in_french(client, desk):
    client.force_login(desk["moderator"])
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Calendrier éditorial" in html and "lundi" in html and "Mois précédent" in html


def test_a_busy_day_shows_its_first_pieces_and_counts_the_rest(client, desk):
    from articles.editorial_calendar import PER_DAY_SHOWN

    today = timezone.localdate()
    for n in range(PER_DAY_SHOWN + 3):
        piece = make_article(headline=f"Busy piece {n:02d}", section=desk["economy"])
        Article.objects.filter(pk=piece.pk).update(published_at=local(today, 0, n))
    client.force_login(desk["moderator"])
    day = cell(client.get(URL).content.decode(), today)
    assert day.count('class="desk-calendar-item desk-calendar-published') == PER_DAY_SHOWN
    assert "Busy piece 00" in day and f"Busy piece {PER_DAY_SHOWN + 2:02d}" not in day
    assert "and 3 more" in day
    more = re.search(r'<a href="([^"]+)">all of the day', day).group(1).replace("&amp;", "&")
    listing = client.get(more).content.decode()
    assert len(set(re.findall(r"Busy piece \d\d", listing))) == PER_DAY_SHOWN + 3
