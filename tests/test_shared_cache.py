"""Without Redis, every gunicorn worker sees a decision on its next request.

Two real workers in the production profile share the embedded default cache (files on this
machine). A moderator's decisions are taken in another process (tests/shared_cache_desk.py)
through the workflow, as the admin takes them; then every one of many reloads of the home page
and of the article, whichever worker answers, shows the new state. On SQLite, and on PostgreSQL
when the suite runs on it (in a database of its own beside the suite's).
"""

import json
import multiprocessing
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import time_machine

from devtools.benchmark import children, server
from pagecache.backends import SharedFileCache

ROOT = Path(__file__).resolve().parent.parent
SUITE_DATABASE = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = SUITE_DATABASE.startswith(("postgres://", "postgresql://"))
RELOADS = 20


def move_on(folder, times):
    shared = SharedFileCache(folder, {})
    for _ in range(times):
        shared.incr("newsroom:version:site")
    return shared.add("newsroom:version:site", 0, timeout=None)


def test_workers_moving_a_version_on_at_once_lose_no_step(tmp_path):
    shared = SharedFileCache(str(tmp_path), {})
    assert shared.add("newsroom:version:site", 1_000, timeout=None)
    with multiprocessing.get_context("fork").Pool(4) as workers:
        added = workers.starmap(move_on, [(str(tmp_path), 100)] * 4)
    assert added == [False] * 4  # the version existed: no worker started it again
    assert shared.get("newsroom:version:site") == 1_400
    # As with Redis, a version moved on keeps no expiry of its own.
    with time_machine.travel(time.time() + 86_400):
        assert shared.get("newsroom:version:site") == 1_400


@pytest.fixture(
    params=[
        "SQLite",
        pytest.param(
            "PostgreSQL",
            marks=pytest.mark.skipif(not ON_POSTGRES, reason="the suite runs on SQLite"),
        ),
    ]
)
def database_url(request, tmp_path):
    if request.param == "SQLite":
        yield f"sqlite:///{tmp_path / 'site.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    suite = urlsplit(SUITE_DATABASE)
    name = f"{suite.path.lstrip('/') or 'newsroom'}_shared_cache"
    maintenance = suite._replace(scheme="postgresql", path="/postgres").geturl()

    def recreate(create):
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            if create:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    recreate(True)
    try:
        yield suite._replace(path=f"/{name}").geturl()
    finally:
        recreate(False)


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """The production profile serves collected, hashed static files: collected once."""
    folder = tmp_path_factory.mktemp("collected")
    env = children.production_env(
        secret=secrets.token_urlsafe(50),
        database_url=f"sqlite:///{folder / 'unused.sqlite3'}",
        temp=folder,
        allowed_hosts="127.0.0.1",
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return folder / "static"


@pytest.fixture
def site(database_url, static_root, tmp_path):
    """The production profile with two workers and no Redis, on a fresh, seeded database."""
    port = server.free_port()
    env = children.production_env(
        secret=secrets.token_urlsafe(50),
        database_url=database_url,
        temp=tmp_path,
        STATIC_ROOT=str(static_root),
        allowed_hosts="127.0.0.1",
        NEWSROOM_PAGE_CACHE_SECONDS="300",
        NEWSROOM_CACHE_DIR=str(tmp_path / "cache"),
        NEWSROOM_BASE_URL=f"http://127.0.0.1:{port}",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        GUNICORN_ACCESS_LOG="",
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    articles = desk(env, "seed")
    with server.Gunicorn(
        env=env, workers=2, log_path=tmp_path / "gunicorn.log", cwd=ROOT, port=port
    ) as gunicorn:
        gunicorn.wait_ready("/")
        yield {"env": env, "port": port, "articles": articles, "gunicorn": gunicorn}


def desk(env, step, article=None):
    """A decision taken in a process of its own, as another worker (or the admin) would."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.shared_cache_desk", step]
        + ([str(article["id"])] if article else []),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def reload(site, path):
    status, headers, body = server.get(site["port"], path)
    return status, headers.get("x-cache"), body.decode()


def reloads(site, path, times=RELOADS):
    return [reload(site, path) for _ in range(times)]


def warm(site, *paths):
    """Each page cached (and served from the cache) before the decision."""
    for path in paths:
        caches = {x_cache for _, x_cache, _ in reloads(site, path, times=6)}
        assert "hit" in caches, f"{path} was never served from the cache"


def test_every_decision_reaches_every_worker_on_the_next_reload(site):
    articles = site["articles"]
    home = "/"
    live, waiting, corrected = articles["live"], articles["waiting"], articles["corrected"]
    assert len(site["gunicorn"].worker_pids()) == 2

    warm(site, home, live["path"], corrected["path"], waiting["path"])
    desk(site["env"], "publish", waiting)
    for _, _, html in reloads(site, home):
        assert "Waiting story" in html
    for status, _, html in reloads(site, waiting["path"]):
        assert status == 200 and "Waiting story" in html

    warm(site, home, live["path"])
    desk(site["env"], "unpublish", live)  # a takedown
    for status, _, html in reloads(site, home):
        assert status == 200 and "Live story" not in html
    for status, _, html in reloads(site, live["path"]):
        assert status == 404 and "Live story" not in html

    warm(site, home, corrected["path"])
    desk(site["env"], "correct", corrected)
    for _, _, html in reloads(site, home):
        assert "Story, corrected" in html and "Story with a slip" not in html
    for status, _, html in reloads(site, corrected["path"]):
        assert status == 200
        assert "Story, corrected" in html and "A name was misspelt." in html


def test_a_scheduled_piece_goes_live_on_every_worker_at_its_time(site):
    scheduled = site["articles"]["scheduled"]
    at = desk(site["env"], "schedule", scheduled)["at"]
    before = 0
    # Until its time, the 404 and the home page without it are what every worker caches.
    while time.time() < at - 1.5:
        status, _, html = reload(site, scheduled["path"])
        assert status == 404
        assert "Embargoed story" not in reload(site, "/")[2]
        before += 1
        time.sleep(0.1)
    assert before >= 3, "the scheduled time came before the pages were cached"
    time.sleep(max(0.0, at - time.time()) + 0.05)
    for status, _, html in reloads(site, scheduled["path"]):
        assert status == 200 and "Embargoed story" in html
    for _, _, html in reloads(site, "/"):
        assert "Embargoed story" in html
