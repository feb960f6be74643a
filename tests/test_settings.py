"""Settings from the environment: safe defaults, and a clear word when something is missing."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        check=False,
    )


def test_production_without_secret_key_refuses_to_start_naming_the_variable():
    result = manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "env,variable",
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DEBUG": "1", "CONN_MAX_AGE": "forever"}, "CONN_MAX_AGE"),
        ({"DEBUG": "1", "DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL"),
        ({"DEBUG": "1", "LOG_LEVEL": "loud"}, "LOG_LEVEL"),
    ],
)
def test_bad_values_are_named(env, variable):
    result = manage("check", **env)
    assert result.returncode != 0
    assert variable in result.stderr
    assert "Traceback" not in result.stderr


def test_production_with_a_secret_key_passes_the_system_checks(tmp_path):
    result = manage(
        "check",
        SECRET_KEY="kV3-pL9_zQ7xW2mN8rT4yB6cD1fG5hJ0sA-eU3iO7uY9tR2wE5qZ8",
        ALLOWED_HOSTS="news.example.org",
        NEWSROOM_BASE_URL="https://news.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
    )
    assert result.returncode == 0, result.stderr


def test_production_without_a_base_url_refuses_to_start_naming_the_variable(tmp_path):
    result = manage(
        "check",
        SECRET_KEY="kV3-pL9_zQ7xW2mN8rT4yB6cD1fG5hJ0sA-eU3iO7uY9tR2wE5qZ8",
        ALLOWED_HOSTS="news.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
    )
    assert result.returncode != 0
    assert "NEWSROOM_BASE_URL" in result.stderr and "https://news.example.org" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_development_falls_back_to_the_local_address(tmp_path):
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.NEWSROOM_BASE_URL)",
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
    )
    assert result.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8000", result.stderr


def database_options(**env):
    script = "print(settings.DATABASES['default'].get('OPTIONS', {}).get('pool'))"
    return manage(
        "shell", "--no-imports", "-c", f"from django.conf import settings; {script}", **env
    )


@pytest.mark.parametrize(
    "switch,pool", [({}, "None"), ({"DATABASE_POOL": "1"}, "{'min_size': 1, 'max_size': 4}")]
)
def test_the_connection_pool_is_off_for_postgresql_unless_turned_on(switch, pool):
    result = database_options(
        DEBUG="1", DATABASE_URL="postgres://nobody@127.0.0.1:1/none", **switch
    )
    assert result.stdout.strip() == pool, result.stderr


@pytest.mark.parametrize(
    "env,variable",
    [
        (
            {"DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", "CONN_MAX_AGE": "60"},
            "CONN_MAX_AGE",
        ),
        ({}, "PostgreSQL"),  # the SQLite default has no pool
    ],
)
def test_a_pool_that_cannot_work_is_refused_naming_why(env, variable):
    result = database_options(DEBUG="1", DATABASE_POOL="1", **env)
    assert result.returncode != 0
    assert "DATABASE_POOL" in result.stderr and variable in result.stderr
    assert "Traceback" not in result.stderr


def test_log_level_is_read_in_any_case_as_gunicorn_reads_it(tmp_path):
    result = manage("check", DEBUG="1", LOG_LEVEL="warning")
    assert result.returncode == 0, result.stderr


def test_defaults_are_safe(settings):
    from newsroom import settings as project

    assert project.USE_TZ is True
    assert project.DEBUG is False  # the test run sets no DEBUG
    assert project.ALLOWED_HOSTS == []
    assert project.DATABASES["default"]["ENGINE"] in {
        "django.db.backends.sqlite3",
        "django.db.backends.postgresql",
    }
