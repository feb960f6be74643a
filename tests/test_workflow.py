"""The editorial workflow: every state, every step, every role, through the admin's real URLs."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, AuditEntry, EditorialNote
from articles.workflow import TRANSITIONS, State, apply_transition, state_of

from .factories import make_article, make_author, make_section, make_user, run_tasks

pytestmark = pytest.mark.django_db


def staff(name, role=None, **extra):
    user = make_user(name, is_staff=True, email=f"{name}@newsroom.test", **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def people():
    writer = staff("writer", "Writer")
    coauthor = staff("coauthor", "Writer")
    return {
        "writer": writer,
        "coauthor": coauthor,
        "outsider": staff("outsider", "Writer"),
        "moderator": staff("moderator", "Moderator"),
        "moderator2": staff("moderator2", "Moderator"),
        "writer_author": make_author(name="Writer ONE", user=writer),
        "coauthor_author": make_author(name="Co AUTHOR", user=coauthor),
    }


def article_in(state, people, **fields):
    now = timezone.now()
    status_and_date = {
        State.DRAFT: (Article.Status.DRAFT, None),
        State.IN_REVIEW: (Article.Status.IN_REVIEW, None),
        State.CHANGES_REQUESTED: (Article.Status.CHANGES_REQUESTED, None),
        State.SCHEDULED: (Article.Status.PUBLISHED, now + timedelta(days=1)),
        State.PUBLISHED: (Article.Status.PUBLISHED, now - timedelta(days=1)),
        State.UNPUBLISHED: (Article.Status.UNPUBLISHED, now - timedelta(days=2)),
    }
    status, published_at = status_and_date[state]
    article = make_article(
        status=status,
        published_at=published_at,
        authors=[people["writer_author"], people["coauthor_author"]],
        created_by=people["writer"],
        **fields,
    )
    assert state_of(article) == state
    return article


def take(client, article, name, **data):
    if name in {"schedule", "reschedule"}:
        later = timezone.localtime() + timedelta(hours=3)
        data.setdefault("at", later.strftime("%Y-%m-%dT%H:%M"))
    if name == "request_changes":
        data.setdefault("note", "Please check the figures in paragraph two.")
    return client.post(
        reverse("admin:articles_article_transition", args=[article.pk]),
        {"transition": name, **data},
    )


ALL_STATES = [
    State.DRAFT,
    State.IN_REVIEW,
    State.CHANGES_REQUESTED,
    State.SCHEDULED,
    State.PUBLISHED,
    State.UNPUBLISHED,
]
# (who, may take writer steps, may take moderator steps)
ROLES = [
    ("writer", True, False),
    ("coauthor", True, False),
    ("outsider", False, False),
    ("moderator", True, True),
]


@pytest.mark.parametrize("state", ALL_STATES)
@pytest.mark.parametrize("name", list(TRANSITIONS))
@pytest.mark.parametrize("who,writer_steps,moderator_steps", ROLES)
def test_state_machine_through_the_admin(
    client, people, state, name, who, writer_steps, moderator_steps
):
    article = article_in(state, people)
    transition = TRANSITIONS[name]
    may = writer_steps if transition.role == "writer" else moderator_steps
    # Steps on a pending change need one; these articles have none (tests/test_revisions.py).
    expected = may and state in transition.sources and not transition.on_pending_change
    client.force_login(people[who])
    response = take(client, article, name)
    article.refresh_from_db()
    if expected:
        assert response.status_code == 302
        assert state_of(article) == transition.target
        assert AuditEntry.objects.filter(article=article, action=name).count() == 1
    else:
        assert response.status_code in (302, 403)
        assert state_of(article) == state
        assert not AuditEntry.objects.filter(article=article, action=name).exists()


@pytest.mark.parametrize("state", ALL_STATES)
@pytest.mark.parametrize("who", ["writer", "outsider", "moderator"])
def test_the_form_offers_exactly_the_steps_that_would_succeed(client, people, state, who):
    article = article_in(state, people)
    client.force_login(people[who])
    response = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    if who == "outsider" and state not in {State.PUBLISHED}:
        assert response.status_code == 403
        return
    offered = {name for name in TRANSITIONS if f'name="transition" value="{name}"' in response.text}
    writer_steps = who != "outsider"
    moderator_steps = who == "moderator"
    expected = {
        name
        for name, t in TRANSITIONS.items()
        if state in t.sources
        and not t.on_pending_change
        and (moderator_steps if t.role == "moderator" else writer_steps)
    }
    assert offered == expected


def test_the_same_publish_submitted_twice_leaves_one_entry(client, people):
    article = article_in(State.IN_REVIEW, people)
    client.force_login(people["moderator"])
    take(client, article, "publish")
    take(client, article, "publish")
    assert AuditEntry.objects.filter(article=article, action="publish").count() == 1
    client.force_login(people["moderator2"])
    response = take(client, article, "publish")
    assert AuditEntry.objects.filter(article=article, action="publish").count() == 1
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("not possible" in m for m in messages)


def test_request_changes_needs_a_note(client, people):
    article = article_in(State.IN_REVIEW, people)
    client.force_login(people["moderator"])
    take(client, article, "request_changes", note="   ")
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    assert not AuditEntry.objects.filter(article=article).exists()


def test_schedule_needs_a_future_time(client, people):
    article = article_in(State.IN_REVIEW, people)
    client.force_login(people["moderator"])
    for bad in ["", "yesterday", "2001-01-01T10:00", "9999-99-99T99:99", "x" * 500]:
        take(client, article, "schedule", at=bad)
        article.refresh_from_db()
        assert article.status == Article.Status.IN_REVIEW, bad


def test_an_unknown_step_is_refused_cleanly(client, people):
    article = article_in(State.DRAFT, people)
    client.force_login(people["moderator"])
    response = take(client, article, "delete_everything")
    assert response.status_code == 302
    assert (
        client.get(reverse("admin:articles_article_transition", args=[article.pk])).status_code
        == 405
    )


def test_writer_sees_the_requested_changes_at_the_top_and_notes_stay_private(client, people):
    article = article_in(State.IN_REVIEW, people, headline="Budget story")
    client.force_login(people["moderator"])
    take(client, article, "request_changes", note="Source the deficit figure, please.")
    client.force_login(people["writer"])
    html = client.get(reverse("admin:articles_article_change", args=[article.pk])).text
    assert html.index("Source the deficit figure") < html.index('id="article_form"')
    assert 'class="desk-changes-requested"' in html
    client.post(
        reverse("admin:articles_article_note", args=[article.pk]),
        {"body": "Done: the figure is from the finance ministry's report."},
    )
    notes = list(article.notes.values_list("kind", "body"))
    assert notes == [
        (EditorialNote.Kind.CHANGES_REQUESTED, "Source the deficit figure, please."),
        (EditorialNote.Kind.NOTE, "Done: the figure is from the finance ministry's report."),
    ]
    take(client, article, "submit")
    client.force_login(people["moderator"])
    take(client, article, "publish", note="Good to go.")
    client.logout()
    for path in ["/", article.get_absolute_url(), article.section.get_absolute_url()]:
        html = client.get(path).text
        assert "Budget story" in html
        for private in ["deficit figure", "finance ministry", "Good to go"]:
            assert private not in html, path


def test_scheduled_article_goes_live_on_every_surface_at_its_second(client, people):
    section = make_section(slug="politics")
    article = article_in(
        State.IN_REVIEW, people, headline="Exactly on time", section=section, tags=["Timing"]
    )
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        apply_transition(
            article, "schedule", by=people["moderator"], at=start + timedelta(seconds=1)
        )
        paths = [
            article.get_absolute_url(),
            "/",
            "/politics/",
            people["writer_author"].get_absolute_url(),
            "/tags/timing/",
        ]
        for path in paths:
            assert "Exactly on time" not in client.get(path).text, path
    with time_machine.travel(start + timedelta(seconds=1), tick=False):
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            assert "Exactly on time" in response.text, path


def test_scheduled_piece_can_be_rescheduled_or_pulled_back(client, people):
    article = article_in(State.IN_REVIEW, people)
    client.force_login(people["moderator"])
    take(client, article, "schedule")
    article.refresh_from_db()
    html = client.get(reverse("admin:articles_article_change", args=[article.pk])).text
    assert "Scheduled for" in html
    changelist = client.get(reverse("admin:articles_article_changelist")).text
    assert "Scheduled for" in changelist
    later = timezone.localtime() + timedelta(days=2)
    take(client, article, "reschedule", at=later.strftime("%Y-%m-%dT%H:%M"))
    article.refresh_from_db()
    assert timezone.localtime(article.published_at).date() == later.date()
    take(client, article, "unschedule")
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert list(article.audit_entries.values_list("action", flat=True)) == [
        "unschedule",
        "reschedule",
        "schedule",
    ]


# Notifications.

EXPECTED_RECIPIENTS = {
    "submit": {"moderator@newsroom.test", "moderator2@newsroom.test"},
    "request_changes": {"writer@newsroom.test", "coauthor@newsroom.test"},
    "publish": {"writer@newsroom.test", "coauthor@newsroom.test"},
    "schedule": {"writer@newsroom.test", "coauthor@newsroom.test"},
    "unpublish": {"writer@newsroom.test", "coauthor@newsroom.test"},
    "withdraw": set(),
}


# Committed for real: the task worker (run_tasks) closes connections inside a transaction.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name,expected", EXPECTED_RECIPIENTS.items())
def test_the_right_people_get_the_right_email(
    client, people, name, expected, django_capture_on_commit_callbacks
):
    start = {"submit": State.DRAFT, "unpublish": State.PUBLISHED, "withdraw": State.IN_REVIEW}
    article = article_in(start.get(name, State.IN_REVIEW), people, headline="Mail story")
    actor = people["writer"] if name in {"submit", "withdraw"} else people["moderator"]
    mail.outbox.clear()
    client.force_login(actor)
    with django_capture_on_commit_callbacks(execute=True):
        take(client, article, name)
    run_tasks()
    recipients = {address for message in mail.outbox for address in message.to}
    assert recipients == expected - {actor.email}
    assert all(len(message.to) == 1 for message in mail.outbox)
    for message in mail.outbox:
        assert "Mail story" in message.subject
        assert f"/admin/articles/article/{article.pk}/change/" in message.body


# Committed for real: the task worker (run_tasks) closes connections inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_a_moderator_who_submits_is_not_mailed_about_it(
    client, people, django_capture_on_commit_callbacks
):
    article = article_in(State.DRAFT, people)
    client.force_login(people["moderator"])
    with django_capture_on_commit_callbacks(execute=True):
        take(client, article, "submit")
    run_tasks()
    assert {m.to[0] for m in mail.outbox} == {"moderator2@newsroom.test"}


# Committed for real: the task worker (run_tasks) closes connections inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_changes_requested_email_carries_the_note(
    client, people, django_capture_on_commit_callbacks
):
    article = article_in(State.IN_REVIEW, people)
    client.force_login(people["moderator"])
    with django_capture_on_commit_callbacks(execute=True):
        take(client, article, "request_changes", note="Add a second source.")
    run_tasks()
    assert mail.outbox and all("Add a second source." in m.body for m in mail.outbox)


# Committed for real: the task worker (run_tasks) closes connections inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_no_email_when_the_transition_is_refused(
    client, people, django_capture_on_commit_callbacks
):
    article = article_in(State.DRAFT, people)
    client.force_login(people["outsider"])
    with django_capture_on_commit_callbacks(execute=True):
        take(client, article, "submit")
    run_tasks()
    assert mail.outbox == []


# The queue, the history and the audit log.


def test_moderation_queue_lists_articles_in_review_oldest_first(client, people):
    now = timezone.now()
    newer = article_in(
        State.IN_REVIEW, people, headline="Newer submission", body="<p>" + "word " * 120 + "</p>"
    )
    older = article_in(State.IN_REVIEW, people, headline="Older submission")
    Article.objects.filter(pk=newer.pk).update(submitted_at=now - timedelta(hours=1))
    Article.objects.filter(pk=older.pk).update(submitted_at=now - timedelta(days=2))
    article_in(State.DRAFT, people, headline="Still a draft")
    client.force_login(people["moderator"])
    html = client.get(reverse("admin:articles_article_queue")).text
    assert html.index("Older submission") < html.index("Newer submission")
    assert "Still a draft" not in html
    assert "120" in html and "2\xa0days" in html
    assert "Writer ONE, Co AUTHOR" in html
    response = take(client, older, "publish", next=reverse("admin:articles_article_queue"))
    assert response["Location"] == reverse("admin:articles_article_queue")
    changelist = client.get(reverse("admin:articles_article_changelist")).text
    assert "Moderation queue (1)" in changelist


def test_only_moderators_reach_the_queue_and_the_audit_log(client, people):
    client.force_login(people["writer"])
    assert client.get(reverse("admin:articles_article_queue")).status_code == 403
    assert client.get(reverse("admin:articles_auditentry_changelist")).status_code == 403
    client.force_login(people["moderator"])
    assert client.get(reverse("admin:articles_auditentry_changelist")).status_code == 200


def test_every_save_and_step_is_in_the_history_page_and_the_site_wide_log(client, people):
    article = article_in(State.DRAFT, people, headline="Traced piece")
    client.force_login(people["writer"])
    from .test_permissions import article_form_data

    client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_form_data(article, headline="Traced piece, revised"),
    )
    take(client, article, "submit", note="Ready when you are.")
    client.force_login(people["moderator"])
    take(client, article, "publish")
    entries = list(
        article.audit_entries.order_by("created_at", "id").values_list(
            "user__username", "action", "from_state", "to_state"
        )
    )
    assert entries == [
        ("writer", "saved", "draft", "draft"),
        ("writer", "submit", "draft", "in_review"),
        ("moderator", "publish", "in_review", "published"),
    ]
    history = client.get(reverse("admin:articles_article_history", args=[article.pk])).text
    assert "Ready when you are." in history and "Submitted for review" in history
    # States as the desk names them, not the codes they are stored as.
    assert "Draft → In review" in history and "In review → Published" in history
    assert "in_review" not in history
    log = reverse("admin:articles_auditentry_changelist")
    by_user = client.get(log, {"user__id__exact": people["writer"].pk}).text
    assert "Traced piece, revised" in by_user
    assert by_user.count('class="field-article_link"') == 2
    assert '<td class="field-action">Published</td>' not in by_user
    by_action = client.get(log, {"action__exact": "publish"}).text
    assert by_action.count('class="field-article_link"') == 1
    assert '<td class="field-action">Published</td>' in by_action
    by_article = client.get(log, {"article__id__exact": article.pk}).text
    assert by_article.count('class="field-article_link"') == 3


def test_the_audit_log_keeps_entries_of_a_deleted_article(client, people):
    article = article_in(State.IN_REVIEW, people, headline="Doomed")
    apply_transition(article, "withdraw", by=people["writer"])
    article.delete()
    entry = AuditEntry.objects.get(action="withdraw")
    assert entry.article is None and entry.article_headline == "Doomed"


def test_changelist_actions_apply_transitions_and_report_refusals(client, people):
    in_review = article_in(State.IN_REVIEW, people, headline="Ready one")
    draft = article_in(State.DRAFT, people, headline="Not ready")
    client.force_login(people["moderator"])
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish_selected", "_selected_action": [in_review.pk, draft.pk]},
        follow=True,
    )
    in_review.refresh_from_db()
    draft.refresh_from_db()
    assert in_review.is_published and draft.status == Article.Status.DRAFT
    assert "Publish now: 1 article." in response.text
    assert "was not possible for: Not ready" in response.text


# The workflow as people read it: what happened, said once, in words.

DONE = {
    "submit": "Submitted for review",
    "request_changes": "Changes requested",
    "publish": "Published",
    "schedule": "Scheduled",
    "unpublish": "Unpublished",
}


# Committed for real: the task worker (run_tasks) closes connections inside a transaction.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name,done", DONE.items())
def test_an_email_says_what_happened_not_which_button_was_pressed(
    client, people, name, done, settings, django_capture_on_commit_callbacks
):
    start = {"submit": State.DRAFT, "unpublish": State.PUBLISHED}
    article = article_in(start.get(name, State.IN_REVIEW), people, headline="Mail story")
    actor = people["writer"] if name == "submit" else people["moderator"]
    client.force_login(actor)
    with django_capture_on_commit_callbacks(execute=True):
        take(client, article, name)
    run_tasks()
    assert mail.outbox
    for message in mail.outbox:
        assert message.subject == f"[{settings.NEWSROOM_SITE_NAME}] {done}: Mail story"
        assert message.body.startswith(f"{done} by {actor.username}")


def live_piece_with_a_change(people):
    from articles import revisions

    live = article_in(State.PUBLISHED, people, headline="Live piece")
    content = revisions.content_of(live)
    content["headline"] = "Live piece, corrected"
    revisions.create_revision(live, by=people["writer"], content=content, pending=True)
    return live


# Committed for real: the task worker (run_tasks) closes connections inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_a_change_to_a_live_piece_sent_for_review_says_so_and_is_sent_once(
    client, people, django_capture_on_commit_callbacks
):
    live = live_piece_with_a_change(people)
    client.force_login(people["writer"])
    change_form = reverse("admin:articles_article_change", args=[live.pk])
    assert "Published; changes not yet submitted" in client.get(change_form).text
    with django_capture_on_commit_callbacks(execute=True):
        response = take(client, live, "submit_changes")
    run_tasks()
    told = [str(message) for message in get_messages(response.wsgi_request)]
    assert told == [
        "“Live piece”: Changes submitted for review. Now: Published; changes waiting for review."
    ]
    page = client.get(change_form).text
    assert "Published; changes waiting for review" in page
    assert 'value="submit_changes"' not in page  # nothing left to send
    sent, entries = len(mail.outbox), live.audit_entries.count()
    assert sent == 2  # both moderators
    # The same button pressed again, from a page opened before: refused, nobody mailed again.
    with django_capture_on_commit_callbacks(execute=True):
        again = take(client, live, "submit_changes")
    run_tasks()
    told = [str(message) for message in get_messages(again.wsgi_request)]
    assert told == ["These changes are already waiting for review: nobody was told again."]
    assert len(mail.outbox) == sent and live.audit_entries.count() == entries
    # A moderator reads the same, and publishing the change leaves a plain "Published".
    client.force_login(people["moderator"])
    assert "Published; changes waiting for review" in client.get(change_form).text
    take(client, live, "publish_changes")
    assert "Published; changes" not in client.get(change_form).text
