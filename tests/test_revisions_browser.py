"""Revisions in a real browser: autosave offered back, conflicts, pending changes, presence.

Chromium (Debian's, at /usr/bin/chromium) drives the admin of pytest-django's live server
through Playwright, so the parts only a browser has are covered: desk.js keeping the form as
an autosave while someone types, a tab closed without saving, two editors with the same form
open in two cookie jars, and readers who keep the live text until a change is published.
"""

import time

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Correction, EditingPresence, Revision
from articles.revisions import create_revision
from articles.roles import MODERATOR

from .browser import desk_user, desk_writer, editor_of, expect, log_in
from .factories import make_article, make_section

pytestmark = [pytest.mark.django_db(transaction=True)]

AUTOSAVE_WITHIN_S = 10


@pytest.fixture
def writer():
    return desk_writer()


@pytest.fixture
def moderators():
    return [desk_user("mona", MODERATOR), desk_user("moussa", MODERATOR)]


# Steps in the browser.


def type_new_paragraph(page, text):
    """Types `text` as a new last paragraph of the body."""
    editor = editor_of(page)
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
    page.keyboard.type(text)


def save_and_continue(page):
    """Presses "Save and continue editing" and waits for the page that answers."""
    with page.expect_navigation():
        page.locator("input[name=_continue]").click()


def expect_success(page, text):
    expect(page.locator(".messagelist .success")).to_contain_text(text)
    expect(page.locator(".errornote")).to_have_count(0)


def wait_for(condition, what, within_s=AUTOSAVE_WITHIN_S):
    """Polls the database (or anything) until `condition()` is truthy; returns its value."""
    deadline = time.monotonic() + within_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"Not within {within_s} s: {what}")
        time.sleep(0.1)


# The tests.


def test_autosave_is_offered_back_after_the_tab_is_closed(
    new_page, live_server, writer, settings, artifacts
):
    settings.NEWSROOM_AUTOSAVE_SECONDS = 1  # The live server runs in this process.
    first = "The council met on Thursday evening."
    typed = "Its members agreed to reopen the market hall in May."
    later = "Traders will pay no rent for the first year."
    article = make_article(
        headline="Market hall to reopen",
        slug="market-hall-to-reopen",
        body=f"<p>{first}</p>",
        status=Article.Status.DRAFT,
        created_by=writer,
        authors=[writer.author_profile],
    )
    saved = create_revision(article, by=writer)  # The draft as it was last saved.
    change_path = reverse("admin:articles_article_change", args=[article.pk])
    change_url = f"{live_server.url}{change_path}"

    page = new_page()
    log_in(page, live_server, writer, change_path)
    expect(page.locator(".desk-notices")).to_have_attribute("data-autosave-interval", "1000")
    expect(page.locator(".desk-notice-autosave")).to_have_count(0)
    expect(editor_of(page)).to_contain_text(first)
    type_new_paragraph(page, typed)
    expect(editor_of(page).locator("p")).to_have_text([first, typed])

    # desk.js keeps the form within a second or so; the whole sentence, once typing is done.
    expect(page.locator(".desk-autosave-status")).to_contain_text("kept automatically")

    def autosave_with_sentence():
        found = Revision.objects.filter(
            article=article, kind=Revision.Kind.AUTOSAVE, created_by=writer
        ).first()
        return found if found and typed in found.content["body"] else None

    autosave = wait_for(autosave_with_sentence, "an autosave holding the typed sentence")
    assert autosave.number > saved.number
    assert autosave.content["headline"] == "Market hall to reopen"

    # The tab is closed without saving; the article itself never changed.
    context = page.context
    page.close()
    article.refresh_from_db()
    assert article.body == f"<p>{first}</p>"

    page = context.new_page()
    page.goto(change_url)
    offer = page.locator(".desk-notice-autosave")
    expect(offer).to_be_visible()
    expect(offer).to_contain_text("unsaved work")
    expect(offer).to_contain_text("kept automatically")
    restore = offer.locator("a.desk-restore-autosave")
    expect(restore).to_have_text("Restore it")
    # Only one autosave for this editor since the last save, however many times it ran.
    autosaves = list(Revision.objects.filter(article=article, kind=Revision.Kind.AUTOSAVE))
    assert len(autosaves) == 1, autosaves
    autosave = autosaves[0]
    expect(restore).to_have_attribute("href", f"?revision={autosave.pk}")
    # The form itself still shows the saved text until the autosave is asked for.
    expect(editor_of(page).locator("p")).to_have_text([first])
    page.screenshot(path=artifacts / "autosave-offer.png", full_page=True)

    restore.click()
    page.wait_for_url(f"{change_url}?revision={autosave.pk}")
    expect(editor_of(page).locator("p")).to_have_text([first, typed])
    expect(page.locator(".desk-notices")).to_contain_text(
        f"The form shows revision #{autosave.number} (Autosave)"
    )
    expect(page.locator(".desk-notice-autosave")).to_have_count(0)

    save_and_continue(page)
    expect_success(page, "was changed successfully")
    article.refresh_from_db()
    assert article.body == f"<p>{first}</p><p>{typed}</p>"
    assert article.headline == "Market hall to reopen"
    latest = Revision.objects.filter(article=article).first()
    assert latest.kind == Revision.Kind.SAVE and latest.number > autosave.number

    # Saved: the autosave is history now. The desk goes on from the saved article, so one
    # more edit and save shows that edit, not the autosave again. (Django's "Save and
    # continue" redirect keeps the page's query string, ?revision= included.)
    expect(page.locator(".desk-notice-autosave")).to_have_count(0)
    type_new_paragraph(page, later)
    save_and_continue(page)
    expect_success(page, "was changed successfully")
    article.refresh_from_db()
    assert article.body == f"<p>{first}</p><p>{typed}</p><p>{later}</p>"
    expect(editor_of(page).locator("p")).to_have_text([first, typed, later])
    expect(page.locator(".desk-notices")).not_to_contain_text("The form shows revision")


def test_two_editors_conflict_and_nothing_is_lost(
    new_page, live_server, writer, moderators, artifacts
):
    moderator = moderators[0]
    old_headline = "Bridge closed after flood damage"
    their_headline = "Bridge closed for a month after flood damage"
    first = "Engineers found cracks in two of the piers."
    mine = "Ferries will run every hour until the bridge reopens."
    article = make_article(
        headline=old_headline,
        slug="bridge-closed-after-flood-damage",
        body=f"<p>{first}</p>",
        section=make_section(name="Local", slug="local"),
        status=Article.Status.DRAFT,
        created_by=writer,
        authors=[writer.author_profile],
    )
    opened_on = create_revision(article, by=writer)
    change_path = reverse("admin:articles_article_change", args=[article.pk])

    # Both open the same draft, each in a browser of their own.
    page_a = new_page()
    log_in(page_a, live_server, writer, change_path)
    expect(editor_of(page_a)).to_contain_text(first)
    expect(page_a.locator("#id_base_revision")).to_have_value(str(opened_on.pk))
    page_b = new_page()
    log_in(page_b, live_server, moderator, change_path)
    expect(page_b.locator("#id_base_revision")).to_have_value(str(opened_on.pk))

    # B changes the headline and saves first.
    page_b.locator("#id_headline").fill(their_headline)
    save_and_continue(page_b)
    expect_success(page_b, "was changed successfully")
    article.refresh_from_db()
    assert article.headline == their_headline
    theirs = Revision.objects.filter(article=article, kind=Revision.Kind.SAVE).first()
    assert theirs.created_by == moderator and theirs.pk != opened_on.pk

    # A, still on the form as it was, adds a paragraph and saves: refused, nothing lost.
    type_new_paragraph(page_a, mine)
    expect(editor_of(page_a).locator("p")).to_have_text([first, mine])
    save_and_continue(page_a)
    conflict = page_a.locator(".desk-notice-conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text(f"Not saved: {moderator.username} saved this article")
    expect(conflict.locator(".desk-diff ins").first).to_contain_text("for a month")
    expect(page_a.locator(".errornote")).to_be_visible()
    expect(page_a.locator("#article_form")).to_contain_text(
        f"{moderator.username} saved this article on"
    )
    # The form is shown again with A's text, now based on B's save.
    expect(editor_of(page_a).locator("p")).to_have_text([first, mine])
    expect(page_a.locator("#id_headline")).to_have_value(old_headline)
    expect(page_a.locator("#id_base_revision")).to_have_value(str(theirs.pk))
    page_a.screenshot(path=artifacts / "conflict.png", full_page=True)

    copy = Revision.objects.get(article=article, kind=Revision.Kind.CONFLICT)
    assert copy.created_by == writer
    assert copy.based_on_id == opened_on.pk
    assert mine in copy.content["body"] and first in copy.content["body"]
    assert copy.content["headline"] == old_headline
    expect(conflict).to_contain_text(f"conflict copy #{copy.number}")
    article.refresh_from_db()
    assert article.headline == their_headline  # B's save stands...
    assert mine not in article.body  # ...and A's was not written over it.

    # A merges by hand (takes B's headline) and saves again: accepted this time.
    page_a.locator("#id_headline").fill(their_headline)
    save_and_continue(page_a)
    expect_success(page_a, "was changed successfully")
    expect(page_a.locator(".desk-notice-conflict")).to_have_count(0)
    article.refresh_from_db()
    assert article.body == f"<p>{first}</p><p>{mine}</p>"
    assert article.headline == their_headline
    assert [b.author for b in article.bylines.order_by("position")] == [writer.author_profile]
    merged = Revision.objects.filter(article=article, kind=Revision.Kind.SAVE).first()
    assert merged.created_by == writer and merged.based_on_id == theirs.pk
    assert Revision.objects.filter(article=article, kind=Revision.Kind.CONFLICT).count() == 1


def test_pending_change_to_a_live_article_and_presence(new_page, live_server, moderators):
    editor, colleague = moderators
    old_headline = "Assembly votes on the water law"
    new_headline = "Assembly passes the water law"
    note = "Corrected the date of the vote."
    body = "<p>The vote took place on Wednesday.</p>"
    article = make_article(
        headline=old_headline,
        slug="assembly-votes-on-the-water-law",
        body=body,
        section=make_section(name="Politics", slug="politics"),
    )
    assert article.is_published
    change_path = reverse("admin:articles_article_change", args=[article.pk])
    change_url = f"{live_server.url}{change_path}"
    public_url = f"{live_server.url}{article.get_absolute_url()}"

    # The first moderator opens the live article; a colleague opening it is told so.
    page = new_page()
    log_in(page, live_server, editor, change_path)
    expect(page.locator(".desk-notice-presence")).to_have_count(0)
    present = EditingPresence.objects.get(article=article, user=editor)
    since = timezone.localtime(present.started_at).strftime("%H:%M")
    other = new_page()
    log_in(other, live_server, colleague, change_path)
    presence = other.locator(".desk-notice-presence")
    expect(presence).to_have_count(1)
    expect(presence).to_have_text(
        f"{editor.username} has this article open since {since}, without changing it so far."
    )

    # The first edits the headline and saves: a pending change, readers keep the live text.
    expect(page.locator(".desk-notice-pending")).to_have_count(0)
    page.locator("#id_headline").fill(new_headline)
    save_and_continue(page)
    expect(page.locator(".messagelist .info")).to_contain_text("Saved as a pending change")
    pending = page.locator(".desk-notice-pending")
    expect(pending).to_contain_text("Live version differs from this draft")
    change = Revision.objects.get(article=article, pending=True)
    assert change.created_by == editor and change.applied_at is None
    assert change.content["headline"] == new_headline
    compare_path = reverse("admin:articles_article_compare", args=[article.pk])
    expect(pending.get_by_role("link", name="See the differences")).to_have_attribute(
        "href", f"{compare_path}?from=live&to={change.pk}"
    )
    # The form goes on showing the pending text; the other editor is now the one "present".
    expect(page.locator("#id_headline")).to_have_value(new_headline)
    expect(page.locator(".desk-notice-presence")).to_contain_text(
        f"{colleague.username} has this article open since"
    )
    # The colleague's page, reloaded, now says the editor changed it.
    other.reload()
    expect(other.locator(".desk-notice-presence")).to_contain_text(
        f"{editor.username} is editing this article since"
    )
    article.refresh_from_db()
    assert article.headline == old_headline

    reader = new_page()
    response = reader.goto(public_url)
    assert response is not None and response.status == 200
    expect(reader.locator("h1.story-headline")).to_have_text(old_headline)
    expect(reader.locator(".corrections")).to_have_count(0)
    expect(reader.locator(".story-header .dates")).not_to_contain_text("updated")

    # The moderator publishes the change with a note for readers.
    form = page.locator(".desk-transition-publish_changes")
    form.locator("textarea[name=note]").fill(note)
    with page.expect_navigation():
        form.locator("button[name=_transition][value=publish_changes]").click()
    assert page.url == change_url
    expect_success(page, "Published")
    expect(page.locator(".desk-notice-pending")).to_have_count(0)
    expect(page.locator(".desk-transition-publish_changes")).to_have_count(0)
    article.refresh_from_db()
    assert article.headline == new_headline
    assert article.body == body
    assert article.was_updated
    change.refresh_from_db()
    assert change.applied_at is not None
    assert list(article.corrections.values_list("kind", "note")) == [
        (Correction.Kind.CORRECTION, note)
    ]

    response = reader.goto(public_url)
    assert response is not None and response.status == 200
    expect(reader.locator("h1.story-headline")).to_have_text(new_headline)
    corrections = reader.locator(".corrections")
    expect(corrections.locator("h2")).to_have_text("Corrections and updates")
    expect(corrections.locator("li")).to_have_count(1)
    expect(corrections.locator("li")).to_contain_text("Correction, ")
    expect(corrections.locator("li")).to_contain_text(note)
    expect(reader.locator(".story-header .dates")).to_contain_text("updated")
