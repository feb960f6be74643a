"""Assignments and the story budget: moderators plan, writers see what is theirs."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from articles import revisions
from articles.models import Article, AuditEntry

from .factories import make_article, make_author, make_section, make_staff, run_tasks
from .test_permissions import article_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    writer = make_staff("writer", "Writer")
    return {
        "writer": writer,
        "profile": make_author(name="Titi KEITA", user=writer),
        "moderator": make_staff("moderator", "Moderator"),
        "section": make_section(name="Economy", slug="economy"),
    }


def planned(desk, **fields):
    fields.setdefault("status", Article.Status.DRAFT)
    return make_article(section=desk["section"], authors=[], **fields)


def plan_form(article, *, assignee=None, due=None, priority=2, line=""):
    data = article_form_data(article)
    local = timezone.localtime(due) if due else None
    return data | {
        "assignee": assignee.pk if assignee else "",
        "due_at_0": local.strftime("%Y-%m-%d") if local else "",
        "due_at_1": local.strftime("%H:%M:%S") if local else "",
        "priority": str(priority),
        "budget_line": line,
    }


def change(client, article, data):
    return client.post(reverse("admin:articles_article_change", args=[article.pk]), data)


# Committed for real: the task worker (run_tasks) closes connections inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_a_moderator_assigns_a_piece_and_the_assignee_is_mailed(
    client, desk, django_capture_on_commit_callbacks
):
    article = planned(desk, headline="Water tariffs")
    due = timezone.now().replace(second=0, microsecond=0) + timedelta(days=1)
    client.force_login(desk["moderator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = change(
            client,
            article,
            plan_form(article, assignee=desk["profile"], due=due, priority=1, line="Why now?"),
        )
    run_tasks()
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.assignee == desk["profile"] and article.due_at == due
    assert article.priority == Article.Priority.HIGH and article.budget_line == "Why now?"
    entry = article.audit_entries.get(action=AuditEntry.Action.ASSIGNED)
    assert entry.user == desk["moderator"] and entry.note == "Titi KEITA"
    [message] = mail.outbox
    assert message.to == ["writer@newsroom.test"]
    assert message.subject == "[Newsroom] Assigned to you: Water tariffs"
    assert "Why now?" in message.body and "Due: " in message.body
    # Saved again unchanged: nobody is told twice.
    with django_capture_on_commit_callbacks(execute=True):
        change(client, article, plan_form(article, assignee=desk["profile"], due=due, priority=1))
    run_tasks()
    assert len(mail.outbox) == 1


# Committed for real: the task worker (run_tasks) closes connections inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_reassigning_tells_the_new_assignee(client, desk, django_capture_on_commit_callbacks):
    other = make_staff("other", "Writer")
    second = make_author(name="Awa DIALLO", user=other)
    article = planned(desk, assignee=desk["profile"])
    client.force_login(desk["moderator"])
    with django_capture_on_commit_callbacks(execute=True):
        change(client, article, plan_form(article, assignee=second))
    run_tasks()
    assert [m.to for m in mail.outbox] == [["other@newsroom.test"]]


def test_a_writer_cannot_assign_reprioritise_or_move_a_due_date(client, desk):
    due = timezone.now() + timedelta(days=2)
    article = planned(
        desk, created_by=desk["writer"], assignee=desk["profile"], due_at=due, budget_line="Pitch"
    )
    client.force_login(desk["writer"])
    form = client.get(reverse("admin:articles_article_change", args=[article.pk])).text
    assert 'name="due_at_0"' not in form and 'name="assignee"' not in form
    assert "Pitch" in form  # shown, read-only
    response = change(
        client,
        article,
        plan_form(article, assignee=None, due=due + timedelta(days=9), priority=3, line="Mine")
        | {"headline": "Water tariffs, drafted"},
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.headline == "Water tariffs, drafted"
    assert article.assignee == desk["profile"] and article.due_at == due
    assert article.priority == Article.Priority.NORMAL and article.budget_line == "Pitch"


def test_planning_a_live_piece_applies_at_once_while_its_text_waits(client, desk):
    live = make_article(section=desk["section"], headline="Live piece")
    client.force_login(desk["moderator"])
    due = timezone.now().replace(microsecond=0) + timedelta(hours=5)
    data = plan_form(live, assignee=desk["profile"], due=due) | {"headline": "Live piece, v2"}
    assert change(client, live, data).status_code == 302
    live.refresh_from_db()
    assert live.headline == "Live piece" and revisions.pending_revision(live) is not None
    assert live.assignee == desk["profile"] and live.due_at == due


def test_the_desk_home_shows_assignments_and_late_pieces(client, desk):
    now = timezone.now()
    planned(desk, headline="Due tomorrow", assignee=desk["profile"], due_at=now + timedelta(days=1))
    planned(
        desk, headline="Overdue piece", assignee=desk["profile"], due_at=now - timedelta(hours=3)
    )
    make_article(headline="Done and out", due_at=now - timedelta(days=2), section=desk["section"])
    client.force_login(desk["writer"])
    home = client.get("/admin/").content.decode()
    assigned = home[home.index('data-desk-list="assigned"') :]
    assert assigned.index("Overdue piece") < assigned.index("Due tomorrow")
    client.force_login(desk["moderator"])
    home = client.get("/admin/").content.decode()
    late = home[home.index('data-desk-list="late"') : home.index('data-desk-list="queue"')]
    assert "Overdue piece" in late and "Titi KEITA" in late
    assert "Due tomorrow" not in late and "Done and out" not in late


def test_the_story_budget_lists_a_days_pieces_in_due_order(client, desk):
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    planned(desk, headline="Evening piece", due_at=today + timedelta(hours=18), budget_line="Late")
    planned(desk, headline="Morning piece", due_at=today + timedelta(hours=9))
    planned(desk, headline="Tomorrow piece", due_at=today + timedelta(days=1, hours=9))
    url = reverse("admin:articles_article_budget")
    client.force_login(desk["moderator"])
    page = client.get(url).content.decode()
    assert page.index("Morning piece") < page.index("Evening piece")
    assert "Tomorrow piece" not in page and "Late" in page
    tomorrow = (today + timedelta(days=1)).date().isoformat()
    assert "Tomorrow piece" in client.get(url, {"day": tomorrow}).content.decode()


@pytest.mark.parametrize("day", ["abc", "2026-13-45", "<script>", "9" * 500])
def test_a_budget_day_that_is_no_date_gets_a_clear_message(client, desk, day):
    client.force_login(desk["moderator"])
    response = client.get(reverse("admin:articles_article_budget"), {"day": day})
    assert response.status_code == 200
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "is not a date" in message and "<script>" not in response.content.decode()


def test_writers_have_no_story_budget(client, desk):
    client.force_login(desk["writer"])
    assert client.get(reverse("admin:articles_article_budget")).status_code == 403
