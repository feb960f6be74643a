"""Load generators: wrk when it is installed, else a small Python client that behaves alike
(C keep-alive connections, a fixed duration, a latency for every request)."""

import http.client
import itertools
import math
import re
import shutil
import subprocess
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field

from devtools.benchmark.server import HOST

REQUEST_TIMEOUT = 10
# What browsers, feed readers and crawlers all send: cached pages go out compressed to them
# (pagecache.middleware). Pages rendered afresh are not compressed here (a proxy's job).
ACCEPT_ENCODING = "gzip"


@dataclass
class LoadResult:
    tool: str
    requests: int
    seconds: float
    errors: int
    rps: float
    p50_ms: float | None
    p99_ms: float | None
    statuses: dict = field(default_factory=dict)
    note: str = ""
    raw: str = ""

    def as_dict(self):
        return asdict(self)


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return None
    rank = min(len(sorted_values), max(1, math.ceil(fraction * len(sorted_values))))
    return sorted_values[rank - 1]


def wrk_path():
    return shutil.which("wrk")


def wrk_version():
    path = wrk_path()
    if not path:
        return None
    # wrk prints its version in the usage text and exits non-zero.
    result = subprocess.run(
        [path, "--version"], capture_output=True, text=True, timeout=10, check=False
    )
    first = (result.stdout or result.stderr).strip().splitlines()
    return first[0].split(" Copyright")[0].strip() if first else "wrk"


# wrk's output.

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


def _ms(number, unit):
    return float(number) * _UNITS[unit]


def parse_wrk(output):
    """Requests/sec, p50/p99 and errors from `wrk --latency` output."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    total = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", output, re.MULTILINE)
    if not rps or not total:
        raise ValueError(f"unexpected wrk output:\n{output}")
    latency = {
        int(match[1]): _ms(match[2], match[3])
        for match in re.finditer(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.MULTILINE)
    }
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    socket_errors = sum(int(n) for n in sockets.groups()) if sockets else 0
    note = f"socket errors {', '.join(sockets.group(0).split(': ')[1:])}" if socket_errors else ""
    return LoadResult(
        tool="wrk",
        requests=int(total[1]),
        seconds=_ms(total[2], total[3]) / 1e3,
        errors=(int(non_2xx[1]) if non_2xx else 0) + socket_errors,
        rps=float(rps[1]),
        p50_ms=latency.get(50),
        p99_ms=latency.get(99),
        note=note,
        raw=output,
    )


def run_wrk(port, path, *, connections, seconds):
    threads = max(1, min(connections, 2))
    command = [
        wrk_path(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "--header",
        f"Accept-Encoding: {ACCEPT_ENCODING}",
        "--timeout",
        f"{REQUEST_TIMEOUT}s",
        f"http://{HOST}:{port}{path}",
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + REQUEST_TIMEOUT + 30, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr or result.stdout}")
    return parse_wrk(result.stdout)


# The Python client.


def run_python(port, paths, *, connections, seconds=None, total=None, max_seconds=None):
    """GET `paths` in turn over `connections` keep-alive connections, for `seconds` or until
    `total` requests have been sent (whichever `max_seconds` cuts short). Responses other than
    2xx/3xx, and failed requests, count as errors."""
    if isinstance(paths, str):
        paths = [paths]
    limit = seconds if seconds is not None else (max_seconds or 600)
    if max_seconds is not None:
        limit = min(limit, max_seconds)
    counter = itertools.count()
    stop = threading.Event()
    results = []
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + limit

    def client():
        latencies, statuses, errors = [], Counter(), 0
        conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        try:
            while not stop.is_set():
                now = time.perf_counter()
                if now >= deadline:
                    break
                # itertools.count is atomic under the GIL: each request number is taken once.
                number = next(counter)
                if total is not None and number >= total:
                    break
                path = paths[number % len(paths)]
                began = time.perf_counter()
                try:
                    conn.request("GET", path, headers={"Accept-Encoding": ACCEPT_ENCODING})
                    response = conn.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException):
                    errors += 1
                    statuses["failed"] += 1
                    conn.close()
                    continue
                latencies.append(time.perf_counter() - began)
                statuses[str(response.status)] += 1
                if not 200 <= response.status < 400:
                    errors += 1
                if response.will_close:
                    conn.close()
        finally:
            conn.close()
            with lock:
                results.append((latencies, statuses, errors))

    threads = [threading.Thread(target=client, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join(max(0.0, deadline - time.perf_counter()) + REQUEST_TIMEOUT + 5)
    finally:
        stop.set()
    elapsed = time.perf_counter() - start
    latencies = sorted(itertools.chain.from_iterable(r[0] for r in results))
    statuses = sum((r[1] for r in results), Counter())
    errors = sum(r[2] for r in results)
    done = len(latencies)
    p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
    return LoadResult(
        tool="python",
        requests=done,
        seconds=elapsed,
        errors=errors,
        rps=done / elapsed if elapsed else 0.0,
        p50_ms=p50 * 1e3 if p50 is not None else None,
        p99_ms=p99 * 1e3 if p99 is not None else None,
        statuses=dict(statuses),
    )


def measure(port, path, *, tool, connections, seconds):
    if tool == "wrk":
        return run_wrk(port, path, connections=connections, seconds=seconds)
    return run_python(port, path, connections=connections, seconds=seconds)
