"""Real HTTP servers on 127.0.0.1 that play an SMS provider (Twilio's API subset) and a Web Push
service (RFC 8030), recording what they were sent."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    client_port: int = 0  # which connection it came on


@dataclass
class FakeService:
    url: str
    received: list[Received] = field(default_factory=list)
    gone_paths: set[str] = field(default_factory=set)
    server: ThreadingHTTPServer | None = None

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _serve(handler_for, keep_alive: bool = False) -> FakeService:
    """``keep_alive``: HTTP/1.1, a connection serves request after request (as real providers do)."""
    service = FakeService(url="")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"

        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            received = Received(self.path, headers, body, self.client_address[1])
            status, answer = handler_for(service, received)
            service.received.append(received)
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service.server = server
    service.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return service


SMS_ACCOUNT, SMS_TOKEN = "AC0123456789", "token-secret"


def sms_settings(service: FakeService) -> dict:
    """The app settings that point SMS at ``service`` (a ``sms_provider()``)."""
    return {
        "SMS_URL": f"{service.url}/2010-04-01",
        "SMS_ACCOUNT": SMS_ACCOUNT,
        "SMS_TOKEN": SMS_TOKEN,
        "SMS_FROM": "+16175550000",
    }


def sms_provider(keep_alive: bool = False) -> FakeService:
    """``POST /2010-04-01/Accounts/{ACCOUNT}/Messages.json``: basic auth, To/From/Body, 201 {"sid"}."""

    def answer(service, received):
        expected = "Basic " + base64.b64encode(f"{SMS_ACCOUNT}:{SMS_TOKEN}".encode()).decode()
        if received.headers.get("authorization") != expected:
            return 401, {"code": 20003, "message": "Authenticate"}
        if received.path != f"/2010-04-01/Accounts/{SMS_ACCOUNT}/Messages.json":
            return 404, {"message": "not found"}
        form = parse_qs(received.body.decode())
        if not all(form.get(name) for name in ("To", "From", "Body")):
            return 400, {"message": "To, From and Body are required"}
        return 201, {"sid": f"SM{len(service.received) + 1:032d}", "status": "queued"}

    return _serve(answer, keep_alive)


def push_service() -> FakeService:
    """Takes any POST with 201, except on a path in ``gone_paths`` (410: the subscription expired)."""

    def answer(service, received):
        if received.path in service.gone_paths:
            return 410, {}
        return 201, {}

    return _serve(answer)


class SilentServer:
    """A TCP server on 127.0.0.1 that accepts connections and never says a word (a hung mail
    server: the SMTP greeting never comes). ``hang_up_after``: close each connection after that
    many seconds instead of holding it until ``close``."""

    def __init__(self, hang_up_after: float | None = None):
        import socket

        self.hang_up_after = hang_up_after
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted = threading.Event()
        self.connections: list = []
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                connection, _address = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)
            self.accepted.set()
            if self.hang_up_after is not None:
                threading.Timer(self.hang_up_after, connection.close).start()

    def close(self) -> None:
        self._closed.set()
        self.listener.close()
        for connection in self.connections:
            connection.close()
