"""A local SMTP server for tests: it can hold every new connection before its greeting (a mail
server that accepts and then stalls) and records the messages it is given."""

import socket
import socketserver
import threading
from email import message_from_bytes


class SMTPStub:
    def __init__(self, *, stalled=False):
        self.released = threading.Event()
        if not stalled:
            self.released.set()
        self.connected = threading.Event()
        self.connections = 0
        self.messages = []
        stub = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line):
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self):
                stub.connections += 1
                stub.connected.set()
                if not stub.released.wait(timeout=30):
                    return
                self.reply("220 stub ESMTP")
                while line := self.rfile.readline():
                    command = line.decode().strip().upper()
                    if command.startswith(("EHLO", "HELO")):
                        self.reply("250 stub")
                    elif command == "DATA":
                        self.reply("354 go ahead")
                        data = b""
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data += chunk
                        stub.messages.append(message_from_bytes(data))
                        self.reply("250 queued")
                    elif command == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("250 ok")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


def closed_port():
    """A port on which nothing listens: a mail server that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
