"""`manage.py bench_import`: how long importing a big WordPress export takes, in how much memory.

Writes a synthetic WXR file (importers.synthetic_wxr), then, in child processes on a fresh
bench database (its name must contain "bench", as `manage.py bench` requires), migrates and runs
`import_wordpress` on it as an operator would, timing the import alone and reading the child's
peak memory (its maximum resident set) from the kernel. A second import of the same file, which
must change nothing, is timed too.
"""

import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devtools.benchmark import database
from devtools.benchmark.children import production_env


class Command(BaseCommand):
    help = (
        "Benchmark importing a synthetic WordPress export of --posts posts (default 10,000) "
        "into a fresh bench database; prints the time, the rate and the peak memory."
    )

    def add_arguments(self, parser):
        parser.add_argument("--posts", type=int, default=10_000)
        parser.add_argument(
            "--database",
            help="as for `manage.py bench`: default newsroom_bench on DATABASE_URL's "
            "PostgreSQL server, else var/bench.sqlite3",
        )
        parser.add_argument("--output", help="also write the figures to this Markdown file")

    def handle(self, *args, posts, database, output, **options):
        if not 1 <= posts <= 200_000:
            raise CommandError("--posts must be 1 to 200000")
        from importers.synthetic_wxr import write_wxr

        try:
            db = database_for(database)
        except database.BenchDatabaseError as exc:
            raise CommandError(str(exc)) from None
        with tempfile.TemporaryDirectory(prefix="newsroom-bench-import-") as folder:
            temp = Path(folder)
            export = temp / "export.xml"
            began = time.perf_counter()
            write_wxr(export, posts=posts)
            self.stderr.write(
                f"wrote {export.stat().st_size / 1024**2:,.1f} MB in "
                f"{time.perf_counter() - began:.1f} s"
            )
            db.create_fresh()
            env = production_env(
                secret=secrets.token_urlsafe(50),
                database_url=db.url,
                temp=temp,
                allowed_hosts="127.0.0.1",
            )
            self.manage(["migrate", "--noinput"], env)
            first = self.timed_import(export, env)
            again = self.timed_import(export, env)
        lines = [
            f"Importing a synthetic WordPress export of {posts:,} posts "
            f"({first['mb']:,.1f} MB) into {db.server_version()}:",
            "",
            "| run | seconds | posts/s | peak memory (max RSS) |",
            "|---|---:|---:|---:|",
            row("first import", first, posts),
            row("same file again (changes nothing)", again, posts),
        ]
        for line in lines:
            self.stdout.write(line)
        if output:
            Path(output).write_text("# Import benchmark\n\n" + "\n".join(lines) + "\n")

    def timed_import(self, export, env):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        began = time.perf_counter()
        result = self.manage(["import_wordpress", str(export), "--no-download"], env)
        seconds = time.perf_counter() - began
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        self.stderr.write(result.stdout[-2000:])
        return {
            "seconds": seconds,
            # The largest child so far: the import, unless the migration was larger.
            "peak_mb": max(peak_kb, before) / 1024,
            "mb": export.stat().st_size / 1024**2,
        }

    def manage(self, arguments, env):
        command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *arguments]
        result = subprocess.run(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=1800,
            check=False,
        )
        if result.returncode != 0:
            raise CommandError(
                f"manage.py {' '.join(arguments[:2])} failed:\n{result.stderr[-3000:]}"
            )
        return result


def database_for(option):
    import os

    return database.resolve(option, os.environ.get("DATABASE_URL"), settings.BASE_DIR)


def row(name, figures, posts):
    return (
        f"| {name} | {figures['seconds']:,.1f} | {posts / figures['seconds']:,.0f} | "
        f"{figures['peak_mb']:,.0f} MB |"
    )
