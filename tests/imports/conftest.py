"""Fixtures for calendar imports: a real HTTP server on 127.0.0.1 that serves calendars and counts
requests, hooks recorded as they fire, and helpers that write calendar files."""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from courtwatch import signals


class CalendarServer:
    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.requests: list[tuple[str, int]] = []  # (path, status answered)
        self.redirects: dict[str, str] = {}
        # False: answer like a server without validators (no ETag, never 304).
        self.etags = True
        # path -> Content-Length to declare (larger than the body: the connection drops early)
        self.declared_lengths: dict[str, int] = {}
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if self.path in server.redirects:
                    server.requests.append((self.path, 302))
                    self.send_response(302)
                    self.send_header("Location", server.redirects[self.path])
                    self.end_headers()
                    return
                body = server.files.get(self.path)
                if body is None:
                    server.requests.append((self.path, 404))
                    self.send_response(404)
                    self.end_headers()
                    return
                etag = '"' + hashlib.sha1(body).hexdigest() + '"'
                if server.etags and self.headers.get("If-None-Match") == etag:
                    server.requests.append((self.path, 304))
                    self.send_response(304)
                    self.end_headers()
                    return
                server.requests.append((self.path, 200))
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar")
                if server.etags:
                    self.send_header("ETag", etag)
                self.send_header("Content-Length", str(server.declared_lengths.get(self.path, len(body))))
                self.end_headers()
                self.wfile.write(body)
                if self.path in server.declared_lengths:
                    self.close_connection = True

        return Handler


@pytest.fixture
def calendar_server():
    server = CalendarServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def hook_events(app):
    """Every (hearing id, event, change kind) sent as ``hearing_changed`` during the test."""
    events = []

    def record(_app, *, hearing, event, change):
        events.append((hearing.id, event, change.kind if change is not None else None))

    with signals.hearing_changed.connected_to(record, sender=app):
        yield events


def ics(*events: str, extra: str = "") -> bytes:
    body = "\r\n".join(
        ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//Court//EN", extra.strip(), *events, "END:VCALENDAR"]
    )
    return "\r\n".join(line for line in body.split("\r\n") if line).encode() + b"\r\n"


def vevent(
    uid: str, start: str, summary: str = "Hearing", end: str | None = None, location: str = "", extra: str = ""
) -> str:
    lines = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTART{start}", f"SUMMARY:{summary}"]
    if end:
        lines.append(f"DTEND{end}")
    if location:
        lines.append(f"LOCATION:{location}")
    lines += [line for line in extra.strip().splitlines() if line] + ["END:VEVENT"]
    return "\r\n".join(lines)


@pytest.fixture
def test_config(test_config):
    """These tests subscribe to a real calendar server on 127.0.0.1: allow loopback, explicitly
    (the guard is on in every other mode, development included)."""
    return {**test_config, "CALENDAR_ALLOW_LOOPBACK": True}
