"""`manage.py loadtest`: a short run end to end on PostgreSQL with a private Redis, and the parts
whose failure would make it lie (the database proxy's cut, the verdicts, the form reader)."""

import os
import re
import secrets
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings

from devtools.benchmark.loadgen import LoadResult
from devtools.loadtest.faults import REDIS_SERVER, TcpProxy
from devtools.loadtest.htmlform import form_fields, replace
from devtools.loadtest.report import Segment, no_errors

ROOT = Path(__file__).resolve().parent.parent
ON_POSTGRESQL = settings.ON_POSTGRESQL


@pytest.mark.skipif(
    not ON_POSTGRESQL, reason="the load test runs on PostgreSQL only (DATABASE_URL is not one)"
)
@pytest.mark.skipif(not Path(REDIS_SERVER).exists(), reason=f"no {REDIS_SERVER}")
def test_short_load_test_passes_under_load_and_faults_and_drops_its_database(tmp_path):
    name = f"newsroom_loadtest_test_{os.getpid()}"
    report = tmp_path / "loadtest.md"
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    arguments = [
        *("--seconds", "5", "--connections", "8", "--articles", "100", "--workers", "3"),
        *("--fault-seconds", "4.5", "--outage-seconds", "1.5", "--warmup-seconds", "0"),
        *("--publish-every", "1", "--cache-seconds", "30"),
        *("--database-name", name, "--report", str(report)),
    ]

    result = subprocess.run(
        [sys.executable, "manage.py", "loadtest", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    text = report.read_text()
    verdicts = re.findall(r"^\| (.+?) \| (PASS|\*\*FAIL\*\*) \|", text, re.MULTILINE)
    assert len(verdicts) >= 10 and all(mark == "PASS" for _, mark in verdicts), text
    rows = {
        cells[1]: cells
        for cells in (line.strip("|").split("|") for line in text.splitlines())
        if len(cells) == 11
    }
    assert int(rows[" readers + moderator "][2].replace(",", "")) > 0, text
    for kind in ("publish", "edit"):
        assert f"| {kind} |" in text, text
    assert not database_exists(name)


def database_exists(name):
    import psycopg

    from devtools.management.commands.loadtest import pg_database

    db = pg_database(name, os.environ["DATABASE_URL"])
    conninfo = db.url.replace(f"/{name}", "/postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(conninfo, connect_timeout=10) as conn:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        return conn.execute(query, [name]).fetchone() is not None


# The database proxy.


@pytest.fixture
def echo_server():
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=echo, args=(conn,), daemon=True).start()

    def echo(conn):
        with conn:
            while data := conn.recv(1024):
                conn.sendall(data)

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()
    listener.close()


def round_trip(port, payload=b"ping"):
    """The echo through the proxy, or b"" if the connection was closed on us."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        return exchange(sock, payload)


def exchange(sock, payload=b"ping"):
    try:
        sock.sendall(payload)
        return sock.recv(1024)
    except (ConnectionResetError, BrokenPipeError):
        return b""


def test_the_database_proxy_cuts_live_connections_refuses_new_ones_and_comes_back(echo_server):
    with TcpProxy(echo_server) as proxy:
        live = socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
        assert exchange(live) == b"ping"

        assert proxy.cut() == 1
        assert exchange(live) == b""
        assert round_trip(proxy.port) == b""

        proxy.restore()
        assert round_trip(proxy.port, b"back") == b"back"
        live.close()


# Verdicts.


def segment(statuses):
    requests = sum(n for code, n in statuses.items() if code != "failed")
    result = LoadResult("python", requests, 1.0, 0, requests, 1.0, 2.0, statuses=statuses)
    return Segment("main", "readers", result)


def test_one_server_error_or_failed_request_fails_the_requirement():
    assert no_errors("r", [segment({"200": 500, "304": 3, "404": 1})]).passed
    assert not no_errors("r", [segment({"200": 500, "500": 1})]).passed
    assert not no_errors("r", [segment({"200": 500}), segment({"200": 9, "failed": 1})]).passed
    assert not no_errors("r", [segment({})]).passed


def test_during_an_outage_only_503_is_allowed():
    assert no_errors("r", [segment({"200": 5, "503": 5})], allowed=("503",)).passed
    verdict = no_errors("r", [segment({"200": 5, "503": 5, "500": 1})], allowed=("503",))
    assert not verdict.passed and "1 × 500" in verdict.detail


# Reading the admin's forms.


def test_form_fields_are_what_a_browser_would_submit():
    html = """
    <form id="other"><input name="ignored" value="x"></form>
    <form id="article_form">
      <input type="hidden" name="csrfmiddlewaretoken" value="tok">
      <input name="headline" value="Fish &amp; chips">
      <input type="checkbox" name="featured">
      <input type="checkbox" name="tags_on" checked>
      <input name="locked" value="no" disabled>
      <input type="submit" name="_save" value="Save">
      <textarea name="body">
&lt;p&gt;Text&lt;/p&gt;</textarea>
      <select name="section"><option value="1">A</option><option value="2" selected>B</option>
      </select>
      <select name="genre"><option value="news">News</option></select>
    </form>"""
    fields = form_fields(html, "#article_form")
    assert fields == [
        ("csrfmiddlewaretoken", "tok"),
        ("headline", "Fish & chips"),
        ("tags_on", "on"),
        ("body", "<p>Text</p>"),
        ("section", "2"),
        ("genre", "news"),
    ]
    assert ("headline", "New") in replace(fields, "headline", "New")
    with pytest.raises(ValueError):
        form_fields(html, ".desk-transition-publish")
