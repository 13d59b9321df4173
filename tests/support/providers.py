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


@dataclass
class FakeService:
    url: str
    received: list[Received] = field(default_factory=list)
    gone_paths: set[str] = field(default_factory=set)
    server: ThreadingHTTPServer | None = None

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _serve(handler_for) -> FakeService:
    service = FakeService(url="")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            received = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
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


def sms_provider() -> FakeService:
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

    return _serve(answer)


def push_service() -> FakeService:
    """Takes any POST with 201, except on a path in ``gone_paths`` (410: the subscription expired)."""

    def answer(service, received):
        if received.path in service.gone_paths:
            return 410, {}
        return 201, {}

    return _serve(answer)
