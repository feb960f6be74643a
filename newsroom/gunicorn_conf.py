"""Gunicorn settings for Newsroom: `gunicorn -c newsroom/gunicorn_conf.py newsroom.wsgi`.

Everything a deployment usually changes comes from the environment:

| variable | default | meaning |
|---|---|---|
| `GUNICORN_BIND` | `127.0.0.1:8000` | address to listen on (a reverse proxy sits in front) |
| `WEB_CONCURRENCY` | 2 × CPUs + 1, at most 8 | number of sync worker processes |
| `GUNICORN_TIMEOUT` | `30` | seconds a request may take before its worker is killed and replaced |
| `GUNICORN_GRACEFUL_TIMEOUT` | `30` | seconds workers get to finish requests on restart or stop |
| `GUNICORN_KEEPALIVE` | `5` | idle keep-alive seconds (sync workers close after each response) |
| `GUNICORN_MAX_REQUESTS` | `0` (never) | recycle a worker after this many requests |
| `GUNICORN_MAX_REQUESTS_JITTER` | `0` | random extra requests before recycling (staggers them) |
| `GUNICORN_ACCESS_LOG` | `-` (stdout) | access log file; empty turns it off |
| `LOG_LEVEL` | `info` | gunicorn's error log level (errors go to stderr) |

Worker recycling is off by default so that a memory leak shows up (and is fixed) instead of being
hidden by restarts; turn it on with GUNICORN_MAX_REQUESTS if a deployment needs a safety net.
"""

import os


def _int(name, default):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"gunicorn_conf: {name} must be an integer, got {raw!r}") from None


def default_workers(cpus=None, cap=8):
    """2 × CPUs + 1 sync workers (gunicorn's rule of thumb), capped: past a point more processes
    only add memory and database connections."""
    cpus = cpus or os.cpu_count() or 1
    return max(2, min(2 * cpus + 1, cap))


wsgi_app = "newsroom.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND", "").strip() or "127.0.0.1:8000"]
worker_class = "sync"
workers = _int("WEB_CONCURRENCY", default_workers())
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 0)

# Heartbeat files in memory rather than on a possibly slow or full disk.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# One line per request on stdout: client, request line, status, bytes, milliseconds, user agent.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-").strip() or None
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").strip().lower() or "info"
proc_name = "newsroom"
