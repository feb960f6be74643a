"""Gunicorn under test: started in its own process group on a free loopback port, always stopped."""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

HOST = "127.0.0.1"
CONF = Path(__file__).resolve().parent.parent.parent / "newsroom" / "gunicorn_conf.py"
STOP_SECONDS = 15


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(port, path, timeout=10):
    """One GET on a fresh connection: (status, headers as a dict, body)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


def rss_kib(pid):
    """Resident memory of a process (VmRSS, KiB), or None if it is gone or /proc is absent."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def cpu_ticks(pid):
    """User + system CPU time a process has used, in clock ticks, or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


def children(pid):
    """Processes whose parent is `pid` (gunicorn's workers are its master's children)."""
    found = []
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces: fields follow the last ")".
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and fields[1] == str(pid):
            found.append(int(entry.name))
    return sorted(found)


class ServerError(Exception):
    pass


class Gunicorn:
    """`with Gunicorn(...) as server:` starts it, and stops its whole process group on the way
    out, whatever happened (errors, Ctrl-C)."""

    def __init__(self, *, env, workers, log_path, cwd, port=None):
        self.port = port or free_port()
        self.workers = workers
        self.log_path = Path(log_path)
        self.cwd = cwd
        self.env = {
            **env,
            "GUNICORN_BIND": f"{HOST}:{self.port}",
            "WEB_CONCURRENCY": str(workers),
        }
        self.process = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(CONF), "newsroom.wsgi:application"],
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self):
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(STOP_SECONDS)
        # Workers can outlive a master that was killed: clear the whole group either way.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)

    def log_tail(self, lines=30):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def wait_ready(self, path, timeout=60):
        """Until `path` answers and every worker has started."""
        deadline = time.monotonic() + timeout
        last_error = "no answer"
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise ServerError(f"gunicorn exited during start-up:\n{self.log_tail()}")
            try:
                status, _, _ = get(self.port, path, timeout=5)
            except OSError as exc:
                last_error = str(exc)
            else:
                if status == 200 and len(self.worker_pids()) >= self.workers:
                    return
                last_error = f"HTTP {status}"
            time.sleep(0.2)
        raise ServerError(
            f"gunicorn not ready after {timeout} s ({last_error}):\n{self.log_tail()}"
        )

    def worker_pids(self):
        return children(self.process.pid) if self.process else []

    def wait_idle(self, timeout, *, window=0.5, quiet_windows=2):
        """Until no worker uses CPU for `quiet_windows` windows in a row (requests still queued
        from an earlier load are served); returns False if `timeout` passed first."""
        deadline = time.monotonic() + timeout
        quiet = 0
        previous = {pid: cpu_ticks(pid) for pid in self.worker_pids()}
        while time.monotonic() < deadline:
            time.sleep(window)
            current = {pid: cpu_ticks(pid) for pid in self.worker_pids()}
            busy = any(
                current[pid] is not None
                and previous.get(pid) is not None
                and current[pid] - previous[pid] > 1
                for pid in current
            )
            quiet = 0 if busy or set(current) != set(previous) else quiet + 1
            if quiet >= quiet_windows:
                return True
            previous = current
        return False

    def worker_rss(self):
        """{worker pid: VmRSS KiB}."""
        sizes = {pid: rss_kib(pid) for pid in self.worker_pids()}
        return {pid: size for pid, size in sizes.items() if size is not None}


def redis_client(url):
    try:
        import redis
    except ImportError:
        return None
    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except Exception:  # noqa: BLE001 (any failure: no Redis for the benchmark)
        return None
    return client
