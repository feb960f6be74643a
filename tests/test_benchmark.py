"""`manage.py bench --smoke`: the whole benchmark, tiny, on SQLite (and on PostgreSQL when the
suite runs on it), with the bundled Python load client (so it passes where wrk is not
installed), in about a minute. Then the parts a smoke run cannot show: the Wagtail peer's
figures read from its run.sh, the targets against it, and an earlier run's "Before"."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from devtools.benchmark import MODES, PAGE_LABELS, PAGES, peer, previous, report, targets

ROOT = Path(__file__).resolve().parent.parent
PROJECT_DB = ROOT / "var" / "newsroom.sqlite3"
SUITE_DATABASE = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = SUITE_DATABASE.startswith(("postgres://", "postgresql://"))


def _stat(path):
    return (path.stat().st_mtime_ns, path.stat().st_size) if path.exists() else None


def smoke_database(engine, tmp_path):
    if engine == "SQLite":
        return str(tmp_path / "bench.sqlite3")
    # A database of its own beside the suite's, on the same server, named after the suite's
    # (wp6 -> wp6_bench_smoke) so that suites sharing a server do not drop each other's.
    suite = urlsplit(SUITE_DATABASE)
    return suite._replace(path=f"{suite.path}_bench_smoke").geturl()


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
    database = smoke_database(engine, tmp_path)
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
        timeout=240,
        check=False,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    text = output.read_text()
    rows = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 8 and cells[1] in MODES:
            rows[(cells[0], cells[1])] = cells
    for page in PAGES:
        for mode in MODES:
            row = rows.get((PAGE_LABELS[page], mode))
            assert row, f"no {mode} row for {page} in:\n{text}"
            rps, errors = float(row[2].replace(",", "")), int(row[5].replace(",", ""))
            assert rps > 0, row
            assert errors == 0, row
    assert "/static/css/site." in text
    assert re.search(r"^### What fell short", text, re.MULTILINE)
    assert engine in text
    # A smoke run never measures the peer, and no recorded figure stands in for it.
    assert "Not measured: the smoke run does not measure it" in text
    assert not re.search(r"req/s = [\d.]+× the peer", text)
    # Query counts compared between a small archive and the full one.
    assert re.search(r"the same count per page at 50 and 200 articles", text)
    # The desk's pages are measured beside the changelist (issue 18's targets).
    assert "## The desk's pages" in text
    assert re.search(r"- desk home: `GET /admin/`.*queries", text)
    assert re.search(r"- editorial calendar: `GET /admin/articles/article/calendar/`", text)
    # The content API, cold and warm, with a key, in the same few queries at both sizes.
    assert "## Content API" in text
    assert re.search(r"^\| api list \| cold \|", text, re.MULTILINE)
    assert re.search(r"^\| api detail \| warm \|", text, re.MULTILINE)
    assert re.search(
        r"Content API queries constant as the archive grows \| the same count per request at "
        r"50 and 200 articles \| all equal \| met",
        text,
    )
    # The JSON beside the report is what a later run's --before reads.
    before = previous.load(output.with_suffix(".json"))
    assert set(before["load"]) == set(MODES)
    assert before["load"]["warm"]["static"]["rps"] > 0
    # The project's own database was left alone.
    assert _stat(PROJECT_DB) == project_db_before


def test_bench_refuses_a_pool_on_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env.update(SECRET_KEY=secrets.token_urlsafe(50), NEWSROOM_DEVTOOLS="1")
    result = subprocess.run(
        [sys.executable, "manage.py", "bench", "--database-pool"]
        + ["--database", str(tmp_path / "bench.sqlite3")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "PostgreSQL's only" in result.stderr
    assert not (tmp_path / "bench.sqlite3").exists()


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


# The Wagtail peer: what its run.sh prints (its report.py table), parsed.

PEER_OUTPUT = """
== wrk ping: http://127.0.0.1:41234/bench/ping/
loadavg after run: 1.2 1.1 1.0
| page | path | req/s | p50 ms | p99 ms | errors | queries/req | in-process median ms |
|---|---|---:|---:|---:|---:|---:|---:|
| (a) article detail | `/world/some-story-1000/` | 121.4 | 128.50 | 190.20 | 0 | 11 | 25.10 |
| (b) section listing (20 latest) | `/world/` | 52.3 | 300.10 | 410.00 | 0 | 10 | 44.00 |
| (c) static CSS via WhiteNoise | `/static/news/n.4d3a.css` | 3187.0 | 4.90 | 9.00 | 0 | 0 | 0.40 |
| (d) trivial view, full middleware | `/bench/ping/` | 2824.5 | 5.50 | 10.20 | 0 | 0 | 0.50 |
"""


def test_peer_figures_are_read_from_what_run_sh_prints():
    pages = peer.parse_table(PEER_OUTPUT)
    assert pages["article"]["rps"] == 121.4
    assert pages["listing"] == {
        "path": "/world/",
        "rps": 52.3,
        "p50_ms": 300.1,
        "p99_ms": 410.0,
        "errors": 0,
        "queries": 10,
        "median_ms": 44.0,
    }
    assert pages["static"]["rps"] == 3187.0 and pages["ping"]["rps"] == 2824.5
    with pytest.raises(ValueError, match="no article and listing rows"):
        peer.parse_table("run setup.sh first")


def fake_peer(tmp_path, output):
    """A peer folder whose run.sh prints `output` and writes env.txt where it is told to."""
    folder = tmp_path / "peer-wagtail"
    folder.mkdir()
    (folder / "printed.txt").write_text(output)
    script = folder / "run.sh"
    script.write_text(
        '#!/bin/sh\nmkdir -p "$WAGBENCH_RESULTS"\n'
        'echo "wagtail==8.0.1" > "$WAGBENCH_RESULTS/env.txt"\ncat printed.txt\n'
    )
    script.chmod(0o755)
    return folder


def test_peer_run_reads_run_sh_and_keeps_its_results_out_of_the_shared_folder(tmp_path):
    folder = fake_peer(tmp_path, PEER_OUTPUT)
    measured = peer.run(folder, tmp_path / "results", when="before")
    assert "error" not in measured
    assert measured["pages"]["article"]["rps"] == 121.4
    assert measured["versions"] == ["wagtail==8.0.1"]
    assert (tmp_path / "results" / "env.txt").exists()
    text = report.peer_text({"dir": str(folder), "runs": [measured, dict(measured, when="after")]})
    assert "| article | `/world/some-story-1000/` | 121.4 | 121.4 | 121.4 | 11 | 25.1 |" in text
    assert "differ by" not in text
    slower = peer_run("after", 60.0, 52.3)
    text = report.peer_text({"dir": str(folder), "runs": [measured, slower]})
    assert "The peer's two runs differ by 102%" in text


def test_a_peer_run_that_served_nothing_is_not_a_figure(tmp_path):
    folder = fake_peer(tmp_path, PEER_OUTPUT.replace("| 121.4 |", "| 0.0 |"))
    measured = peer.run(folder, tmp_path / "results", when="after")
    assert "pages" not in measured
    assert "no article response" in measured["error"]
    assert peer.rps({"runs": [measured]}, "article") is None


def test_peer_not_set_up_is_said_and_found_beside_a_parent_folder(tmp_path, monkeypatch):
    folder = tmp_path / "shared" / "peer-wagtail"
    folder.mkdir(parents=True)
    (folder / "run.sh").write_text("#!/bin/sh\n")
    project = tmp_path / "wt" / "wp6"
    project.mkdir(parents=True)
    assert peer.find(project) == folder
    monkeypatch.setenv("WAGBENCH_VENV", str(tmp_path / "no-venv"))
    assert "setup.sh has not been run" in peer.missing(folder)
    assert "no shared/peer-wagtail/run.sh" in peer.missing(None)


def fake_results(*, peer_runs=(), prefix_counts=None, kept=False):
    """What `manage.py bench` gathers, with round figures: our article 300 req/s and section
    150 req/s with fragments cached, 200 and 90 with every cache off."""
    rps = {
        "cold": {"article": 200.0, "section": 90.0},
        "fragments": {"article": 300.0, "section": 150.0},
        "warm": {"article": 1900.0, "section": 1800.0, "static": 2000.0},
    }
    run = {"requests": 100, "errors": 0, "p50_ms": 5.0, "p99_ms": 9.0, "cache_hit": True}
    load = {
        mode: {page: dict(run, rps=value) for page, value in pages.items()}
        for mode, pages in rps.items()
    }
    measured = {"queries": {"count": 3}, "timings": {"median_ms": 4.0}, "bytes": 1000}
    return {
        "started": "2026-12-04 17:00 UTC",
        "articles": 2000,
        "kept": kept,
        "options": {"seconds": 10, "connections": 16, "workers": 2},
        "load": load,
        "inprocess": {
            "vendor": "postgresql",
            "pages": {page: {mode: measured for mode in MODES} for page in ("article", "section")},
        },
        "fill": {"prefix": {"articles": 1000, "queries": prefix_counts}} if prefix_counts else None,
        "peer": {"dir": "/work/shared/peer-wagtail", "reason": "", "runs": list(peer_runs)},
    }


def peer_run(when, article, listing):
    row = {"path": "/", "p50_ms": 1.0, "p99_ms": 2.0, "errors": 0, "queries": 11, "median_ms": 25.0}
    return {
        "when": when,
        "started": "17:00 UTC",
        "seconds": 90.0,
        "pages": {"article": dict(row, rps=article), "listing": dict(row, rps=listing)},
    }


def by_name(checks, words):
    return next(c for c in checks if all(word in c["name"] for word in words))


def test_ratios_use_the_peer_measured_before_and_after_our_load():
    results = fake_results(peer_runs=[peer_run("before", 110, 55), peer_run("after", 130, 65)])
    checks = targets.check(results)
    # Fragments cached: 300 / mean(110, 130) = 2.5, met; 150 / 60 = 2.5, met.
    article = by_name(checks, ["Article", "fragments", "2.5"])
    assert article["ok"] is True and "2.50× the peer" in article["measured"]
    assert "110.0 req/s before our load and 130.0 req/s after" in article["note"]
    assert by_name(checks, ["Section", "fragments", "listing"])["ok"] is True
    # Every cache off: 200 / 120 = 1.67, met; 90 / 60 = 1.5, met (the bound is inclusive).
    assert by_name(checks, ["Article", "every cache off"])["ok"] is True
    assert by_name(checks, ["Section", "every cache off"])["ok"] is True
    # A faster peer: the same figures fall short.
    faster = targets.check(fake_results(peer_runs=[peer_run("before", 150, 70)]))
    assert by_name(faster, ["Article", "fragments"])["ok"] is False
    assert by_name(faster, ["Section", "every cache off"])["ok"] is False


def test_without_the_peer_nothing_is_compared():
    results = fake_results()
    results["peer"]["reason"] = "the peer is not set up: setup.sh has not been run"
    checks = targets.check(results)
    for words in (["Article", "fragments"], ["Section", "every cache off"]):
        check = by_name(checks, words)
        assert check["ok"] is None and "not set up" in check["note"]
    text = report.peer_text(results["peer"])
    assert text.startswith("Not measured: the peer is not set up")
    assert "no recorded figure" in text


def test_page_cache_hits_are_held_to_the_static_file():
    check = by_name(targets.check(fake_results()), ["static file"])
    assert check["ok"] is True and "lowest 90% (section)" in check["measured"]
    slow = fake_results()
    slow["load"]["warm"]["section"]["rps"] = 1500.0
    check = by_name(targets.check(slow), ["static file"])
    assert check["ok"] is False and "lowest 75% (section)" in check["measured"]


def test_query_counts_must_not_grow_with_the_archive():
    same = {"article": {"cold": 3, "fragments": 3}, "section": {"cold": 3, "fragments": 3}}
    check = by_name(targets.check(fake_results(prefix_counts=same)), ["constant"])
    assert check["ok"] is True and "1,000 and 2,000 articles" in check["target"]
    grew = {"article": {"cold": 3, "fragments": 3}, "section": {"cold": 2, "fragments": 3}}
    check = by_name(targets.check(fake_results(prefix_counts=grew)), ["constant"])
    assert check["ok"] is False and "section (cold) 2 → 3" in check["measured"]
    kept = by_name(targets.check(fake_results(kept=True)), ["constant"])
    assert kept["ok"] is None and "kept from an earlier run" in kept["note"]


def test_api_query_counts_must_not_grow_with_the_archive():
    def results(small_list, *, api=True):
        fake = fake_results(prefix_counts={"article": {"cold": 3, "fragments": 3}})
        measured = {"queries": {"count": 4}}
        if api:
            fake["inprocess"]["api"] = {
                "api list": {"cold": measured, "warm": {"queries": {"count": 1}}}
            }
        fake["fill"]["prefix"]["api_queries"] = {"api list": {"cold": small_list, "warm": 1}}
        return fake

    check = by_name(targets.check(results(4)), ["API"])
    assert check["ok"] is True and check["measured"] == "all equal"
    check = by_name(targets.check(results(3)), ["API"])
    assert check["ok"] is False and "api list (cold) 3 → 4" in check["measured"]
    assert not [c for c in targets.check(results(4, api=False)) if "API" in c["name"]]


# An earlier bench's Markdown report (before the JSON existed), as `--before` reads it.
OLD_REPORT = """# Benchmarks

Written by `python manage.py bench` (`make bench`) on 2026-11-27 05:03 UTC; the run took 481 s.

## Setup

| | |
|---|---|
| content | 10,000 published synthetic articles (`articles/synthetic.py`: ~900-word bodies) |

## Results

| page | mode | req/s | p50 ms | p99 ms | errors | SQL queries | in-process median ms |
|---|---|---:|---:|---:|---:|---:|---:|
| article | cold | 196.0 | 80.9 | 100.2 | 0 | 2 | 9.3 |
| article | warm | 2,002.3 | 7.6 | 12.2 | 0 | 0 | 0.8 |
| section | cold | 89.8 | 174.5 | 234.5 | 0 | 4 | 25.6 |

URLs measured: article `/culture/x/`.

## Targets

| target | wanted | measured | result |
|---|---|---|---|
| Cold article page ≥ 2× the Wagtail peer's article req/s | ≥ 178.2 req/s | 2.20× the peer | met |

### What fell short
"""


def test_before_section_shows_an_older_markdown_report_beside_this_run(tmp_path):
    path = tmp_path / "benchmarks-before.md"
    path.write_text(OLD_REPORT)
    before = previous.load(path)
    assert before["started"] == "2026-11-27 05:03 UTC"
    assert before["articles"] == 10_000
    assert before["load"]["warm"]["article"]["rps"] == 2002.3
    assert before["queries"]["section"]["cold"] == 4
    text = report.before_text(before, fake_results())
    rows = {
        tuple(cells[:2]): cells
        for cells in (
            [cell.strip() for cell in line.strip("|").split("|")] for line in text.splitlines()
        )
    }
    # article, cold: 196.0 before, 200.0 now (+2%); fragments did not exist before.
    assert rows[("article", "cold")][2:5] == ["196.0", "200.0", "+2%"]
    assert rows[("article", "fragments")][2:4] == ["–", "300.0"]
    assert "2.20× the peer" in text
    assert text.startswith("The run of 2026-11-27 05:03 UTC (10,000 articles) beside this one")


def test_before_refuses_what_is_not_a_bench_report(tmp_path):
    (tmp_path / "notes.md").write_text("# Notes\n")
    (tmp_path / "other.json").write_text(json.dumps({"hello": 1}))
    with pytest.raises(previous.PreviousRunError, match="no results table"):
        previous.load(tmp_path / "notes.md")
    with pytest.raises(previous.PreviousRunError, match="not a bench results file"):
        previous.load(tmp_path / "other.json")
    with pytest.raises(previous.PreviousRunError, match="cannot read"):
        previous.load(tmp_path / "missing.json")


def test_report_says_which_database_connections_served_the_pages():
    assert "persistent connections (`CONN_MAX_AGE=600`)" in report.connections_text({}, {})
    pool = {"database_pool": True}
    assert "connection pool per worker" in report.connections_text(pool, pool)
    # Asked for, but settings that do not know DATABASE_POOL made no pool of it.
    no_pool = report.connections_text(pool, {"database_pool": False})
    assert no_pool.startswith("**no pool**")


@pytest.mark.django_db
def test_the_synthetic_desk_fills_every_list_of_a_moderators_desk_home():
    """At 100,000 articles the bench measures the desk home and the calendar with work on the
    desk, not an archive where every list is empty."""
    from articles.desk import desk_for
    from articles.models import Article, AuditEntry, Revision
    from devtools import synthetic
    from devtools.benchmark.inprocess import ensure_admin

    synthetic.generate(30, batch=30, log=lambda line: None)
    added = synthetic.desk_work(30, log=lambda line: None)
    assert added == synthetic.desk_size(30) == len(synthetic.DESK_STATES)
    published = Article.objects.published().count()
    assert published == 30
    assert Article.objects.count() == 30 + added
    assert AuditEntry.objects.count() == 3 * published
    newest = Article.objects.published().latest("published_at").published_at
    assert not AuditEntry.objects.filter(created_at__gt=newest).exists()
    assert Revision.objects.filter(pending=True).count() >= 1

    desk = desk_for(ensure_admin())
    counts = {desk_list.key: desk_list.count for desk_list in desk["moderator_lists"]}
    assert counts["late"] >= 1
    assert counts["queue"] == Article.objects.filter(status=Article.Status.IN_REVIEW).count() >= 1
    assert counts["changes"] >= 1
    assert counts["upcoming"] >= 1
    writer = {desk_list.key: desk_list.count for desk_list in desk["writer_lists"]}
    assert writer["published"] >= 1  # the bench admin writes as the busiest author
    assert len(desk["activity"]) == 12
