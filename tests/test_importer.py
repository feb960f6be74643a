"""import_article: the plain-text shape newsrooms send, and every way it can be wrong."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.importing import ImportRejected, parse_piece
from articles.models import Article, Author

from .factories import make_author, make_section

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parent.parent / "articles" / "demo" / "sample-opinion-piece.txt"


@pytest.fixture
def opinion(db):
    return make_section(name="Opinion", slug="opinion")


def run_import(*args):
    call_command("import_article", *map(str, args))


def test_sample_piece_imports_as_an_opinion_piece_by_titi_keita(opinion, client):
    run_import(SAMPLE, "--section", "opinion", "--genre", "opinion", "--publish")
    article = Article.objects.get()
    assert (
        article.headline == "Mali-Russia defense talks signal strategic shift and sovereign posture"
    )
    assert article.slug == "mali-russia-defense-talks-signal-strategic-shift-and-sovereign-posture"
    assert article.genre == Article.Genre.OPINION
    assert article.section == opinion
    assert article.is_published
    assert article.body.count("<p>") == 11
    assert article.body.startswith("<p>The meeting between Mali’s leader, Colonel Assimi Goïta,")
    assert "Titi KEITA" not in article.body
    assert "Mali-Russia defense talks" not in article.body
    [author] = article.ordered_authors
    assert (author.name, author.slug) == ("Titi KEITA", "titi-keita")
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert 'href="/authors/titi-keita/" rel="author">Titi KEITA</a>' in response.text


def test_import_without_publish_saves_a_draft_the_public_cannot_see(opinion, client):
    run_import(SAMPLE, "--section", "opinion")
    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT and article.published_at is None
    assert article.genre == Article.Genre.NEWS
    assert client.get(article.get_absolute_url()).status_code == 404


def test_import_reuses_an_existing_author_whatever_the_case(opinion, tmp_path):
    existing = make_author(name="Titi KEITA", slug="titi-keita")
    piece = tmp_path / "piece.txt"
    piece.write_text("Headline\nA paragraph.\nTiti Keita\n", encoding="utf-8")
    run_import(piece, "--section", "opinion")
    assert Article.objects.get().ordered_authors == [existing]
    assert Author.objects.count() == 1


def test_a_byline_can_name_several_authors_in_order(opinion, tmp_path):
    piece = tmp_path / "piece.txt"
    piece.write_text("Headline\n\nA paragraph.\n\nBy Ada ONE, Ben TWO and Cy THREE\n", "utf-8")
    run_import(piece, "--section", "opinion")
    names = [author.name for author in Article.objects.get().ordered_authors]
    assert names == ["Ada ONE", "Ben TWO", "Cy THREE"]


def test_html_in_the_text_is_escaped_not_executed(opinion, tmp_path):
    piece = tmp_path / "piece.txt"
    piece.write_text("<b>Bold</b> claim\n<script>alert(1)</script> para\nTiti KEITA\n", "utf-8")
    run_import(piece, "--section", "opinion")
    article = Article.objects.get()
    assert "<script>" not in article.body
    assert "&lt;script&gt;" in article.body
    assert article.headline == "<b>Bold</b> claim"  # escaped by the templates when shown


def test_a_utf8_byte_order_mark_is_ignored(opinion, tmp_path):
    piece = tmp_path / "piece.txt"
    piece.write_bytes("\ufeffHeadline\nParagraph.\nTiti KEITA\n".encode())
    run_import(piece, "--section", "opinion")
    assert Article.objects.get().headline == "Headline"


BAD_FILES = {
    "empty": (b"", "the file is empty"),
    "blank lines only": (b"\n  \n\t\n", "the file is empty"),
    "headline only": (b"Just a headline\n", "expected a headline"),
    "no byline": (
        b"Headline\nFirst paragraph.\nThe last paragraph ends like a sentence.\n",
        "no byline",
    ),
    "byline too long": (
        ("Headline\nParagraph.\n" + "word " * 30 + "\n").encode(),
        "no byline",
    ),
    "not utf-8": ("Headline\nCafé crème\nTiti KEITA\n".encode("latin-1"), "not UTF-8"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "not UTF-8"),
    "nul bytes": (b"Headline\nPara\x00graph\nTiti KEITA\n", "NUL"),
    "huge headline": (("H" * 300 + "\nParagraph.\nTiti KEITA\n").encode(), "headline"),
}


@pytest.mark.parametrize("content,message", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_files_are_refused_with_a_clear_error_and_nothing_saved(
    opinion, tmp_path, content, message
):
    piece = tmp_path / "piece.txt"
    piece.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run_import(piece, "--section", "opinion", "--publish")
    assert Article.objects.count() == 0
    assert Author.objects.count() == 0


def test_missing_file_and_directory_are_refused(opinion, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run_import(tmp_path / "nope.txt", "--section", "opinion")
    with pytest.raises(CommandError, match="not a regular file"):
        run_import(tmp_path, "--section", "opinion")


def test_unknown_section_is_refused_naming_the_known_ones(opinion):
    with pytest.raises(CommandError, match=r"unknown section 'sport' \(known: opinion\)"):
        run_import(SAMPLE, "--section", "sport")
    assert Article.objects.count() == 0


def test_importing_the_same_piece_twice_is_refused(opinion):
    run_import(SAMPLE, "--section", "opinion")
    with pytest.raises(CommandError, match="already exists"):
        run_import(SAMPLE, "--section", "opinion")
    assert Article.objects.count() == 1


def test_failure_after_authors_are_made_leaves_nothing_behind(opinion, monkeypatch):
    """The import is one transaction: an error late on undoes the authors it created."""
    from articles import importing

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing.Byline.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        run_import(SAMPLE, "--section", "opinion")
    assert Article.objects.count() == 0
    assert Author.objects.count() == 0


def test_command_line_errors_are_one_line_with_a_non_zero_exit(tmp_path):
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    env = {
        "DEBUG": "1",
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            capture_output=True,
            text=True,
            cwd=root,
            env=env,
            check=False,
        )

    assert manage("migrate", "-v0").returncode == 0
    assert manage("load_demo").returncode == 0
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = manage("import_article", str(empty), "--section", "opinion")
    assert result.returncode == 1
    assert result.stderr.strip() == f"CommandError: {empty}: the file is empty"


@pytest.mark.parametrize(
    "line", ["Titi KEITA", "By Titi KEITA", "par Titi KEITA", "Jean-Paul N'DIAYE"]
)
def test_parse_accepts_real_bylines(line):
    assert parse_piece(f"H\nP.\n{line}\n".encode()).author_names[-1] in line


@pytest.mark.parametrize("line", ["...", "By", "123 456", "The end."])
def test_parse_rejects_lines_that_are_not_bylines(line):
    with pytest.raises(ImportRejected, match="no byline"):
        parse_piece(f"H\nP.\n{line}\n".encode())
