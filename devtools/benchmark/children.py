"""The environment of the processes a measurement starts (migrations, fills, gunicorn): the
production profile on the loopback, and nothing inherited that would change what is measured.
Shared by `manage.py bench` and `manage.py loadtest`."""

import os

# Environment variables that would change what is measured: every child gets its own.
CLEARED_PREFIXES = ("NEWSROOM_", "GUNICORN_", "SECURE_")
CLEARED = {
    "DATABASE_URL",
    "REDIS_URL",
    "CACHE_KEY_PREFIX",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "CONN_MAX_AGE",
    "WEB_CONCURRENCY",
    "DJANGO_SETTINGS_MODULE",
    "LOG_LEVEL",
    "HTTPS",
    "BEHIND_PROXY",
}


def production_env(*, secret, database_url, temp, allowed_hosts, **extra):
    """os.environ without what CLEARED names, plus the production profile on plain HTTP, files
    under `temp`, and `extra` (values as strings)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in CLEARED and not key.startswith(CLEARED_PREFIXES)
    }
    return env | {
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "0",
        # Plain HTTP on the loopback: no redirect to https:// (the settings' local switch).
        "HTTPS": "0",
        "SECRET_KEY": secret,
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "600",
        "ALLOWED_HOSTS": allowed_hosts,
        # Production refuses to start without it; a child serving pages is given its own port.
        "NEWSROOM_BASE_URL": f"http://{allowed_hosts.split(',')[0]}",
        "MEDIA_ROOT": str(temp / "media"),
        "STATIC_ROOT": str(temp / "static"),
        # Without Redis, the shared file cache: its own, so no page of another database is served.
        "NEWSROOM_CACHE_DIR": str(temp / "cache"),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
