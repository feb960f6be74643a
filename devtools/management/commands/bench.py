"""`manage.py bench`: how fast the public site is under gunicorn, on a database of realistic size.

Makes a fresh benchmark database (never the project's), fills it with synthetic articles, serves
it with gunicorn in the production profile on a free loopback port, loads every kind of public
page with wrk (or a bundled Python client) in three modes (every cache off, fragments cached,
page cache on), measures the Wagtail peer (../shared/peer-wagtail/run.sh) just before and just
after, and writes the results, the setup and the targets met or missed to docs/benchmarks.md,
with the same results as JSON beside it for a later run's "Before" section (--before).

`--smoke` is the tiny version CI runs (200 articles, 0.5 s per page): it proves every page works
under load and the report is written, in about a minute.
"""

import argparse
import contextlib
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import django
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devtools import synthetic
from devtools.benchmark import (
    MODES,
    PAGES,
    children,
    database,
    loadgen,
    mode_environment,
    peer,
    previous,
    report,
    server,
    targets,
)

REDIS_URL = "redis://127.0.0.1:6379/14"
MAX_ARTICLES = 100_000
SMOKE = {"articles": 200, "seconds": 0.5, "connections": 4, "renders": 20, "memory_requests": 100}
FULL = {"articles": 10_000, "seconds": 10.0, "connections": 16, "renders": 200}


def load_average():
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


class Interrupted(Exception):
    pass


def _terminate(signum, frame):
    raise Interrupted(f"stopped by signal {signum}")


class Command(BaseCommand):
    help = (
        "Benchmark the public site under gunicorn on a fresh database of synthetic articles "
        "(every cache off, fragments cached, page cache on) beside the Wagtail peer, plus "
        "query counts, search at scale, the admin changelist and worker memory; writes "
        "docs/benchmarks.md."
    )
    # The children run the checks; this process never touches the project's own database.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--articles",
            type=int,
            help=f"synthetic articles to benchmark with (default 10000, at most {MAX_ARTICLES})",
        )
        parser.add_argument(
            "--seconds", type=float, help="load per page per mode, in seconds (default 10)"
        )
        parser.add_argument("--connections", type=int, help="concurrent connections (default 16)")
        parser.add_argument(
            "--workers", type=int, default=2, help="gunicorn sync workers (default 2)"
        )
        parser.add_argument(
            "--database",
            help="a postgres:// or sqlite:/// URL, or a SQLite file path; its name must contain "
            "'bench'. Default: newsroom_bench on the PostgreSQL server of DATABASE_URL, else "
            "var/bench.sqlite3. Always dropped and created fresh (unless --keep).",
        )
        parser.add_argument(
            "--keep",
            action="store_true",
            help="reuse the bench database if it already holds exactly --articles articles",
        )
        parser.add_argument("--output", default="docs/benchmarks.md", help="the report to write")
        parser.add_argument(
            "--smoke",
            action="store_true",
            help="tiny and quick (200 articles, 0.5 s per page, 4 connections): what CI runs",
        )
        parser.add_argument(
            "--load-generator",
            choices=["auto", "wrk", "python"],
            default="auto",
            help="wrk if installed (auto), or the bundled Python client",
        )
        parser.add_argument(
            "--memory-requests",
            type=int,
            help="requests between the two worker memory readings (default 20000; smoke 100)",
        )
        parser.add_argument(
            "--renders", type=int, help="in-process renders per page and mode (default 200)"
        )
        parser.add_argument(
            "--peer",
            metavar="DIR",
            help="the Wagtail peer's folder (with run.sh), measured before and after our load. "
            f"Default: {peer.PEER_FOLDER} beside the project or above it, when setup.sh has "
            "been run (not in smoke runs unless given)",
        )
        parser.add_argument(
            "--no-peer", action="store_true", help="do not measure the Wagtail peer"
        )
        parser.add_argument(
            "--database-pool",
            action="store_true",
            help="serve with Django's psycopg pool (DATABASE_POOL=1, CONN_MAX_AGE=0) instead of "
            "persistent connections (CONN_MAX_AGE=600); PostgreSQL only",
        )
        parser.add_argument(
            "--before",
            metavar="PATH",
            help="an earlier run's results (its .json, or an older bench's .md report), shown "
            "beside this run's in a 'Before' section",
        )
        # Internal: what a child process does against the bench database.
        parser.add_argument(
            "--phase", choices=["fill", "images", "measure"], help=argparse.SUPPRESS
        )
        parser.add_argument("--phase-output", help=argparse.SUPPRESS)
        parser.add_argument("--time-cap", type=float, default=30.0, help=argparse.SUPPRESS)

    # Entry.

    def handle(self, *args, **options):
        if options["phase"]:
            return self.run_phase(options)
        config = self.configure(options)
        if config["smoke"]:
            self.idle_window = 0.15
        previous = signal.signal(signal.SIGTERM, _terminate)
        self.temp = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
        self.redis = None
        try:
            results = self.run(config)
        except (KeyboardInterrupt, Interrupted) as exc:
            raise CommandError(
                f"benchmark interrupted ({exc or 'Ctrl-C'}); server stopped"
            ) from None
        finally:
            if self.redis is not None:
                with contextlib.suppress(Exception):
                    self.redis.flushdb()
            shutil.rmtree(self.temp, ignore_errors=True)
            signal.signal(signal.SIGTERM, previous)
        return results

    def configure(self, options):
        preset = SMOKE if options["smoke"] else FULL
        config = {
            key: options.get(key) if options.get(key) is not None else preset.get(key)
            for key in ("articles", "seconds", "connections", "renders", "memory_requests")
        }
        if config["memory_requests"] is None:
            config["memory_requests"] = 20_000
        config.update(
            workers=options["workers"],
            smoke=options["smoke"],
            keep=options["keep"],
            output=Path(options["output"]),
            time_cap=5.0 if options["smoke"] else options["time_cap"],
            database_pool=options["database_pool"],
        )
        checks = [
            (1 <= config["articles"] <= MAX_ARTICLES, f"--articles must be 1 to {MAX_ARTICLES}"),
            (0 < config["seconds"] <= 300, "--seconds must be more than 0 and at most 300"),
            (1 <= config["connections"] <= 256, "--connections must be 1 to 256"),
            (1 <= config["workers"] <= 32, "--workers must be 1 to 32"),
            (1 <= config["renders"] <= 10_000, "--renders must be 1 to 10000"),
            (0 <= config["memory_requests"] <= 1_000_000, "--memory-requests must be 0 to 1000000"),
        ]
        for ok, message in checks:
            if not ok:
                raise CommandError(message)
        wrk = loadgen.wrk_path()
        tool = options["load_generator"]
        if tool == "wrk" and not wrk:
            raise CommandError("--load-generator wrk: wrk is not installed (apt-get install wrk)")
        config["tool"] = "wrk" if tool == "wrk" or (tool == "auto" and wrk) else "python"
        try:
            config["db"] = database.resolve(
                options["database"], os.environ.get("DATABASE_URL", ""), settings.BASE_DIR
            )
        except database.BenchDatabaseError as exc:
            raise CommandError(str(exc)) from None
        if config["database_pool"] and config["db"].vendor != "postgresql":
            raise CommandError("--database-pool: Django's connection pool is PostgreSQL's only")
        config["peer"], config["peer_reason"] = self.configure_peer(options)
        config["before"] = None
        if options["before"]:
            try:
                config["before"] = previous.load(options["before"])
            except previous.PreviousRunError as exc:
                raise CommandError(f"--before: {exc}") from None
        return config

    def configure_peer(self, options):
        """(the peer's folder, or None and why it will not be measured)."""
        if options["no_peer"]:
            return None, "skipped (--no-peer)"
        if options["peer"]:
            folder = Path(options["peer"]).expanduser().resolve()
            if not (folder / "run.sh").is_file():
                raise CommandError(f"--peer {options['peer']}: no run.sh there")
            why = peer.missing(folder)
            if why:
                raise CommandError(f"--peer {options['peer']}: {why}")
            return folder, ""
        if options["smoke"]:
            return None, "the smoke run does not measure it (--peer DIR makes it)"
        folder = peer.find(settings.BASE_DIR)
        why = peer.missing(folder)
        return (None, f"the peer is not set up: {why}") if why else (folder, "")

    def log(self, message):
        self.stdout.write(message)
        self.stdout.flush()

    def step(self, message):
        self.log(f"==> {message} ({time.monotonic() - self.started:.0f}s)")

    # The run.

    def run(self, config):
        from articles.models import Article

        self.started = time.monotonic()
        load_before = load_average()
        started_at = datetime.now(UTC)
        db = config["db"]
        self.secret = secrets.token_urlsafe(50)
        (self.temp / "media").mkdir()
        self.redis = server.redis_client(REDIS_URL)
        steps = {}
        images = fill = None

        def timed(name, function, *args, **kwargs):
            began = time.monotonic()
            value = function(*args, **kwargs)
            steps[name] = round(time.monotonic() - began, 1)
            return value

        self.step(f"bench database: {db.label}")
        existing = db.count_rows(Article._meta.db_table) if config["keep"] else None
        # A kept database holds the archive and the desk's pieces beside it.
        kept = existing == config["articles"] + synthetic.desk_size(config["articles"])
        if config["keep"] and not kept:
            self.log(
                f"  it holds {existing if existing is not None else 'no'} articles, "
                f"not {config['articles']}: making it again"
            )
        if not kept:
            try:
                timed("create database", db.create_fresh)
            except Exception as exc:  # noqa: BLE001 (psycopg or file errors, said plainly)
                raise CommandError(f"could not create {db.label}: {exc}") from None
        self.step("migrate")
        timed("migrate", self.manage, db, ["migrate", "--noinput"], timeout=900, quiet=True)
        # Before the fill, which renders pages (query counts at a smaller archive size).
        self.step("collectstatic")
        timed(
            "collectstatic",
            self.manage,
            db,
            ["collectstatic", "--noinput"],
            timeout=600,
            quiet=True,
        )
        if kept:
            self.step(f"reusing {existing:,} articles; making the hero images again")
            images = timed("images", self.phase, db, "images", config)
            if not images["matches_database"]:
                self.log("  warning: the kept database names images this run did not make")
        else:
            self.step(f"fill: {config['articles']:,} synthetic articles")
            fill = timed(
                "fill",
                self.phase,
                db,
                "fill",
                config,
                timeout=300 + config["articles"] * 0.05,
            )
        self.step("VACUUM ANALYZE" if db.vendor == "postgresql" else "ANALYZE")
        timed("analyze", db.analyze)

        self.step("in-process: query counts and render timings")
        if self.redis is not None:
            self.redis.flushdb()
        measured = timed(
            "in-process",
            self.phase,
            db,
            "measure",
            config,
            timeout=len(PAGES) * len(MODES) * (config["time_cap"] + 30) + 600,
        )
        pages, rotation = measured["pages"], measured["rotation"]

        peer_runs = []
        if config["peer"]:
            peer_runs.append(timed("peer before", self.run_peer, config, "before"))
        load, memory = {}, None
        for mode in MODES:
            self.step(f"gunicorn, {mode}: {config['tool']}, {len(pages)} pages")
            load[mode], found = timed(
                f"load {mode}", self.load_mode, mode, config, db, pages, rotation
            )
            memory = memory or found
        if config["peer"]:
            peer_runs.append(timed("peer after", self.run_peer, config, "after"))

        results = {
            "started": started_at.strftime("%Y-%m-%d %H:%M UTC"),
            "duration_s": time.monotonic() - self.started,
            "steps": steps,
            "options": {
                key: config[key]
                for key in (
                    "articles",
                    "seconds",
                    "connections",
                    "workers",
                    "renders",
                    "smoke",
                    "database_pool",
                )
            },
            "machine": {
                **report.machine(),
                "load_before": load_before,
                "load_after": load_average(),
            },
            "versions": self.versions(db),
            "database": db.label,
            "kept": kept,
            "articles": measured["inprocess"]["articles"],
            "images": (fill or images)["images"],
            "fill": fill,
            "cache": self.cache_label(),
            "load_generator": loadgen.wrk_version()
            if config["tool"] == "wrk"
            else "the bundled Python client (`devtools/benchmark/loadgen.py`: one thread and "
            "one keep-alive `http.client` connection per connection)",
            "urls": pages,
            "load": load,
            "inprocess": measured["inprocess"],
            "memory": memory,
            "peer": {
                "dir": str(config["peer"] or ""),
                "reason": config["peer_reason"],
                "runs": peer_runs,
            },
        }
        results["checks"] = targets.check(results)
        text = report.render(results, results["checks"], before=config["before"])
        text += "\n## Run steps\n\n" + ", ".join(f"{k} {v:,.1f} s" for k, v in steps.items())
        text += f"; total {results['duration_s']:,.0f} s.\n"
        output = config["output"]
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text)
        # The same results for a later run's "Before" section (--before), raw tool output aside.
        for runs in load.values():
            for run in runs.values():
                run.pop("raw", None)
        output.with_suffix(".json").write_text(json.dumps(results, indent=1) + "\n")
        self.log("")
        self.log(text)
        self.step(f"wrote {output} and {output.with_suffix('.json').name}")
        return None

    def run_peer(self, config, when):
        self.step(f"the Wagtail peer, {when} our load: {config['peer']}/run.sh")
        if self.redis is not None:
            self.redis.flushdb()
        measured = peer.run(config["peer"], self.temp / f"peer-{when}", when=when)
        if "error" in measured:
            self.log(f"  warning: the peer's run failed: {measured['error']}")
        else:
            self.log(
                "  peer: "
                + ", ".join(
                    f"{page} {row['rps']:,.1f} req/s" for page, row in measured["pages"].items()
                )
            )
        return measured

    # Children.

    def child_env(self, db, *, mode="cold", port=None, pool=False):
        env = children.production_env(
            secret=self.secret,
            database_url=db.url,
            temp=self.temp,
            allowed_hosts="127.0.0.1,testserver",
            **mode_environment(mode),
            # Django refuses a pool beside persistent connections: one or the other.
            DATABASE_POOL="1" if pool else "0",
            CONN_MAX_AGE="0" if pool else "600",
            NEWSROOM_BASE_URL=f"http://127.0.0.1:{port or 8000}",
            GUNICORN_ACCESS_LOG="",
            GUNICORN_MAX_REQUESTS="0",
            GUNICORN_MAX_REQUESTS_JITTER="0",
        )
        if self.redis is not None:
            env.update(REDIS_URL=REDIS_URL, CACHE_KEY_PREFIX="newsroom-bench")
        return env

    def manage(self, db, arguments, *, timeout, env=None, quiet=False):
        command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *arguments]
        try:
            result = subprocess.run(
                command,
                cwd=settings.BASE_DIR,
                env=env or self.child_env(db),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE if quiet else None,
                stderr=subprocess.STDOUT if quiet else None,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise CommandError(
                f"manage.py {' '.join(arguments)} took more than {timeout:.0f} s"
            ) from None
        if result.returncode != 0:
            output = f":\n{result.stdout[-4000:]}" if quiet and result.stdout else ""
            raise CommandError(
                f"manage.py {' '.join(arguments[:3])} failed (exit {result.returncode}){output}"
            )
        return result

    def phase(self, db, name, config, *, timeout=900):
        output = self.temp / f"{name}.json"
        arguments = [
            "bench",
            "--phase",
            name,
            "--phase-output",
            str(output),
            "--articles",
            str(config["articles"]),
            "--renders",
            str(config["renders"]),
            "--time-cap",
            str(config["time_cap"]),
        ]
        if config["smoke"]:
            arguments.append("--smoke")
        # The phases are this command's own: the development tools must be installed there.
        # With the server's database settings, so the measure phase can tell whether a pool
        # asked for (--database-pool) is one the settings set up.
        env = self.child_env(db, pool=config["database_pool"]) | {"NEWSROOM_DEVTOOLS": "1"}
        self.manage(db, arguments, timeout=timeout, env=env)
        return json.loads(output.read_text())

    def run_phase(self, options):
        """In the child: fill or measure the bench database this process is pointed at."""
        from django.db import connection

        from devtools.benchmark import inprocess

        name = str(connection.settings_dict.get("NAME") or "")
        if "bench" not in Path(name).name.lower():
            raise CommandError(f"--phase runs only against a bench database, not {name!r}")
        smoke = options["smoke"]
        if options["phase"] == "fill":
            data = inprocess.fill(
                options["articles"], smoke=smoke, log=self.log, count_prefix_queries=True
            )
        elif options["phase"] == "images":
            data = inprocess.restore_images(smoke=smoke)
        else:
            picked = inprocess.pick_urls()
            data = {
                **picked,
                "inprocess": inprocess.measure(
                    picked["pages"],
                    renders=options["renders"],
                    time_cap=options["time_cap"],
                    search=not smoke,
                    changelist_runs=3 if smoke else 10,
                    log=self.log,
                ),
            }
        Path(options["phase_output"]).write_text(json.dumps(data))

    # Load.

    def load_mode(self, mode, config, db, pages, rotation):
        port = server.free_port()
        if self.redis is not None:
            self.redis.flushdb()
        env = self.child_env(db, mode=mode, port=port, pool=config["database_pool"])
        results, memory = {}, None
        with server.Gunicorn(
            env=env,
            workers=config["workers"],
            log_path=self.temp / f"gunicorn-{mode}.log",
            cwd=settings.BASE_DIR,
            port=port,
        ) as gunicorn:
            gunicorn.wait_ready(pages["trivial"])
            self.warm_up(gunicorn, pages, config)
            hits = {}
            for page, path in pages.items():
                status, headers, _ = server.get(port, path, timeout=120)
                if status != 200:
                    self.fail(gunicorn, f"{path} answered {status} after the warm-up")
                hits[page] = headers.get("x-cache") == "hit"
            warmup_rss = gunicorn.worker_rss()
            for page in PAGES:
                path = pages[page]
                try:
                    result = loadgen.measure(
                        port,
                        path,
                        tool=config["tool"],
                        connections=config["connections"],
                        seconds=config["seconds"],
                    )
                except (RuntimeError, ValueError, subprocess.TimeoutExpired) as exc:
                    self.fail(gunicorn, f"load on {path} failed: {exc}")
                drained = self.drain(gunicorn, pages["trivial"])
                results[page] = {**result.as_dict(), "cache_hit": hits[page], "drain_s": drained}
                self.log(
                    f"  {page:8} {mode}: {result.rps:9,.1f} req/s  p50 "
                    f"{report.number(result.p50_ms)} ms  p99 {report.number(result.p99_ms)} ms  "
                    f"errors {result.errors}"
                    + (f"  (server busy {drained:.1f} s after)" if drained > 2 else "")
                )
                if result.errors or not result.requests:
                    self.log(result.raw or str(result.statuses))
            if mode == "cold" and config["memory_requests"]:
                memory = self.memory_test(gunicorn, config, rotation, warmup_rss)
        return results, memory

    # Seconds per sample when waiting for idle workers: short in smoke runs, which must be quick.
    idle_window = 0.5

    def drain(self, gunicorn, path, timeout=300):
        """Wait until requests queued by the last run are served, so none spill into the next
        page's measurement (sync workers finish what they accepted even after wrk has gone).
        Returns how long one request took to come back."""
        began = time.monotonic()
        try:
            server.get(gunicorn.port, path, timeout=timeout)
        except OSError as exc:
            self.fail(gunicorn, f"the server did not recover within {timeout} s: {exc}")
        # One worker can answer while the other still works through queued slow requests.
        left = max(1.0, timeout - (time.monotonic() - began))
        if not gunicorn.wait_idle(left, window=self.idle_window):
            self.fail(gunicorn, f"the server was still busy {timeout} s after the load")
        return time.monotonic() - began

    def warm_up(self, gunicorn, pages, config):
        for path in pages.values():
            status, _, _ = server.get(gunicorn.port, path, timeout=120)
            if status != 200:
                self.fail(gunicorn, f"{path} answered {status}")
        burst = loadgen.run_python(
            gunicorn.port,
            list(pages.values()),
            connections=config["connections"],
            seconds=len(pages) * (0.1 if config["smoke"] else 1.0),
        )
        statuses = {code for code in burst.statuses if code != "failed"}
        if any(not 200 <= int(code) < 400 for code in statuses):
            self.fail(gunicorn, f"error responses during the warm-up: {burst.statuses}")
        if burst.errors:
            # Requests that timed out: a page too slow for this load. Its measurement says so.
            self.log(f"  warning: {burst.errors} requests timed out during the warm-up")
        self.drain(gunicorn, pages["trivial"])

    def memory_test(self, gunicorn, config, rotation, warmup_rss):
        self.log(
            f"  worker memory: {config['memory_requests']:,} requests over {len(rotation)} URLs"
        )
        before = gunicorn.worker_rss()
        run = loadgen.run_python(
            gunicorn.port,
            rotation,
            connections=config["connections"],
            total=config["memory_requests"],
            max_seconds=20 if config["smoke"] else 480,
        )
        after = gunicorn.worker_rss()
        notes = []
        if run.requests < config["memory_requests"]:
            notes.append(
                f"Stopped by the time limit after {run.requests:,} of "
                f"{config['memory_requests']:,} requests."
            )
        if set(before) != set(after):
            notes.append("A worker was replaced during the test (a crash or a timeout).")
        self.log(f"  worker memory before {before} after {after} (KiB)")
        return {
            "requests": run.requests,
            "seconds": run.seconds,
            "errors": run.errors,
            "statuses": run.statuses,
            "urls": len(rotation),
            # JSON-friendly keys; pids as strings would sort oddly, so keep ints here.
            "warmup": warmup_rss,
            "before": before,
            "after": after,
            "note": " ".join(notes),
        }

    def fail(self, gunicorn, message):
        raise CommandError(f"{message}\n--- gunicorn log ---\n{gunicorn.log_tail()}")

    # Facts for the report.

    def versions(self, db):
        try:
            db_version = db.server_version()
        except Exception:  # noqa: BLE001
            db_version = db.vendor
        redis_version = None
        if self.redis is not None:
            try:
                redis_version = "Redis " + self.redis.info("server")["redis_version"]
            except Exception:  # noqa: BLE001
                redis_version = "Redis"
        return {
            "python": platform.python_version(),
            "django": django.get_version(),
            "gunicorn": version("gunicorn"),
            "database": db_version,
            "redis": redis_version,
            "commit": self.commit(),
        }

    def commit(self):
        """The code measured: `git describe` of the checkout ("-dirty" with local changes), so
        that a report and the "Before" of a later one say which code they measured."""
        try:
            found = subprocess.run(
                ["git", "describe", "--always", "--dirty"],
                cwd=settings.BASE_DIR,
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return found.stdout.strip() or None

    def cache_label(self):
        if self.redis is not None:
            return f"Redis ({REDIS_URL}, flushed before each server start)"
        return (
            "files shared by the workers, the embedded default (Redis did not answer at "
            f"{REDIS_URL}); a fresh folder for each run"
        )
