"""`manage.py bench --smoke`: the whole benchmark, tiny, on SQLite (and on PostgreSQL when the
suite runs on it), with the bundled Python load client (so it passes where wrk is not
installed), in well under a minute."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from devtools.benchmark import PAGES
from devtools.benchmark.report import PAGE_LABELS

ROOT = Path(__file__).resolve().parent.parent
PROJECT_DB = ROOT / "var" / "newsroom.sqlite3"
SUITE_DATABASE = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = SUITE_DATABASE.startswith(("postgres://", "postgresql://"))


def _stat(path):
    return (path.stat().st_mtime_ns, path.stat().st_size) if path.exists() else None


@pytest.mark.parametrize(
    "engine",
    [
        "SQLite",
        pytest.param(
            "PostgreSQL",
            marks=pytest.mark.skipif(not ON_POSTGRES, reason="the suite runs on SQLite"),
        ),
    ],
)
def test_bench_smoke_serves_every_page_under_load(tmp_path, engine):
    database = (
        str(tmp_path / "bench.sqlite3")
        if engine == "SQLite"
        # A database of its own beside the suite's, on the same server.
        else urlsplit(SUITE_DATABASE)._replace(path="/newsroom_bench_smoke").geturl()
    )
    output = tmp_path / "bench.md"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG"}
    }
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    project_db_before = _stat(PROJECT_DB)

    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "bench",
            "--smoke",
            "--load-generator",
            "python",
            "--database",
            database,
            "--output",
            str(output),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = output.read_text()
    rows = {}
    for line in report.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 8 and cells[1] in ("cold", "warm"):
            rows[(cells[0], cells[1])] = cells
    for page in PAGES:
        for mode in ("cold", "warm"):
            row = rows.get((PAGE_LABELS[page], mode))
            assert row, f"no {mode} row for {page} in:\n{report}"
            rps, errors = float(row[2].replace(",", "")), int(row[5].replace(",", ""))
            assert rps > 0, row
            assert errors == 0, row
    assert re.search(r"^## What fell short|^### What fell short", report, re.MULTILINE)
    assert engine in report
    # The project's own database was left alone.
    assert _stat(PROJECT_DB) == project_db_before


@pytest.mark.django_db
def test_search_at_scale_is_measured_after_a_first_pass_over_the_same_queries():
    from devtools.benchmark.inprocess import measure_search
    from search.documents import refresh_search_vector

    from .factories import make_article

    refresh_search_vector([make_article(headline="Market farmers vote") for _ in range(3)])
    measured = measure_search(count=6)
    assert measured["n"] == measured["first_pass"]["n"] == 6
    assert measured["first_pass"]["median_ms"] > 0 and measured["p95_ms"] > 0
    assert len(measured["all"]) == 6 and len(measured["slowest"]) == 3
