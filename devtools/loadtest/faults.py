"""The faults the load test injects, without touching the machine's shared servers: a private
Redis it can kill and start again, and a TCP proxy in front of PostgreSQL it can cut."""

import contextlib
import selectors
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from devtools.benchmark.server import HOST, free_port, redis_client

REDIS_SERVER = "/usr/bin/redis-server"


class FaultError(Exception):
    pass


class PrivateRedis:
    """A redis-server of our own on a free loopback port, with nothing written to disk, so
    killing it hurts no one else."""

    def __init__(self, *, log_path, executable=REDIS_SERVER):
        self.port = free_port()
        self.log_path = Path(log_path)
        self.executable = executable
        self.process = None
        self.version = None

    @property
    def url(self):
        return f"redis://{HOST}:{self.port}/0"

    def start(self, timeout=10):
        if not Path(self.executable).exists():
            raise FaultError(f"{self.executable} is not installed (apt-get install redis-server)")
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [
                    self.executable,
                    *("--port", str(self.port), "--bind", HOST),
                    *("--save", "", "--appendonly", "no", "--daemonize", "no"),
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise FaultError(f"redis-server exited at start-up; see {self.log_path}")
            client = redis_client(self.url)
            if client is not None:
                self.version = "Redis " + client.info("server")["redis_version"]
                client.close()
                return
            time.sleep(0.05)
        raise FaultError(f"redis-server did not answer on port {self.port} within {timeout} s")

    def kill(self):
        """As a crash would: no shutdown, no goodbye to the clients."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait(10)


class TcpProxy:
    """Forwards loopback connections to `upstream` (host, port) until `cut()`: then every open
    connection is closed and new ones are dropped as soon as they arrive, until `restore()`.
    To the application that is a database server gone away and back."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.listener = socket.create_server((HOST, 0))
        self.port = self.listener.getsockname()[1]
        self.refusing = threading.Event()
        self.closed = threading.Event()
        self.lock = threading.Lock()
        self.live = set()
        self.accepted = self.dropped = 0
        self.thread = threading.Thread(target=self._accept, name="db-proxy", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def cut(self):
        self.refusing.set()
        with self.lock:
            pairs, self.live = list(self.live), set()
        for pair in pairs:
            for sock in pair:
                _close(sock)
        return len(pairs)

    def restore(self):
        self.refusing.clear()

    def close(self):
        self.closed.set()
        self.cut()
        _close(self.listener)
        self.thread.join(5)

    def _accept(self):
        while not self.closed.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.refusing.is_set():
                self.dropped += 1
                _close(client)
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=10)
            except OSError:
                _close(client)
                continue
            server.settimeout(None)
            pair = (client, server)
            with self.lock:
                self.live.add(pair)
                self.accepted += 1
            threading.Thread(target=self._pump, args=(pair,), daemon=True).start()

    def _pump(self, pair):
        """Both directions of one connection in one thread, until either side closes."""
        client, server = pair
        peer = {client: server, server: client}
        with selectors.DefaultSelector() as selector:
            for sock in pair:
                selector.register(sock, selectors.EVENT_READ)
            try:
                while True:
                    for key, _ in selector.select(timeout=1):
                        data = key.fileobj.recv(65536)
                        if not data:
                            return
                        peer[key.fileobj].sendall(data)
                    if pair not in self.live:
                        return
            except (OSError, ValueError):
                return  # closed under us by cut()
            finally:
                with self.lock:
                    self.live.discard(pair)
                for sock in pair:
                    _close(sock)


def _close(sock):
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
