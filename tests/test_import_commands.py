"""import_wordpress and import_ghost as an operator runs them, and the admin's upload, dry run
and confirmation: what comes over from real-shaped exports, the old URLs that now redirect,
a second run that changes nothing, and files that are refused with nothing changed."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from articles.models import Article, Author, Section
from importers.models import ImportedItem, ImportRun
from redirects.models import Redirect

from .factories import make_staff, make_user

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SITE = FIXTURES / "wordpress" / "wxr-1.2-site.xml"


def run(command, path, *arguments):
    out = StringIO()
    call_command(command, str(path), *arguments, stdout=out, stderr=StringIO())
    return out.getvalue()


def everything():
    return (
        Article.objects.count(),
        Author.objects.count(),
        Section.objects.count(),
        Redirect.objects.count(),
        ImportedItem.objects.count(),
        ImportRun.objects.count(),
    )


def test_a_wordpress_site_comes_over_and_its_old_urls_redirect(client):
    output = run("import_wordpress", SITE, "--no-download")
    assert "Posts: 11 created" in output
    budget = Article.objects.get(headline="Council approves the river budget")
    assert budget.section.slug and budget.published_at.year == 2020
    flood = Article.objects.get(headline="Two reporters, one flood")
    assert [a.name for a in flood.ordered_authors][:2] == [
        Author.objects.get(slug="omar-k").name,
        Author.objects.get(slug="jane").name,
    ]
    summer = Article.objects.get(headline="Été à la rivière")
    assert summer.slug == "ete"
    assert not Article.objects.published().filter(headline__startswith="Staff only").exists()
    assert Article.objects.get(headline="An old story").deleted_at is not None
    for old, new in [
        ("/2020/01/02/council-approves-river-budget/", budget.get_absolute_url()),
        ("/?p=101", budget.get_absolute_url()),
        ("/2020/07/01/%C3%A9t%C3%A9/", summer.get_absolute_url()),
        ("/author/jane/", Author.objects.get(slug="jane").get_absolute_url()),
    ]:
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, new), old
        assert client.get(new).status_code == 200, new
    # Private, drafts and the bin get no redirect to a page readers cannot see.
    assert client.get("/2022/05/05/staff-rota/").status_code == 404
    assert "Comments:" in output and "Not imported:" in output
    assert ImportRun.objects.get().report["counts"]["posts created"] == 11


def test_importing_the_same_wordpress_file_again_changes_nothing():
    run("import_wordpress", SITE, "--no-download")
    before = everything()
    output = run("import_wordpress", SITE, "--no-download")
    assert "0 created, 0 updated, 11 unchanged" in output
    assert everything()[:5] == before[:5]


def test_a_dry_run_prints_the_report_and_changes_nothing():
    output = run("import_wordpress", SITE, "--dry-run", "--no-download")
    assert "Dry run: nothing was changed" in output and "Posts: 11 created" in output
    assert everything() == (0, 0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("hostile-entities.xml", "entit"),
        ("hostile-external.xml", "entit"),
        ("truncated.xml", "truncated"),
        ("not-wordpress.rss", "not a wordpress export"),
    ],
)
def test_hostile_and_broken_wordpress_files_are_refused_with_nothing_changed(name, message):
    with pytest.raises(CommandError) as refused:
        run("import_wordpress", FIXTURES / "wordpress" / name)
    assert str(refused.value).startswith("nothing imported:")
    assert message in str(refused.value).lower()
    assert "\n" not in str(refused.value)
    assert everything() == (0, 0, 0, 0, 0, 0)


def test_a_file_too_big_or_missing_or_of_the_other_format_is_refused(tmp_path):
    big = tmp_path / "huge.xml"
    with big.open("wb") as out:
        out.truncate(2 * 1024**3)  # 2 GB, sparse: refused before a byte is read
    with pytest.raises(CommandError, match="larger than"):
        run("import_wordpress", big)
    with pytest.raises(CommandError, match="no such file"):
        run("import_wordpress", tmp_path / "missing.xml")
    with pytest.raises(CommandError, match="import_ghost"):
        run("import_wordpress", FIXTURES / "ghost" / "ghost-5.x.json")
    with pytest.raises(CommandError, match="import_wordpress"):
        run("import_ghost", SITE)
    assert everything() == (0, 0, 0, 0, 0, 0)


@pytest.mark.parametrize("version", ["1.x", "3.x", "5.x"])
def test_ghost_exports_of_every_version_come_over_and_run_again_unchanged(version, client):
    path = FIXTURES / "ghost" / f"ghost-{version}.json"
    output = run("import_ghost", path, "--no-download")
    assert "created" in output
    published = Article.objects.published()
    assert published.exists()
    for article in published:
        assert article.ordered_authors, article.headline
        old = Redirect.objects.filter(new_path=article.get_absolute_url()).first()
        assert old is not None, article.headline
        response = client.get(old.old_path)
        assert response.status_code == 301 and response["Location"] == article.get_absolute_url()
    before = everything()
    assert "0 created, 0 updated" in run("import_ghost", path, "--no-download")
    assert everything()[:5] == before[:5]


def test_ghost_multiple_authors_keep_their_order():
    run("import_ghost", FIXTURES / "ghost" / "ghost-3.x.json", "--no-download")
    bylined = [a for a in Article.objects.all() if len(a.ordered_authors) > 1]
    assert bylined, "the 3.x fixture has a post with two authors"


def test_administrators_upload_check_and_confirm_an_import_in_the_admin(tmp_path):
    admin_user = make_user("boss", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    new = reverse("admin:importers_importrun_new")
    assert client.get(new).status_code == 200
    with SITE.open("rb") as export:
        checked = client.post(new, {"source": "wordpress", "genre": "news", "export": export})
    assert checked.status_code == 200
    assert "Posts: 11 created" in checked.content.decode()
    assert not Article.objects.exists()  # a dry run so far
    token = checked.context["confirm"].initial["token"]
    done = client.post(
        new,
        {
            "token": token,
            "source": "wordpress",
            "genre": "news",
            "file_name": "wxr-1.2-site.xml",
        },
    )
    assert done.status_code == 302
    assert Article.objects.count() == 11
    run_page = client.get(done["Location"])
    assert "Posts: 11 created" in run_page.content.decode()
    # The same token again: the upload is gone, nothing imported twice.
    again = client.post(
        new, {"token": token, "source": "wordpress", "genre": "news", "file_name": "x"}
    )
    assert again.status_code == 302 and Article.objects.count() == 11
    # A forged token naming a file outside the folder is no token.
    forged = client.post(
        new, {"token": "../../etc/passwd", "source": "wordpress", "genre": "news", "file_name": "x"}
    )
    assert forged.status_code == 302


def test_a_broken_upload_is_refused_on_the_form_and_writers_may_not_import():
    admin_user = make_user("boss", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    new = reverse("admin:importers_importrun_new")
    with (FIXTURES / "wordpress" / "truncated.xml").open("rb") as export:
        refused = client.post(new, {"source": "wordpress", "genre": "news", "export": export})
    assert refused.status_code == 200
    assert "truncated" in str(refused.context["form"].errors["export"]).lower()
    for role in ("Writer", "Moderator"):
        user = make_staff(role.lower(), role)
        client.force_login(user)
        assert client.get(new).status_code == 403
        assert client.get(reverse("admin:importers_importrun_changelist")).status_code == 403
