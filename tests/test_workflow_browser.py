"""The editorial workflow in a real browser: submit, changes requested, revise, schedule, live.

A writer and a moderator take turns in the admin of pytest-django's live server, driven
through Playwright and Debian's Chromium at /usr/bin/chromium: the real login form, the
workflow panel above the article form, the moderation queue, the rich-text editor. At the
end an anonymous reader finds the article on the public site, and the emails each step
sends (on commit, for real, since the test is transactional) have reached the right people.
"""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from articles.models import Article, EditorialNote
from articles.roles import MODERATOR

from .browser import desk_user, desk_writer, editor_of, expect, log_in
from .factories import make_article, make_section, run_tasks

pytestmark = [pytest.mark.django_db(transaction=True)]

GOES_LIVE_WITHIN_S = 10

HEADLINE = "Port strike halts grain exports"
FIRST_PARAGRAPH = "Dockers walked out on Monday, a union official said."
NOTE = "Please name the second source."
REVISION = "A harbour official, Amina DIALLO, confirmed that no ship left on Tuesday."


@pytest.fixture
def writer():
    return desk_writer()


@pytest.fixture
def moderators():
    """Two moderators: one takes the decisions, both hear of every submission."""
    return [desk_user("mona", MODERATOR), desk_user("moussa", MODERATOR)]


# Steps in the browser.


def log_out(page, live_server):
    page.locator("#logout-form [type=submit]").click()
    page.wait_for_url(f"{live_server.url}{reverse('admin:logout')}")
    expect(page.get_by_role("link", name="Log in again")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME]


def take_step(page, name):
    """Presses a transition's button in the workflow panel above the article form."""
    page.locator(f".desk-transition-{name} button[name=_transition][value={name}]").click()


def expect_success(page, text):
    expect(page.locator(".messagelist .success")).to_contain_text(text)
    expect(page.locator(".messagelist .error")).to_have_count(0)


def open_public_page(page, url):
    response = page.goto(url)
    assert response is not None
    return response.status


# The test.


def test_submit_request_changes_revise_schedule_and_go_live(
    new_page, live_server, writer, moderators, artifacts
):
    moderator = moderators[0]
    article = make_article(
        headline=HEADLINE,
        slug="port-strike-halts-grain-exports",
        standfirst="Ships wait outside the harbour.",
        body=f"<p>{FIRST_PARAGRAPH}</p>",
        section=make_section(name="Economy", slug="economy"),
        status=Article.Status.DRAFT,
        created_by=writer,
        authors=[writer.author_profile],
    )
    change_path = reverse("admin:articles_article_change", args=[article.pk])
    queue_path = reverse("admin:articles_article_queue")
    public_url = f"{live_server.url}{article.get_absolute_url()}"

    page = new_page()
    # desk.js asks before a workflow step throws away unsaved edits. Every step below is taken
    # with nothing unsaved, so no dialog is expected; any that shows is recorded (and
    # accepted, so the story goes on) and reported at the end.
    dialogs = []

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", on_dialog)

    # 1. The writer logs in through the login form and submits the draft for review.
    log_in(page, live_server, writer, change_path)
    expect(page.locator(".desk-state")).to_have_text("Draft")
    take_step(page, "submit")
    page.wait_for_url(f"{live_server.url}{change_path}")
    expect_success(page, "In review")
    expect(page.locator(".desk-state")).to_have_text("In review")
    # Under review the piece is the moderators': the writer may only withdraw it.
    expect(page.locator(".desk-transition-submit")).to_have_count(0)
    expect(page.locator(".desk-transition-withdraw")).to_have_count(1)
    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    log_out(page, live_server)

    # 2. A moderator finds it in the queue and asks for changes from there.
    log_in(page, live_server, moderator, queue_path)
    row = page.locator(f".desk-queue-row[data-article='{article.pk}']")
    expect(row).to_have_count(1)
    expect(row.get_by_role("link", name=HEADLINE)).to_have_attribute("href", change_path)
    expect(row).to_contain_text("Wanda WRITER")
    page.screenshot(path=artifacts / "workflow-queue.png", full_page=True)
    request_form = row.locator("form").filter(
        has=page.locator("button[name=transition][value=request_changes]")
    )
    request_form.locator("textarea[name=note]").fill(NOTE)
    request_form.locator("button[name=transition][value=request_changes]").click()
    page.wait_for_url(f"{live_server.url}{queue_path}")
    expect_success(page, "Changes requested")
    expect(row).to_have_count(0)
    expect(page.locator("#content-main")).to_contain_text("Nothing is waiting for review.")
    article.refresh_from_db()
    assert article.status == Article.Status.CHANGES_REQUESTED
    assert list(article.notes.values_list("kind", "body", "author")) == [
        (EditorialNote.Kind.CHANGES_REQUESTED, NOTE, moderator.pk)
    ]
    log_out(page, live_server)

    # 3. The writer sees the note above the form, revises the body, saves and resubmits.
    log_in(page, live_server, writer, change_path)
    expect(page.locator(".desk-state")).to_have_text("Changes requested")
    changes = page.locator(".desk-changes-requested")
    expect(changes).to_be_visible()
    expect(changes).to_contain_text(NOTE)
    expect(changes).to_contain_text(f"Changes requested by {moderator.username}")
    # The note is at the top: the panel comes before the article form.
    panel_top = changes.bounding_box()["y"]
    form_top = page.locator("#article_form").bounding_box()["y"]
    assert panel_top < form_top
    page.screenshot(path=artifacts / "workflow-changes-requested.png", full_page=True)

    editor = editor_of(page)
    expect(editor).to_contain_text(FIRST_PARAGRAPH)
    # Caret at the very end of the body, set through the DOM selection ProseMirror follows;
    # a click plus Control+End raced the editor's focus handling on a busy machine.
    editor.evaluate(
        """el => { el.focus(); const s = window.getSelection();
                   s.selectAllChildren(el); s.collapseToEnd(); }"""
    )
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.classList.contains('ProseMirror')"
    )
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type(REVISION)
    expect(editor.locator("p")).to_have_text([FIRST_PARAGRAPH, REVISION])
    page.locator("input[name=_continue]").click()
    page.wait_for_url(f"{live_server.url}{change_path}")
    expect_success(page, "was changed successfully")
    article.refresh_from_db()
    assert article.body == f"<p>{FIRST_PARAGRAPH}</p><p>{REVISION}</p>"
    assert article.status == Article.Status.CHANGES_REQUESTED

    expect(editor_of(page)).to_contain_text(REVISION)
    take_step(page, "submit")
    page.wait_for_url(f"{live_server.url}{change_path}")
    expect_success(page, "In review")
    expect(page.locator(".desk-state")).to_have_text("In review")
    expect(page.locator(".desk-changes-requested")).to_have_count(0)
    log_out(page, live_server)

    # 4. The moderator opens it from the queue and schedules it from the workflow panel.
    log_in(page, live_server, moderator, queue_path)
    page.locator(f".desk-queue-row[data-article='{article.pk}']").get_by_role(
        "link", name=HEADLINE
    ).click()
    page.wait_for_url(f"{live_server.url}{change_path}")
    expect(page.locator(".desk-state")).to_have_text("In review")
    # <input type=datetime-local> steps by a minute unless told otherwise, so the browser
    # refuses a time with seconds: schedule at a whole minute, one to two minutes ahead.
    at = (timezone.localtime() + timedelta(minutes=2)).replace(second=0, microsecond=0)
    at_input = page.locator(".desk-transition-schedule input[type=datetime-local][name=at]")
    at_input.fill(at.strftime("%Y-%m-%dT%H:%M"))
    assert at_input.evaluate("input => input.validity.valid")
    take_step(page, "schedule")
    page.wait_for_url(f"{live_server.url}{change_path}")
    scheduled_for = f"Scheduled for {date_format(at, 'SHORT_DATETIME_FORMAT')}"
    expect_success(page, scheduled_for)
    expect(page.locator(".desk-state")).to_have_text(scheduled_for)
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == at
    assert article.is_scheduled

    # 5. Readers cannot see it before its time...
    reader = new_page()
    assert open_public_page(reader, public_url) == 404

    # ...and see it once the time has come, with nobody pressing anything. Waiting for the
    # scheduled minute would take up to two minutes, and the clock cannot be frozen across the
    # live server's thread; so the clock is simulated by bringing the publication time
    # forward to two seconds from now (still in the future), then the page is reloaded until
    # it appears.
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() + timedelta(seconds=2))
    deadline = time.monotonic() + GOES_LIVE_WITHIN_S
    status = open_public_page(reader, public_url)
    while status != 200 and time.monotonic() < deadline:
        reader.wait_for_timeout(250)
        status = open_public_page(reader, public_url)
    assert status == 200, f"Not live {GOES_LIVE_WITHIN_S} s after its publication time."
    expect(reader.locator("h1.story-headline")).to_have_text(HEADLINE)
    expect(reader.locator(".story-body")).to_contain_text(REVISION)
    expect(reader.locator(".story-body")).to_contain_text(FIRST_PARAGRAPH)
    expect(reader.locator(".story-body")).not_to_contain_text(NOTE)

    # 6. The emails: moderators heard of both submissions, the writer of both decisions.
    site = settings.NEWSROOM_SITE_NAME
    run_tasks()
    sent = [(message.to, message.subject) for message in mail.outbox]
    submitted = f"[{site}] Submitted for review: {HEADLINE}"
    assert sorted(sent) == sorted(
        [
            *[([m.email], submitted) for m in moderators for _ in range(2)],
            ([writer.email], f"[{site}] Changes requested: {HEADLINE}"),
            ([writer.email], f"[{site}] Scheduled: {HEADLINE}"),
        ]
    ), sent
    by_subject = {
        message.subject: message for message in mail.outbox if message.to == [writer.email]
    }
    assert NOTE in by_subject[f"[{site}] Changes requested: {HEADLINE}"].body
    assert "Goes live:" in by_subject[f"[{site}] Scheduled: {HEADLINE}"].body
    assert change_path in by_subject[f"[{site}] Scheduled: {HEADLINE}"].body

    assert dialogs == [], f"Unexpected unsaved-changes prompts: {dialogs}"
