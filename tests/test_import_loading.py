"""Importing an export's items (importers.loading), whatever system wrote them: what comes over,
what a second run does, what a dry run and a broken file leave behind (nothing)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from articles import revisions
from articles.models import Article, AuditEntry, Author, Revision, Section
from articles.workflow import state_of
from importers import items
from importers.loading import Options, import_items
from importers.models import ImportedItem, ImportRun

from .factories import jpeg_file, make_user

pytestmark = pytest.mark.django_db
SITE = items.SourceSite(title="Old site", base_url="https://old.example", language="fr-FR")


def post(source_id, **fields):
    fields.setdefault("title", f"Post {source_id}")
    fields.setdefault("slug", f"post-{source_id}")
    fields.setdefault("html", f"<p>Body of post {source_id}.</p>")
    fields.setdefault("status", items.PUBLISHED)
    fields.setdefault("published_at", datetime(2020, 1, 2, 10, 30, tzinfo=UTC))
    fields.setdefault("authors", [items.Ref("jane", "Jane DOE")])
    fields.setdefault("categories", [items.Ref("news", "News")])
    fields.setdefault("kind", "post")
    return items.SourcePost(source_id=str(source_id), **fields)


def run(source_items, **options):
    options.setdefault("source", "wordpress")
    options.setdefault("log", lambda line: None)
    return import_items(iter(source_items), options=Options(**options), file_name="export.xml")


def an_export(*posts):
    return [
        SITE,
        items.SourceAuthor(source_id="jane", slug="jane", name="Jane DOE", bio="Reporter."),
        items.SourceTerm("category", "3", "news", "News", old_paths=["/category/news/"]),
        items.SourceTerm("tag", "4", "elections", "Elections", old_paths=["/tag/elections/"]),
        *posts,
    ]


def test_posts_come_over_with_bylines_sections_tags_statuses_and_dates():
    future = timezone.now() + timedelta(days=30)
    report = run(
        an_export(
            post(
                1,
                title="Élections : le point",
                slug="élections-le-point",
                excerpt="<p>Le <b>résumé</b>.</p>",
                authors=[items.Ref("jane", "Jane DOE"), items.Ref("cap-titi", "Titi KEITA")],
                tags=[items.Ref("elections", "Elections"), items.Ref("vote", "Vote")],
                comment_count=3,
            ),
            post(2, status=items.DRAFT, published_at=None),
            post(3, status=items.SCHEDULED, published_at=future),
            post(4, status=items.IN_REVIEW, published_at=None),
            post(5, status=items.PRIVATE),
            post(6, status=items.TRASH),
            post(7, kind="page"),
            items.Skipped("nav_menu_item", "9"),
        )
    )
    first = Article.objects.get(headline="Élections : le point")
    assert first.slug == "elections-le-point"
    assert first.standfirst == "Le résumé."
    assert first.language == "fr"
    assert first.published_at == datetime(2020, 1, 2, 10, 30, tzinfo=UTC)
    assert [a.name for a in first.ordered_authors] == ["Jane DOE", "Titi KEITA"]
    assert first.section.name == "News"
    assert sorted(first.tags.names()) == ["Elections", "Vote"]
    assert Article.objects.published().filter(pk=first.pk).exists()
    states = {
        a.headline: (state_of(a), a.deleted_at is not None)
        for a in Article.objects.exclude(pk=first.pk)
    }
    assert states == {
        "Post 2": ("draft", False),
        "Post 3": ("scheduled", False),
        "Post 4": ("in_review", False),
        "Post 5": ("draft", False),
        "Post 6": ("draft", True),
    }
    assert Article.objects.published().count() == 1
    counts = report.counts
    assert (counts["posts created"], counts["published"], counts["scheduled"]) == (6, 1, 1)
    assert (counts["drafts"], counts["in review"], counts["private"], counts["trash"]) == (
        1,
        1,
        1,
        1,
    )
    assert counts["comments"] == 3
    assert report.skipped == {"page": 1, "nav_menu_item": 1}
    assert counts["authors created"] == 2  # Jane, and Titi met on the post itself
    # Each piece has its first revision and an audit entry, and the run is on record.
    assert Revision.objects.filter(article=first, number=1).exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.IMPORTED).count() == 6
    assert ImportRun.objects.get().report["counts"]["posts created"] == 6


def test_the_sanitizer_cleans_bodies_and_the_report_counts_what_it_removed():
    html = (
        '<p style="color:red" onclick="x()">Text</p><script>alert(1)</script>'
        '<iframe src="https://evil.example"></iframe><style>p{}</style><p>More</p>'
    )
    report = run(an_export(post(1, html=html)))
    body = Article.objects.get().body
    assert "script" not in body and "iframe" not in body and "style" not in body
    assert "Text" in body and "More" in body
    assert report.dropped["<script>"] == 1
    assert report.dropped["<iframe>"] == 1
    assert report.dropped["<style>"] == 1
    assert report.dropped["style"] == 1 and report.dropped["on*"] == 1
    assert any("Removed by the sanitizer" in line for line in report.lines())


def test_importing_the_same_export_again_creates_nothing():
    export = an_export(post(1), post(2))
    run(export)
    before = (Article.objects.count(), Author.objects.count(), Section.objects.count())
    report = run(export)
    assert (Article.objects.count(), Author.objects.count(), Section.objects.count()) == before
    assert report.counts["posts unchanged"] == 2 and report.counts["posts created"] == 0
    assert Revision.objects.count() == 2


def test_a_post_changed_at_the_source_is_updated_as_a_new_revision():
    run(an_export(post(1, title="First title")))
    article = Article.objects.get()
    report = run(an_export(post(1, title="Corrected title")))
    article.refresh_from_db()
    assert article.headline == "Corrected title"
    assert report.counts["posts updated"] == 1
    assert list(article.revisions.values_list("number", flat=True).order_by("number")) == [1, 2]


def test_a_post_edited_here_since_is_kept_and_the_new_version_waits_as_a_pending_change():
    run(an_export(post(1, title="First title")))
    article = Article.objects.get()
    editor = make_user("editor", is_staff=True)
    article.headline = "Our own headline"
    article.save()
    revisions.create_revision(article, by=editor)
    report = run(an_export(post(1, title="Source changed it")))
    article.refresh_from_db()
    assert article.headline == "Our own headline"
    assert report.counts["posts kept"] == 1
    assert any("edited here since the last import" in note for note in report.notes)
    pending = revisions.pending_revision(article)
    assert pending is not None and pending.content["headline"] == "Source changed it"


def test_a_dry_run_reports_and_changes_nothing():
    report = run(an_export(post(1), post(2)), dry_run=True)
    assert report.counts["posts created"] == 2
    assert not Article.objects.exists() and not Author.objects.exists()
    assert not ImportRun.objects.exists() and not ImportedItem.objects.exists()


def test_a_file_that_breaks_halfway_leaves_nothing_behind():
    def broken():
        yield from an_export(*(post(n) for n in range(1, 800)))
        raise items.SourceError("the XML is malformed at line 9000, column 1")

    with pytest.raises(items.SourceError):
        run(broken())
    assert not Article.objects.exists()
    assert not Section.objects.exists() and not ImportedItem.objects.exists()


def test_many_posts_are_written_in_batches_with_unique_slugs():
    report = run(an_export(*(post(n, slug="same-slug") for n in range(1, 1201))))
    assert report.counts["posts created"] == 1200
    slugs = set(Article.objects.values_list("slug", flat=True))
    assert len(slugs) == 1200 and "same-slug" in slugs and "same-slug-1200" in slugs


def test_authors_can_get_desk_accounts_without_passwords():
    run(an_export(post(1)), with_users=True)
    author = Author.objects.get(slug="jane")
    assert author.user is not None
    assert not author.user.has_usable_password()
    assert author.user.is_staff
    assert list(author.user.groups.values_list("name", flat=True)) == ["Writer"]
    # Run again: the same account, not a second one.
    run(an_export(post(1)), with_users=True)
    assert Author.objects.filter(user__isnull=False).count() == 1


def test_featured_images_come_from_the_uploads_folder_or_are_reported_missing(tmp_path):
    uploads = tmp_path / "uploads"
    (uploads / "2020" / "01").mkdir(parents=True)
    (uploads / "2020" / "01" / "photo.jpg").write_bytes(jpeg_file(800, 600).read())
    (uploads / "2020" / "01" / "broken.jpg").write_bytes(b"not an image")
    here = items.SourceImage(
        url="https://old.example/wp-content/uploads/2020/01/photo.jpg", alt="A market"
    )
    report = run(
        an_export(
            post(1, featured_image=items.SourceImage(url="", attachment_id="50")),
            post(2, featured_image=items.SourceImage(url="", attachment_id="404")),
            post(3, featured_image=items.SourceImage(url="", relative_path="2020/01/broken.jpg")),
            post(4, featured_image=items.SourceImage(url="", relative_path="../../etc/passwd")),
            # The attachment comes after the post that names it.
            items.SourceAttachment("50", here.url, alt="A market", caption="Bamako, 2020"),
        ),
        media_root=uploads,
        download_images=False,
    )
    first = Article.objects.get(headline="Post 1")
    assert first.hero_image and first.hero_image_width == 800
    assert (first.hero_image_alt, first.hero_image_caption) == ("A market", "Bamako, 2020")
    assert report.counts["images stored"] == 1
    assert report.counts["images missing"] == 3
    assert not Article.objects.get(headline="Post 4").hero_image
