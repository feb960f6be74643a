"""The benchmark's own database: never the project's, always made fresh (unless --keep).

PostgreSQL databases are dropped and created through the server's `postgres` maintenance
database; SQLite files are deleted. As a guard against pointing it at real data, the name (or
file name) must contain "bench".
"""

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

DEFAULT_PG_NAME = "newsroom_bench"
DEFAULT_SQLITE = Path("var") / "bench.sqlite3"
PG_SCHEMES = ("postgres", "postgresql", "pgsql")
CONNECT_TIMEOUT = 10


class BenchDatabaseError(Exception):
    pass


@dataclass(frozen=True)
class BenchDatabase:
    vendor: str  # "postgresql" or "sqlite"
    url: str  # DATABASE_URL for the processes that use it
    name: str  # database name, or the SQLite file's path

    @property
    def label(self):
        if self.vendor == "postgresql":
            host = urlsplit(self.url).hostname or "localhost"
            return f"PostgreSQL database `{self.name}` on {host}"
        return f"SQLite file `{self.name}`"

    # PostgreSQL connection strings for psycopg (no Django involved).

    def _pg_conninfo(self, dbname):
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(scheme="postgresql", path=f"/{dbname}"))

    def _pg_connect(self, dbname, **kwargs):
        import psycopg

        return psycopg.connect(self._pg_conninfo(dbname), connect_timeout=CONNECT_TIMEOUT, **kwargs)

    def create_fresh(self):
        if self.vendor == "postgresql":
            from psycopg import sql

            with self._pg_connect("postgres", autocommit=True) as conn:
                name = sql.Identifier(self.name)
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
                conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
            return
        path = Path(self.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    def count_rows(self, table):
        """Rows in `table`, or None when the database or the table does not exist."""
        if self.vendor == "postgresql":
            import psycopg

            try:
                with self._pg_connect(self.name) as conn:
                    exists = conn.execute("SELECT to_regclass(%s)", [table]).fetchone()[0]
                    if exists is None:
                        return None
                    return conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
            except psycopg.OperationalError:
                return None
        if not Path(self.name).exists():
            return None
        conn = sqlite3.connect(f"file:{self.name}?mode=ro", uri=True, timeout=CONNECT_TIMEOUT)
        try:
            found = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
            ).fetchone()
            if not found:
                return None
            return conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        finally:
            conn.close()

    def analyze(self):
        """Give the planner statistics, as autovacuum does on a live database some time after a
        bulk load: without them PostgreSQL takes the fresh tables for empty and picks plans
        that read every article."""
        if self.vendor == "postgresql":
            with self._pg_connect(self.name, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE")
            return
        conn = sqlite3.connect(self.name, timeout=CONNECT_TIMEOUT)
        try:
            conn.execute("ANALYZE")
            conn.commit()
        finally:
            conn.close()

    def server_version(self):
        if self.vendor == "postgresql":
            with self._pg_connect(self.name) as conn:
                version = conn.execute("SHOW server_version").fetchone()[0]
                # How much of the table stays in PostgreSQL's own memory: at 100,000 articles
                # the figures for first-time queries depend on it.
                buffers = conn.execute("SHOW shared_buffers").fetchone()[0]
                return f"PostgreSQL {version} (shared_buffers {buffers})"
        return "SQLite " + sqlite3.sqlite_version


def _checked(db):
    base = Path(db.name).name if db.vendor == "sqlite" else db.name
    if "bench" not in base.lower():
        raise BenchDatabaseError(
            f"refusing to use {db.label}: the benchmark drops and recreates its database, so its "
            "name must contain 'bench' (e.g. newsroom_bench or var/bench.sqlite3)"
        )
    return db


def _sqlite(path, base_dir):
    path = Path(path).expanduser()
    if not path.is_absolute():
        path = Path(base_dir) / path
    return _checked(BenchDatabase("sqlite", f"sqlite:///{path}", str(path)))


def _postgres(url, name=None):
    parts = urlsplit(url)
    name = name or unquote(parts.path.lstrip("/"))
    if not name:
        raise BenchDatabaseError(f"no database name in {url!r}")
    return _checked(BenchDatabase("postgresql", urlunsplit(parts._replace(path=f"/{name}")), name))


def resolve(option, env_url, base_dir):
    """The bench database from --database (a URL or a SQLite path), else from DATABASE_URL:
    `newsroom_bench` on the same PostgreSQL server, or var/bench.sqlite3."""
    if option:
        scheme = urlsplit(option).scheme
        if scheme in PG_SCHEMES:
            return _postgres(option)
        if scheme == "sqlite":
            path = option.split("://", 1)[1]
            # sqlite:///relative or sqlite:////absolute, as dj-database-url reads them.
            return _sqlite(path[1:] if path.startswith("/") else path, base_dir)
        if scheme:
            raise BenchDatabaseError(f"unsupported database URL {option!r} (PostgreSQL or SQLite)")
        return _sqlite(option, base_dir)
    if env_url and urlsplit(env_url).scheme in PG_SCHEMES:
        return _postgres(env_url, DEFAULT_PG_NAME)
    return _sqlite(DEFAULT_SQLITE, base_dir)
