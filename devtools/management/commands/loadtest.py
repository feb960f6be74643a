"""`manage.py loadtest`: the public site under load and faults, on PostgreSQL with Redis.

Makes a fresh PostgreSQL database of its own (never the project's), fills it with synthetic
articles plus stories waiting in review, and serves it with gunicorn in the production profile
through a TCP proxy to PostgreSQL and a private Redis. Then:

1. readers (a weighted mix of pages) on `--connections` connections for `--seconds`, while a
   moderator publishes and corrects stories through the admin; each publication must reach
   readers within the page cache's lifetime;
2. Redis killed under load and started again: pages keep coming from the database, and cache
   hits come back by themselves;
3. the database cut off for `--outage-seconds`: readers get cached pages or our 503 page, never
   a 500, and everything answers again once it is back, without a restart.

Prints a Markdown report (`--report PATH` writes it too) and fails if any requirement is not met.
"""

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devtools.benchmark import children, database, loadgen, server
from devtools.loadtest import content, faults, phases, report, traffic
from newsroom.gunicorn_conf import default_workers

DEFAULT_NAME = "newsroom_loadtest"
PASSWORD_VARIABLE = "LOADTEST_MODERATOR_PASSWORD"


def pg_database(name, env_url):
    """The load test's database on the PostgreSQL server of DATABASE_URL."""
    if urlsplit(env_url).scheme not in database.PG_SCHEMES:
        raise CommandError(
            "the load test needs PostgreSQL: set DATABASE_URL to a postgres:// URL (its server "
            f"gets a fresh `{DEFAULT_NAME}` database; the database it names is not touched)"
        )
    if "loadtest" not in name:
        raise CommandError(
            f"refusing {name!r}: the load test drops its database, so the name "
            "must contain 'loadtest'"
        )
    url = urlunsplit(urlsplit(env_url)._replace(path=f"/{name}"))
    return database.BenchDatabase("postgresql", url, name)


def through(url, port):
    """`url` with its host and port replaced by the proxy's."""
    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@{server.HOST}:{port}" if userinfo else f"{server.HOST}:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


class Interrupted(Exception):
    pass


def _terminate(signum, frame):
    raise Interrupted(f"stopped by signal {signum}")


def drop(db):
    import psycopg
    from psycopg import sql

    maintenance = urlunsplit(urlsplit(db.url)._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=10) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db.name))
        )


class Command(BaseCommand):
    help = (
        "Load-test the public site under gunicorn on a fresh PostgreSQL database while a "
        "moderator publishes, then with Redis killed and with the database cut off."
    )
    # The children run the checks; this process never touches the project's own database.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=60, help="main run (default 60)")
        parser.add_argument("--connections", type=int, default=64, help="readers (default 64)")
        parser.add_argument(
            "--articles", type=int, default=2000, help="synthetic articles (default 2000)"
        )
        parser.add_argument(
            "--workers", type=int, default=default_workers(), help="gunicorn sync workers"
        )
        parser.add_argument(
            "--cache-seconds",
            type=int,
            default=300,
            help="NEWSROOM_PAGE_CACHE_SECONDS for the server (default 300): publications must "
            "reach readers within it",
        )
        parser.add_argument(
            "--publish-every", type=float, default=4, help="seconds between moderator actions"
        )
        parser.add_argument(
            "--fault-seconds",
            type=float,
            default=30,
            help="traffic per fault phase, before, during and after the fault (default 30)",
        )
        parser.add_argument(
            "--outage-seconds", type=float, default=5, help="database cut length (default 5)"
        )
        parser.add_argument(
            "--warmup-seconds", type=float, default=5, help="unjudged load first (default 5)"
        )
        parser.add_argument(
            "--database-name",
            default=DEFAULT_NAME,
            help=f"made fresh on DATABASE_URL's server, dropped after (default {DEFAULT_NAME})",
        )
        parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
        parser.add_argument("--report", help="also write the Markdown report to this file")
        # Internal: the child that fills the database.
        parser.add_argument("--phase", choices=["fill"], help=argparse.SUPPRESS)
        parser.add_argument("--phase-output", help=argparse.SUPPRESS)
        parser.add_argument("--stories", type=int, help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["phase"]:
            return self.fill(options)
        checks = [
            (options["seconds"] > 0, "--seconds must be more than 0"),
            (1 <= options["connections"] <= 256, "--connections must be 1 to 256"),
            (10 <= options["articles"] <= 100_000, "--articles must be 10 to 100000"),
            (1 <= options["workers"] <= 32, "--workers must be 1 to 32"),
            (options["cache_seconds"] >= 1, "--cache-seconds must be at least 1"),
            (options["publish_every"] > 0, "--publish-every must be more than 0"),
            (options["fault_seconds"] >= 1.5, "--fault-seconds must be at least 1.5"),
            (options["outage_seconds"] > 0, "--outage-seconds must be more than 0"),
        ]
        for ok, message in checks:
            if not ok:
                raise CommandError(message)
        db = pg_database(options["database_name"], os.environ.get("DATABASE_URL", ""))
        previous = signal.signal(signal.SIGTERM, _terminate)
        self.temp = Path(tempfile.mkdtemp(prefix="newsroom-loadtest-"))
        self.started = time.monotonic()
        try:
            text, ok = self.run(db, options)
        except (KeyboardInterrupt, Interrupted) as exc:
            raise CommandError(f"load test interrupted ({exc or 'Ctrl-C'})") from None
        except (server.ServerError, faults.FaultError) as exc:
            raise CommandError(str(exc)) from None
        finally:
            if not options["keep"]:
                with contextlib.suppress(Exception):
                    drop(db)
            shutil.rmtree(self.temp, ignore_errors=True)
            signal.signal(signal.SIGTERM, previous)
        self.stdout.write("\n" + text)
        if options["report"]:
            Path(options["report"]).write_text(text)
        if not ok:
            raise CommandError("the load test failed: see the requirements above")

    def log(self, message):
        self.stdout.write(f"==> {message} ({time.monotonic() - self.started:.0f}s)")
        self.stdout.flush()

    # Setting up.

    def run(self, db, options):
        started_at = datetime.now(UTC)
        load_before = os.getloadavg()
        stories = int(options["seconds"] / options["publish_every"]) + 2
        password = secrets.token_urlsafe(24)
        self.secret = secrets.token_urlsafe(50)
        (self.temp / "media").mkdir()
        self.log(f"fresh database: {db.label}")
        try:
            db.create_fresh()
        except Exception as exc:  # noqa: BLE001 (psycopg's errors, said plainly)
            raise CommandError(f"could not create {db.label}: {exc}") from None
        self.manage(self.env(db.url), ["migrate", "--noinput"], timeout=600)
        self.log(f"fill: {options['articles']:,} articles and {stories} stories in review")
        output = self.temp / "fill.json"
        self.manage(
            self.env(db.url) | {PASSWORD_VARIABLE: password, "NEWSROOM_DEVTOOLS": "1"},
            [
                "loadtest",
                *("--phase", "fill", "--phase-output", str(output)),
                *("--articles", str(options["articles"]), "--stories", str(stories)),
            ],
            timeout=600,
        )
        filled = json.loads(output.read_text())
        db.analyze()
        self.manage(self.env(db.url), ["collectstatic", "--noinput"], timeout=600)

        redis = faults.PrivateRedis(log_path=self.temp / "redis.log")
        upstream = urlsplit(db.url)
        try:
            redis.start()
            with (
                faults.TcpProxy((upstream.hostname or server.HOST, upstream.port or 5432)) as proxy,
                self.gunicorn(db, redis, proxy, options) as gunicorn,
            ):
                gunicorn.wait_ready("/robots.txt")
                target = phases.Target(
                    port=gunicorn.port,
                    gunicorn=gunicorn,
                    redis=redis,
                    proxy=proxy,
                    mix=traffic.reader_mix(filled["urls"]),
                    hot=filled["urls"]["hot"][0],
                    stories=filled["stories"],
                    moderator=(filled["moderator"], password),
                    admin=filled["admin"],
                    connections=options["connections"],
                    seconds=options["seconds"],
                    fault_seconds=options["fault_seconds"],
                    outage_seconds=options["outage_seconds"],
                    cache_seconds=options["cache_seconds"],
                    publish_every=options["publish_every"],
                    log=self.log,
                )
                segments, verdicts, actions = self.phases(target, options)
                gunicorn.stop()
        finally:
            redis.kill()
        facts = {
            "started": started_at.strftime("%Y-%m-%d %H:%M UTC"),
            "duration": f"{time.monotonic() - self.started:.0f} s, set-up included",
            "database": f"{db.label} ({db.server_version()}), {filled['articles']:,} articles, "
            f"{stories} stories in review; gunicorn reaches it through a TCP proxy",
            "cache": f"a private {redis.version or 'Redis'} on port {redis.port}; "
            f"page cache lifetime {options['cache_seconds']} s",
            "server": f"gunicorn, {options['workers']} sync workers, production settings "
            "(DEBUG=0, CONN_MAX_AGE=600)",
            "readers": f"{options['connections']} keep-alive connections (bundled Python client, "
            f"{loadgen.REQUEST_TIMEOUT} s timeout per request), {len(set(target.mix)):,} URLs "
            f"weighted {', '.join(f'{k} {v}%' for k, v in traffic.WEIGHTS.items())}",
            "moderator": f"one editor through the admin, an action every "
            f"{options['publish_every']:g} s",
            "machine": f"{os.cpu_count()} CPUs, load average {load_before[0]:.2f} before, "
            f"{os.getloadavg()[0]:.2f} after (the machine is shared)",
        }
        text = report.render(segments=segments, verdicts=verdicts, actions=actions, facts=facts)
        return text, report.passed(verdicts)

    def phases(self, target, options):
        master, workers = target.gunicorn.process.pid, target.gunicorn.worker_pids()
        segments, verdicts, actions = [], [], []
        if options["warmup_seconds"]:
            self.log(f"warm-up: {options['warmup_seconds']:g} s")
            warm = target.load(options["warmup_seconds"])
            segments.append(report.Segment("warm-up", "readers", warm, judged=False))
        self.log(f"main run: {options['connections']} readers for {options['seconds']:g} s")
        found, checked, actions = phases.main_run(target)
        segments += found
        verdicts += checked
        for name, phase in (("Redis", phases.redis_fault), ("database", phases.database_fault)):
            self.log(f"{name} fault: {options['fault_seconds']:g} s of readers")
            found, checked = phase(target)
            segments += found
            verdicts += checked
        verdicts.append(phases.server_survived(target, master, workers))
        return segments, verdicts, actions

    # Children.

    def env(self, database_url, **extra):
        return children.production_env(
            secret=self.secret,
            database_url=database_url,
            temp=self.temp,
            allowed_hosts=server.HOST,
            **extra,
        )

    def gunicorn(self, db, redis, proxy, options):
        port = server.free_port()
        env = self.env(
            through(db.url, proxy.port),
            REDIS_URL=redis.url,
            CACHE_KEY_PREFIX="newsroom-loadtest",
            NEWSROOM_PAGE_CACHE_SECONDS=str(options["cache_seconds"]),
            NEWSROOM_BASE_URL=f"http://{server.HOST}:{port}",
            GUNICORN_ACCESS_LOG="",
        )
        return server.Gunicorn(
            env=env,
            workers=options["workers"],
            log_path=self.temp / "gunicorn.log",
            cwd=settings.BASE_DIR,
            port=port,
        )

    def manage(self, env, arguments, *, timeout):
        command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *arguments]
        try:
            result = subprocess.run(
                command,
                cwd=settings.BASE_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise CommandError(f"manage.py {arguments[0]} took more than {timeout} s") from None
        if result.returncode != 0:
            output = (result.stdout + result.stderr)[-4000:]
            raise CommandError(f"manage.py {arguments[0]} failed ({result.returncode}):\n{output}")

    def fill(self, options):
        """In the child: fill the load test database this process is pointed at."""
        from django.db import connection

        name = str(connection.settings_dict.get("NAME") or "")
        if "loadtest" not in name:
            raise CommandError(f"--phase runs only against a load test database, not {name!r}")
        data = content.fill(
            articles=options["articles"],
            stories=options["stories"],
            password=os.environ[PASSWORD_VARIABLE],
            log=lambda message: None,
        )
        Path(options["phase_output"]).write_text(json.dumps(data))
