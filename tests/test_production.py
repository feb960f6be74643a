"""The production profile: deploy checks clean, secrets from the environment, health, logs."""

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from newsroom.caches import REDIS_BACKEND

ROOT = Path(__file__).resolve().parent.parent
STRONG = "kV3-pL9_zQ7xW2mN8rT4yB6cD1fG5hJ0sA-eU3iO7uY9tR2wE5qZ8"


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env={"PATH": "/usr/bin:/bin", **env},
    )


def test_check_deploy_is_clean_under_the_production_profile(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=STRONG,
        ALLOWED_HOSTS="news.example.org",
        NEWSROOM_BASE_URL="https://news.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    "env",
    [
        {"NEWSROOM_BASE_URL": "http://127.0.0.1:8000"},
        {"NEWSROOM_BASE_URL": "https://localhost"},
        # With DEBUG on the settings fall back to the loopback: still no deployment.
        {"DEBUG": "1"},
    ],
)
def test_check_deploy_fails_on_a_base_url_search_engines_cannot_reach(tmp_path, env):
    result = manage(
        "check",
        "--deploy",
        SECRET_KEY=STRONG,
        ALLOWED_HOSTS="news.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        **env,
    )
    assert result.returncode != 0
    assert "newsroom.E001" in result.stderr and "NEWSROOM_BASE_URL" in result.stderr
    assert "https://news.example.org" in result.stderr  # the hint says what to set
    assert "Traceback" not in result.stderr


def test_check_deploy_warns_of_an_http_base_url_on_an_https_site(tmp_path):
    result = manage(
        "check",
        "--deploy",
        SECRET_KEY=STRONG,
        ALLOWED_HOSTS="news.example.org",
        NEWSROOM_BASE_URL="http://news.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
    )
    assert "newsroom.W001" in result.stderr and "newsroom.E001" not in result.stderr


@pytest.mark.parametrize(
    "base_url,problem",
    [
        ("https://news.example.org", None),
        ("https://news.example.org/", None),
        ("http://192.0.2.10:8080", None),
        ("http://127.0.0.1:8000", "newsroom.E001"),
        ("http://127.1.2.3", "newsroom.E001"),
        ("http://[::1]:8000", "newsroom.E001"),
        ("http://0.0.0.0", "newsroom.E001"),
        ("http://desk.localhost", "newsroom.E001"),
        ("news.example.org", "newsroom.E001"),
        ("ftp://news.example.org", "newsroom.E001"),
    ],
)
def test_the_base_url_check_tells_a_public_address_from_one_that_is_not(
    settings, base_url, problem
):
    from newsroom.checks import check_base_url

    settings.NEWSROOM_BASE_URL = base_url
    settings.HTTPS = False
    assert [message.id for message in check_base_url(None)] == ([problem] if problem else [])


@pytest.mark.parametrize("weak", ["short", "django-insecure-" + "a" * 60])
def test_a_weak_or_default_secret_key_stops_start_up(weak):
    result = manage("check", SECRET_KEY=weak, ALLOWED_HOSTS="x")
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr and "Traceback" not in result.stderr


def test_secrets_can_come_from_files(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text(STRONG + "\n")
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY)",
        SECRET_KEY_FILE=str(secret),
        ALLOWED_HOSTS="x",
        NEWSROOM_BASE_URL="https://news.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
    )
    assert result.stdout.strip().endswith(STRONG), result.stderr
    missing = manage("check", SECRET_KEY_FILE=str(tmp_path / "nope"), ALLOWED_HOSTS="x")
    assert missing.returncode != 0 and "SECRET_KEY_FILE" in missing.stderr


@pytest.mark.django_db
def test_healthz_answers_ok_with_database_and_cache(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": True, "cache": True}}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_names_a_failed_cache_without_secrets(client):
    broken = {
        "default": {
            "BACKEND": REDIS_BACKEND,
            "LOCATION": "redis://:secretpassword@127.0.0.1:1/0",
        }
    }
    with override_settings(CACHES=broken):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]
    assert "secretpassword" not in response.content.decode()


@pytest.mark.django_db
def test_healthz_names_a_failed_database(client, monkeypatch):
    from django.db import OperationalError

    from newsroom import health

    class Unreachable:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(health, "connection", Unreachable())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["failed"] == ["database"]


@pytest.mark.django_db
def test_every_response_has_a_request_id_that_reaches_the_logs(client, caplog):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc123-from-the-proxy")
    assert response["X-Request-ID"] == "abc123-from-the-proxy"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")
    assert forged["X-Request-ID"] != "<script>" and len(forged["X-Request-ID"]) == 32
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/no-such-section/")
    record = next(r for r in caplog.records if r.name == "django.request")
    from newsroom.request_id import RequestIdFilter

    RequestIdFilter().filter(record)
    assert record.request_id  # the filter always gives one ("-" outside a request)


@pytest.mark.django_db(transaction=True)
def test_a_database_outage_gives_readers_a_503_page_and_the_site_recovers(client, monkeypatch):
    from django.db import OperationalError
    from django.db.backends.utils import CursorWrapper

    from .factories import make_article

    article = make_article(headline="Back after the outage")
    real_execute = CursorWrapper.execute

    def refuse(self, sql, params=None):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 503
    assert "cannot reach its database" in response.content.decode()
    assert "Traceback" not in response.content.decode() and response["Retry-After"] == "30"
    monkeypatch.setattr(CursorWrapper, "execute", real_execute)
    recovered = client.get(article.get_absolute_url())
    assert recovered.status_code == 200 and "Back after the outage" in recovered.content.decode()


def test_a_worker_freezes_what_it_loaded_so_full_collections_skip_it():
    import gc
    import importlib

    import newsroom.wsgi

    gc.unfreeze()
    try:
        importlib.reload(newsroom.wsgi)
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
