"""The desk home in a real browser: a moderator and a writer each land on what waits for them
and reach it in one click."""

import pytest
from django.urls import reverse

from articles.models import Article
from articles.roles import MODERATOR
from articles.workflow import apply_transition

from .browser import desk_user, desk_writer, expect, log_in
from .factories import make_article, make_section

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_a_moderator_and_a_writer_find_their_work_on_the_desk_home(new_page, live_server):
    writer = desk_writer()
    moderator = desk_user("mona", MODERATOR)
    section = make_section(name="Economy", slug="economy")
    mine = {"authors": [writer.author_profile], "created_by": writer, "section": section}
    waiting = make_article(headline="Water tariffs rise", status=Article.Status.IN_REVIEW, **mine)
    sent_back = make_article(headline="Three schools", status=Article.Status.IN_REVIEW, **mine)
    apply_transition(sent_back, "request_changes", by=moderator, note="Name the district.")
    home = reverse("admin:index")

    # The moderator lands on the queue and opens the piece from it.
    desk = new_page()
    log_in(desk, live_server, moderator, home)
    queue = desk.locator('[data-desk-list="queue"]')
    expect(queue).to_contain_text("Water tariffs rise")
    expect(queue).to_contain_text("waiting for")
    queue.get_by_role("link", name="Water tariffs rise").click()
    desk.wait_for_url(f"**{reverse('admin:articles_article_change', args=[waiting.pk])}")
    expect(desk.locator(".desk-state")).to_have_text("In review")
    desk.locator(".desk-transition-publish button").click()
    expect(desk.locator(".messagelist")).to_contain_text("Published. Now: Published.")
    desk.goto(f"{live_server.url}{home}")
    expect(desk.locator('[data-desk-list="queue"]')).to_contain_text(
        "Nothing is waiting for review."
    )
    expect(desk.locator("#desk-activity")).to_contain_text("Water tariffs rise")

    # The writer lands on the piece sent back, with the moderator's note, and on its form.
    page = new_page()
    log_in(page, live_server, writer, home)
    sent = page.locator('[data-desk-list="changes_requested"]')
    expect(sent).to_contain_text("Name the district.")
    expect(page.locator('[data-desk-list="published"]')).to_contain_text("Water tariffs rise")
    expect(page.locator('[data-desk-list="queue"]')).to_have_count(0)
    sent.get_by_role("link", name="Three schools").click()
    page.wait_for_url(f"**{reverse('admin:articles_article_change', args=[sent_back.pk])}")
    expect(page.locator(".desk-changes-requested")).to_contain_text("Name the district.")


def test_a_moderator_reschedules_from_the_calendar_to_the_second(new_page, live_server):
    import time
    from datetime import timedelta

    from axe_playwright_python.sync_playwright import Axe
    from django.utils import timezone

    moderator = desk_user("mona", MODERATOR)
    piece = make_article(headline="Harvest festival", status=Article.Status.IN_REVIEW)
    tomorrow = timezone.now() + timedelta(days=1)
    apply_transition(piece, "schedule", by=moderator, at=tomorrow)
    calendar = reverse("admin:articles_article_calendar")
    week = f"{calendar}?view=week&date={timezone.localdate(tomorrow).isoformat()}"

    page = new_page()
    log_in(page, live_server, moderator, week)
    item = page.locator(f".desk-calendar-scheduled[data-article='{piece.pk}']")
    expect(item).to_contain_text("Harvest festival")
    # Readable and operable from the keyboard, and clean for axe (WCAG 2.2 AA rules).
    results = Axe().run(page).response["violations"]
    assert results == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in results]
    item.locator("summary").focus()
    page.keyboard.press("Enter")
    at = timezone.localtime() + timedelta(seconds=8)
    field = item.locator("input[name=at]")
    field.fill(at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert field.evaluate("input => input.validity.valid")
    item.get_by_role("button", name="Reschedule").click()
    page.wait_for_url(f"**{week}")
    expect(page.locator(".messagelist")).to_contain_text("Rescheduled")
    piece.refresh_from_db()
    assert piece.published_at == at.replace(microsecond=0)
    assert piece.audit_entries.filter(action="reschedule").count() == 1

    # Not public a moment before its new time; public from it on, to the second.
    reader = new_page()
    public = f"{live_server.url}{piece.get_absolute_url()}"
    while timezone.now() < piece.published_at - timedelta(seconds=1):
        assert reader.goto(public).status == 404
        reader.wait_for_timeout(500)
    deadline = time.monotonic() + 10
    status = reader.goto(public).status
    while status != 200 and time.monotonic() < deadline:
        reader.wait_for_timeout(200)
        status = reader.goto(public).status
    assert status == 200 and timezone.now() >= piece.published_at
