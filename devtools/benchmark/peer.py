"""The Wagtail peer: an equivalent news site built by ../shared/peer-wagtail/setup.sh and measured
by its run.sh, before and after Newsroom's load in the same run, so that the ratios compare two
sites measured side by side (these machines vary by ±20% from run to run). When the peer is not
set up, nothing is compared: no recorded figure stands in for it.
"""

import os
import re
import shutil
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

PEER_FOLDER = Path("shared") / "peer-wagtail"
# run.sh's defaults for where setup.sh put the site and its virtualenv.
DEFAULT_VENV = "/tmp/wagbench-venv"
DEFAULT_SITE = "/tmp/wagbench-site"
# run.sh's own settings: the environment may override them, and the report says so.
OVERRIDES = (
    "WAGBENCH_VENV",
    "WAGBENCH_SITE",
    "WAGBENCH_DURATION",
    "WAGBENCH_WARMUP",
    "WAGBENCH_INPROC_N",
    "WAGBENCH_CONN_MAX_AGE",
)
# report.py labels its rows "(a) article detail", "(b) section listing (20 latest)", ...
ROW_KEYS = {"(a)": "article", "(b)": "listing", "(c)": "static", "(d)": "ping"}
RUN_TIMEOUT = 900


def find(base_dir):
    """The peer's folder: `shared/peer-wagtail` beside the project or beside any folder above it
    (a git worktree sits deeper than the main checkout), or None."""
    for folder in [Path(base_dir), *Path(base_dir).parents]:
        candidate = folder / PEER_FOLDER
        if (candidate / "run.sh").is_file():
            return candidate
    return None


def missing(folder):
    """Why run.sh cannot run yet (what setup.sh makes is absent), or "" when it can."""
    if folder is None:
        return f"no {PEER_FOLDER}/run.sh beside the project or above it"
    venv = Path(os.environ.get("WAGBENCH_VENV") or DEFAULT_VENV)
    site = Path(os.environ.get("WAGBENCH_SITE") or DEFAULT_SITE)
    if not (venv / "bin" / "python").exists() or not (site / "manage.py").is_file():
        return f"{folder}/setup.sh has not been run (no {venv} or {site})"
    if not shutil.which("wrk"):
        return "wrk is not installed (setup.sh installs it)"
    return ""


def parse_table(output):
    """{article|listing|static|ping: {path, rps, p50_ms, p99_ms, errors, queries, median_ms}}
    from the table run.sh prints (report.py's, for one run)."""
    pages = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        key = ROW_KEYS.get(cells[0][:3]) if cells and len(cells) == 8 else None
        if key is None:
            continue
        try:
            pages[key] = {
                "path": cells[1].strip("`"),
                "rps": float(cells[2]),
                "p50_ms": float(cells[3]),
                "p99_ms": float(cells[4]),
                "errors": int(cells[5]),
                "queries": int(cells[6]),
                "median_ms": float(cells[7]),
            }
        except ValueError:
            continue
    if "article" not in pages or "listing" not in pages:
        tail = "\n".join(output.splitlines()[-15:])
        raise ValueError(f"no article and listing rows in run.sh's output:\n{tail}")
    return pages


def run(folder, results_dir, *, when, timeout=RUN_TIMEOUT):
    """Run run.sh once, its raw results in `results_dir` (not in the shared folder): a dict with
    the pages measured, or the error that stopped it."""
    began = time.monotonic()
    record = {
        "when": when,
        "started": datetime.now(UTC).strftime("%H:%M UTC"),
        "overrides": {name: os.environ[name] for name in OVERRIDES if os.environ.get(name)},
    }
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "REDIS_URL", "PYTHONPATH"}
    }
    env["WAGBENCH_RESULTS"] = str(results_dir)
    try:
        result = subprocess.run(
            [str(folder / "run.sh")],
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"run.sh exited {result.returncode}: {(result.stderr or result.stdout)[-1500:]}"
            )
        pages = parse_table(result.stdout)
        idle = [page for page in ("article", "listing") if not pages[page]["rps"] > 0]
        if idle:
            # wrk saw no response in its window (a machine too busy, or a too short run).
            raise ValueError(f"run.sh measured no {' or '.join(idle)} response (0 req/s)")
        record["pages"] = pages
    except (OSError, RuntimeError, ValueError, subprocess.TimeoutExpired) as exc:
        record["error"] = str(exc)
    record["seconds"] = round(time.monotonic() - began, 1)
    record["versions"] = versions(Path(results_dir) / "env.txt")
    return record


def versions(env_txt):
    """The peer's pinned packages ("wagtail==8.0.1", ...) from the env.txt run.sh writes."""
    try:
        lines = Path(env_txt).read_text().splitlines()
    except OSError:
        return []
    return [line.strip() for line in lines if re.fullmatch(r"[\w.-]+==[\w.+-]+", line.strip())]


def rps(peer, page):
    """The peer's req/s for `page` ("article" or "listing"): the mean of its runs before and
    after ours, or None when it was not measured."""
    values = [r["pages"][page]["rps"] for r in (peer or {}).get("runs", []) if "pages" in r]
    return sum(values) / len(values) if values else None
