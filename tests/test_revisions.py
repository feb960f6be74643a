"""No lost work: revisions, diffs, restore, pending changes to live pieces, conflicts, autosave."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles import revisions
from articles.models import Article, AuditEntry, Correction, Revision
from articles.workflow import apply_transition

from .factories import make_article, make_author, make_section, make_user, run_tasks
from .test_permissions import article_form_data

pytestmark = pytest.mark.django_db


def staff(name, role):
    user = make_user(name, is_staff=True, email=f"{name}@newsroom.test")
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def desk():
    writer = staff("writer", "Writer")
    return {
        "writer": writer,
        "other_writer": staff("other", "Writer"),
        "moderator": staff("moderator", "Moderator"),
        "moderator2": staff("moderator2", "Moderator"),
        "writer_author": make_author(name="Writer ONE", user=writer),
    }


def login(user):
    client = Client()
    client.force_login(user)
    return client


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def save(client, article, **changes):
    article = Article.objects.get(pk=article.pk)
    return client.post(change_url(article), article_form_data(article, **changes))


def draft_of(desk, **fields):
    return make_article(
        status=Article.Status.DRAFT,
        created_by=desk["writer"],
        authors=[desk["writer_author"]],
        **fields,
    )


# Snapshots.


def test_every_save_stores_a_full_snapshot(desk):
    second = make_author(name="Ben TWO")
    article = draft_of(desk, headline="First", tags=["Sahel", "Budget"], seo_title="SEO")
    client = login(desk["writer"])
    data = article_form_data(article, headline="Second", standfirst="Dek", seo_title="SEO")
    data |= {"bylines-TOTAL_FORMS": "2", "bylines-1-author": second.pk, "bylines-1-position": 1}
    assert client.post(change_url(article), data).status_code == 302
    revision = Revision.objects.get(article=article)
    assert (revision.number, revision.kind, revision.created_by) == (1, "save", desk["writer"])
    content = revision.content
    assert content["headline"] == "Second" and content["standfirst"] == "Dek"
    assert content["body"] == article.body
    assert [row["name"] for row in content["bylines"]] == ["Writer ONE", "Ben TWO"]
    assert content["tags"] == ["Budget", "Sahel"]
    assert content["section"] == {"id": article.section_id, "name": article.section.name}
    assert content["genre"] == "news" and content["seo_title"] == "SEO"
    assert "hero_image" in content and "meta_description" in content
    save(client, article, headline="Third")
    assert list(article.revisions.values_list("number", flat=True)) == [2, 1]


def test_history_compare_shows_word_level_changes_and_byline_tag_changes(desk):
    article = draft_of(desk, headline="The quick brown fox", tags=["Sahel"])
    client = login(desk["writer"])
    save(client, article)
    ben = make_author(name="Ben TWO")
    data = article_form_data(
        Article.objects.get(pk=article.pk),
        headline="The slow brown fox",
        body="<p>Entirely new words.</p>",
        tags=["Sahel", "Mali"],
    )
    data |= {"bylines-TOTAL_FORMS": "2", "bylines-1-author": ben.pk, "bylines-1-position": 1}
    client.post(change_url(article), data)
    first, second = article.revisions.order_by("number")
    listing = client.get(reverse("admin:articles_article_revisions", args=[article.pk])).text
    assert "The slow brown fox" in listing and "The quick brown fox" in listing
    html = client.get(
        reverse("admin:articles_article_compare", args=[article.pk]),
        {"from": first.pk, "to": second.pk},
    ).text
    assert "The <del>quick </del><ins>slow </ins>brown fox" in html
    assert "<ins>Entirely new words.</ins>" in html
    assert "<ins>+ Ben TWO</ins>" in html and "<ins>+ Mali</ins>" in html


def test_restore_is_a_new_revision_and_can_itself_be_restored(desk):
    article = draft_of(desk, headline="Original")
    client = login(desk["writer"])
    save(client, article, headline="Original")
    save(client, article, headline="Rewritten")
    first = article.revisions.get(number=1)
    restore_url = reverse("admin:articles_article_restore", args=[article.pk, first.pk])
    assert client.post(restore_url).status_code == 302
    article.refresh_from_db()
    assert article.headline == "Original"
    restored = article.revisions.get(number=3)
    assert (restored.kind, restored.restored_from) == ("restore", first)
    # Restoring the rewrite brings it back too: nothing was destroyed along the way.
    rewrite = article.revisions.get(number=2)
    client.post(reverse("admin:articles_article_restore", args=[article.pk, rewrite.pk]))
    article.refresh_from_db()
    assert article.headline == "Rewritten"
    assert article.revisions.count() == 4
    assert AuditEntry.objects.filter(article=article, action="restore").count() == 2


def test_restore_keeps_byline_order(desk):
    a, b = make_author(name="Ada FIRST"), make_author(name="Ben SECOND")
    article = make_article(status=Article.Status.DRAFT, authors=[b, a], created_by=desk["writer"])
    revision = revisions.create_revision(article, by=desk["moderator"])
    revisions.replace_bylines(article, [a.pk])
    revisions.restore(article, revision, by=desk["moderator"])
    assert Article.objects.get(pk=article.pk).ordered_authors == [b, a]


# Drafts of a live article.


def test_a_change_to_a_live_piece_waits_until_a_moderator_publishes_it(client, desk):
    section = make_section(slug="politics")
    article = make_article(
        headline="Live headline",
        body="<p>Live text.</p>",
        section=section,
        authors=[desk["writer_author"]],
        created_by=desk["writer"],
        tags=["Vote"],
    )
    writer = login(desk["writer"])
    assert (
        save(writer, article, headline="Better headline", body="<p>Better text.</p>").status_code
        == 302
    )
    article.refresh_from_db()
    assert article.headline == "Live headline"
    public = [
        "/",
        "/politics/",
        article.get_absolute_url(),
        "/tags/vote/",
        desk["writer_author"].get_absolute_url(),
    ]
    for path in public:
        html = client.get(path).text
        assert "Live headline" in html and "Better headline" not in html, path
    # The writer's form opens on the pending revision, and says it differs from the live one.
    form = writer.get(change_url(article)).text
    assert 'value="Better headline"' in form
    assert "Live version differs from this draft" in form
    apply_transition(article, "submit_changes", by=desk["writer"])
    moderator = login(desk["moderator"])
    queue = moderator.get(reverse("admin:articles_article_queue")).text
    assert "Changes to live articles" in queue and "Live headline" in queue
    response = moderator.post(
        reverse("admin:articles_article_transition", args=[article.pk]),
        {
            "transition": "publish_changes",
            "note": "The vote was on Tuesday, not Monday.",
            "correction_kind": "correction",
        },
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.headline == "Better headline" and article.body == "<p>Better text.</p>"
    assert article.content_updated_at is not None
    for path in public:
        assert "Better headline" in client.get(path).text, path
    page = client.get(article.get_absolute_url()).text
    assert "Corrections and updates" in page
    assert "The vote was on Tuesday, not Monday." in page
    assert "updated" in page
    assert not revisions.pending_revision(article)
    assert Correction.objects.get(article=article).kind == "correction"


def test_a_pending_image_and_slug_change_apply_only_on_publish(client, desk):
    article = make_article(slug="old-slug", authors=[desk["writer_author"]])
    moderator = login(desk["moderator"])
    save(moderator, article, slug="new-slug")
    assert client.get(article.get_absolute_url()).status_code == 200
    assert client.get(f"/{article.section.slug}/new-slug/").status_code == 404
    apply_transition(article, "publish_changes", by=desk["moderator"])
    assert client.get(f"/{article.section.slug}/new-slug/").status_code == 200
    assert client.get(f"/{article.section.slug}/old-slug/").status_code == 301


# Committed for real: the task worker (run_tasks) closes connections inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_a_scheduled_change_goes_live_at_its_time_without_cron(client, desk):
    article = make_article(headline="Before the embargo", authors=[desk["writer_author"]])
    save(login(desk["moderator"]), article, headline="After the embargo")
    start = timezone.now()
    apply_transition(
        article,
        "schedule_changes",
        by=desk["moderator"],
        at=start + timedelta(minutes=5),
        note="Figures updated at 08:00.",
        correction_kind="update",
    )
    with time_machine.travel(start + timedelta(minutes=4)):
        assert "Before the embargo" in client.get(article.get_absolute_url()).text
    with time_machine.travel(start + timedelta(minutes=5, seconds=1)):
        run_tasks()  # the worker, at the change's time
        html = client.get(article.get_absolute_url()).text
        assert "After the embargo" in html and "Figures updated at 08:00." in html


# Committed for real: the task worker (run_tasks) closes connections inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_a_scheduled_change_is_published_by_the_worker_at_its_time_and_readers_never_write(
    client, desk
):
    article = make_article(headline="Before the embargo", authors=[desk["writer_author"]])
    save(login(desk["moderator"]), article, headline="After the embargo")
    start = timezone.now()
    at = start + timedelta(seconds=30)
    with time_machine.travel(start, tick=False):
        apply_transition(article, "schedule_changes", by=desk["moderator"], at=at)
    [queued] = DBTaskResult.objects.filter(task_path="articles.tasks.publish_due_changes")
    assert queued.run_after == at

    with time_machine.travel(start + timedelta(seconds=2), tick=False):
        run_tasks()  # not due: the worker leaves it
        assert DBTaskResult.objects.get(pk=queued.pk).status == "READY"
        assert "Before the embargo" in client.get(article.get_absolute_url()).text
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        # Its time has come, but a reader's request publishes nothing: it only reads.
        with CaptureQueriesContext(connection) as queries:
            assert "Before the embargo" in client.get(article.get_absolute_url()).text
        writes = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SELECT")]
        assert writes == []
        run_tasks()
        assert "After the embargo" in client.get(article.get_absolute_url()).text
    assert DBTaskResult.objects.get(pk=queued.pk).return_value["applied"] == 1


def test_writers_cannot_publish_their_changes_to_live_pieces(desk):
    article = make_article(authors=[desk["writer_author"]], created_by=desk["writer"])
    writer = login(desk["writer"])
    save(writer, article, headline="Sneaky")
    writer.post(
        reverse("admin:articles_article_transition", args=[article.pk]),
        {"transition": "publish_changes"},
    )
    article.refresh_from_db()
    assert article.headline != "Sneaky"


# Conflicts.


def test_a_save_on_top_of_someone_elses_is_refused_and_kept(desk):
    article = draft_of(desk, headline="Shared story", body="<p>Start.</p>")
    writer, moderator = login(desk["writer"]), login(desk["moderator"])
    save(writer, article)  # revision 1: both open the form on it
    opened = Article.objects.get(pk=article.pk)
    writer_form = article_form_data(opened, body="<p>The writer's paragraph.</p>")
    moderator_form = article_form_data(opened, headline="Moderator's headline")
    assert moderator.post(change_url(article), moderator_form).status_code == 302
    response = writer.post(change_url(article), writer_form)
    assert response.status_code == 200
    html = response.text
    assert "moderator saved this article at" in html
    assert "The writer&#x27;s paragraph." in html or "The writer's paragraph." in html
    assert "Moderator&#x27;s headline" in html  # what they changed is shown
    copy = article.revisions.get(kind="conflict")
    assert copy.content["body"] == "<p>The writer's paragraph.</p>"
    assert copy.created_by == desk["writer"]
    article.refresh_from_db()
    assert article.headline == "Moderator's headline" and article.body == "<p>Start.</p>"
    # Saving again, after merging by hand, goes through.
    merged = dict(writer_form)
    merged["base_revision"] = revisions.working_revision(article).pk
    merged["headline"] = "Moderator's headline"
    assert writer.post(change_url(article), merged).status_code == 302
    article.refresh_from_db()
    assert article.body == "<p>The writer's paragraph.</p>"
    assert article.headline == "Moderator's headline"


def test_an_editors_own_autosave_is_no_conflict_with_their_save(desk):
    article = draft_of(desk)
    writer = login(desk["writer"])
    save(writer, article)
    opened = Article.objects.get(pk=article.pk)
    form = article_form_data(opened, headline="Typed, autosaved, then saved")
    autosave = writer.post(reverse("admin:articles_article_autosave", args=[article.pk]), form)
    assert autosave.status_code == 200
    assert writer.post(change_url(article), form).status_code == 302
    article.refresh_from_db()
    assert article.headline == "Typed, autosaved, then saved"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_simultaneous_saves_on_postgresql_one_wins_one_conflicts(desk, monkeypatch):
    article = draft_of(desk, headline="Race")
    revisions.create_revision(article, by=desk["writer"])
    opened = Article.objects.get(pk=article.pk)
    forms = {
        "writer": article_form_data(opened, body="<p>Writer's version.</p>"),
        "moderator": article_form_data(opened, body="<p>Moderator's version.</p>"),
    }
    real_lock = revisions.lock
    barrier = threading.Barrier(2)

    def slow_lock(article):
        locked = real_lock(article)
        threading.Event().wait(0.3)  # hold the row while the other request arrives
        return locked

    monkeypatch.setattr(revisions, "lock", slow_lock)
    results = {}

    def post(role):
        client = login(desk[role])
        barrier.wait()
        results[role] = client.post(change_url(article), forms[role]).status_code
        connection.close()

    threads = [threading.Thread(target=post, args=(role,)) for role in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results.values()) == [200, 302]
    winner = "writer" if results["writer"] == 302 else "moderator"
    loser = "moderator" if winner == "writer" else "writer"
    article.refresh_from_db()
    assert article.body == forms[winner]["body"]
    copy = article.revisions.get(kind="conflict")
    assert copy.content["body"] == forms[loser]["body"]
    assert article.revisions.filter(kind="save").count() == 2


# Soft lock, autosave offers, the bin, and who may read revisions.


def test_opening_an_article_someone_is_editing_says_who_and_since_when(desk):
    article = draft_of(desk)
    moderator, moderator2 = login(desk["moderator"]), login(desk["moderator2"])
    moderator.get(change_url(article))
    since = timezone.localtime().strftime("%H:")
    # Opening a piece (to read it, or to press Publish) is not editing it.
    html = moderator2.get(change_url(article)).text
    assert "moderator has this article open since " + since in html
    assert "is editing this article" not in html
    # Once their form changes (its autosave, or the page's heartbeat saying so), it is.
    form = article_form_data(Article.objects.get(pk=article.pk), headline="Typed by the moderator")
    autosave = reverse("admin:articles_article_autosave", args=[article.pk])
    assert moderator.post(autosave, form).status_code == 200
    html = moderator2.get(change_url(article)).text
    assert "moderator is editing this article since " + since in html
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        html = moderator2.get(change_url(article)).text
        assert "is editing this article" not in html and "has this article open" not in html
        moderator.get(change_url(article))  # back after a break: only looking, again
        assert "moderator has this article open" in moderator2.get(change_url(article)).text


def test_the_heartbeat_says_whether_the_form_was_changed(desk):
    article = draft_of(desk)
    moderator, moderator2 = login(desk["moderator"]), login(desk["moderator2"])
    presence = reverse("admin:articles_article_presence", args=[article.pk])
    assert moderator.post(presence, {"editing": "0"}).status_code == 200
    assert "moderator has this article open" in moderator2.get(change_url(article)).text
    assert moderator.post(presence, {"editing": "1"}).status_code == 200
    assert "moderator is editing this article" in moderator2.get(change_url(article)).text


def test_a_newer_autosave_is_offered_back_and_can_be_opened(desk):
    article = draft_of(desk, headline="Saved headline")
    writer = login(desk["writer"])
    save(writer, article)
    opened = Article.objects.get(pk=article.pk)
    writer.post(
        reverse("admin:articles_article_autosave", args=[article.pk]),
        article_form_data(opened, headline="Typed before the tab closed"),
    )
    autosave = article.revisions.get(kind="autosave")
    html = writer.get(change_url(article)).text
    assert "kept automatically" in html and f"?revision={autosave.pk}" in html
    restored = writer.get(change_url(article), {"revision": autosave.pk}).text
    assert 'value="Typed before the tab closed"' in restored
    # Someone else's autosave is theirs alone.
    moderator = login(desk["moderator"])
    assert "kept automatically" not in moderator.get(change_url(article)).text
    other = moderator.get(change_url(article), {"revision": autosave.pk}).text
    assert 'value="Typed before the tab closed"' not in other
    # Autosaves never publish or change the article.
    article.refresh_from_db()
    assert article.headline == "Saved headline"


def test_autosaves_of_one_session_update_one_revision_and_never_overwrite_another(desk):
    article = draft_of(desk)
    writer = login(desk["writer"])
    url = reverse("admin:articles_article_autosave", args=[article.pk])
    first = writer.post(url, article_form_data(article, headline="Tab one")).json()["revision"]
    for n in range(3):
        data = article_form_data(article, headline=f"Tab one, typing {n}")
        writer.post(url, data | {"_autosave_revision": first})
    assert article.revisions.get(pk=first).content["headline"] == "Tab one, typing 2"
    # A new tab (no revision of its own yet) keeps the first tab's unsaved text intact.
    writer.post(url, article_form_data(article, headline="Tab two"))
    headlines = sorted(r.content["headline"] for r in article.revisions.filter(kind="autosave"))
    assert headlines == ["Tab one, typing 2", "Tab two"]
    # Nobody else's autosave can be continued.
    moderator = login(desk["moderator"])
    moderator.post(
        url, article_form_data(article, headline="Hijack") | {"_autosave_revision": first}
    )
    assert article.revisions.get(pk=first).content["headline"] == "Tab one, typing 2"


def test_autosave_and_revision_pages_refuse_those_who_may_not_edit(desk):
    article = draft_of(desk)
    revision = revisions.create_revision(article, by=desk["writer"])
    outsider = login(desk["other_writer"])
    for url in [
        reverse("admin:articles_article_revisions", args=[article.pk]),
        reverse("admin:articles_article_compare", args=[article.pk])
        + f"?from={revision.pk}&to={revision.pk}",
    ]:
        assert outsider.get(url).status_code == 403
    assert (
        outsider.post(
            reverse("admin:articles_article_autosave", args=[article.pk]), {"headline": "x"}
        ).status_code
        == 403
    )
    assert (
        outsider.post(
            reverse("admin:articles_article_restore", args=[article.pk, revision.pk])
        ).status_code
        == 403
    )
    # A revision id of another article is not found through this one.
    mine = draft_of(desk)
    writer = login(desk["writer"])
    url = reverse("admin:articles_article_compare", args=[mine.pk])
    assert writer.get(url, {"from": revision.pk, "to": revision.pk}).status_code == 404
    assert writer.get(url, {"from": "1; DROP TABLE", "to": "x"}).status_code == 404


def test_deleting_moves_to_the_bin_and_keeps_history(client, desk):
    article = make_article(headline="Binned story", authors=[desk["writer_author"]])
    revisions.create_revision(article, by=desk["moderator"])
    moderator = login(desk["moderator"])
    page = moderator.get(reverse("admin:articles_article_delete", args=[article.pk])).text
    assert "Binned story" in page
    moderator.post(reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"})
    article.refresh_from_db()
    assert article.deleted_at is not None
    assert client.get(article.get_absolute_url()).status_code == 404
    assert "Binned story" not in client.get("/").text
    changelist = reverse("admin:articles_article_changelist")
    row = f'href="{change_url(article)}'
    assert row not in moderator.get(changelist).text
    assert row in moderator.get(changelist, {"bin": "1"}).text
    assert article.revisions.count() == 1
    assert AuditEntry.objects.filter(article=article, action="delete").exists()
    moderator.post(
        changelist + "?bin=1",
        {"action": "restore_from_bin", "_selected_action": [article.pk]},
    )
    article.refresh_from_db()
    assert article.deleted_at is None
    assert client.get(article.get_absolute_url()).status_code == 200


def test_a_form_with_a_byline_row_a_colleague_removed_still_saves(desk):
    ben = make_author(name="Ben TWO")
    article = make_article(
        status=Article.Status.DRAFT, authors=[desk["writer_author"], ben], created_by=desk["writer"]
    )
    opened = Article.objects.get(pk=article.pk)
    stale_form = article_form_data(opened, headline="Kept both")
    revisions.replace_bylines(article, [desk["writer_author"].pk])  # Ben's row is gone now
    moderator = login(desk["moderator"])
    assert moderator.post(change_url(article), stale_form).status_code == 302
    assert Article.objects.get(pk=article.pk).ordered_authors == [desk["writer_author"], ben]
