"""A local HTTP server for tests that stands for a webhook receiver or a CDN (Varnish, the
Cloudflare API): it records every request (method, path, headers, body) and answers the
statuses it is given in turn (the last one for every request after), or, while `stalled`,
holds each request until `released`."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class HTTPStub:
    def __init__(self, statuses=(200,), *, body=b"ok", stalled=False):
        self.statuses, self.body, self.stalled = list(statuses), body, stalled
        self.requests = []
        self.arrived = threading.Event()
        self.released = threading.Event()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                n = len(stub.requests)
                status = stub.statuses[min(n, len(stub.statuses) - 1)]
                stub.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": self.headers,
                        "body": self.rfile.read(length),
                        "status": status,
                        "stalled": stub.stalled,
                    }
                )
                stub.arrived.set()
                if stub.stalled:
                    stub.released.wait(timeout=30)
                try:
                    self.send_response(status)
                    if 300 <= status < 400:
                        self.send_header("Location", stub.url + "/elsewhere")
                    self.send_header("Content-Length", str(len(stub.body)))
                    self.end_headers()
                    self.wfile.write(stub.body)
                except OSError:  # the client gave up waiting
                    pass

            do_GET = do_POST = do_PURGE = do_BAN = answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    @property
    def status(self):
        return self.statuses[-1]

    @status.setter
    def status(self, value):
        self.statuses = [value]

    def answered(self, method):
        """The requests of `method` that were answered with a 2xx in time."""
        return [
            r
            for r in self.requests
            if r["method"] == method and 200 <= r["status"] < 300 and not r["stalled"]
        ]

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()
