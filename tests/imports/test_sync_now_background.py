"""Web "Sync now" never holds the request for the fetch and the read (issue 13: heavy work off the
request): a big or slow subscription would otherwise keep a gunicorn worker past its timeout.

Through gunicorn, against a real calendar server on 127.0.0.1 that holds its answer until the test
lets it go: the POST comes back while the server is still holding, the progress page says the
sync is under way and then shows its result, and a double click syncs once.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from courtwatch.imports.models import ImportRun
from tests.imports.conftest import ics, vevent
from tests.support.servers import Gunicorn, form_token, logged_in_session

SOON = (datetime.now(UTC) + timedelta(days=5)).strftime("%Y%m%d")


class HeldCalendar:
    """Answers each GET only once ``release`` is set; counts the requests."""

    def __init__(self, body: bytes):
        self.release = threading.Event()
        self.requests = 0
        calendar = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                calendar.requests += 1
                calendar.release.wait(120)
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/court.ics"

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def held_calendar():
    server = HeldCalendar(
        ics(
            vevent("one@court", f":{SOON}T140000Z", summary="Arraignment"),
            vevent("two@court", f":{SOON}T150000Z", summary="Motion"),
        )
    )
    yield server
    server.close()


def test_sync_now_answers_at_once_shows_progress_then_the_result_and_syncs_once(
    test_config, tmp_path, monkeypatch, make_courthouse, make_user, held_calendar
):
    from courtwatch.db import db
    from courtwatch.imports.models import CalendarSource

    courthouse = make_courthouse()
    coordinator = make_user(role="coordinator")
    source = CalendarSource(name="County feed", courthouse_id=courthouse.id, kind="ics", url=held_calendar.url)
    db.session.add(source)
    db.session.commit()
    monkeypatch.setenv("COURTWATCH_MASTER_KEY", test_config["MASTER_KEY"])
    monkeypatch.setenv("COURTWATCH_CALENDAR_ALLOW_LOOPBACK", "true")
    server = Gunicorn(test_config, tmp_path / "gunicorn-instance", workers=1)
    try:
        server.wait_ready()
        browser = logged_in_session(server.url, coordinator)
        token = form_token(browser, f"{server.url}/calendars")
        sync_url = f"{server.url}/calendars/sources/{source.id}/sync"
        # Two clicks while the calendar server is still holding its answer: both come back.
        for _click in range(2):
            sent = browser.post(sync_url, data={"csrf_token": token}, allow_redirects=False, timeout=20)
            assert sent.status_code == 303 and sent.headers["Location"].endswith(f"/sources/{source.id}/sync")
        progress = browser.get(sync_url, timeout=20)
        assert "Syncing the calendar" in progress.text and 'http-equiv="refresh"' in progress.text
        assert "syncing" in browser.get(f"{server.url}/calendars", timeout=20).text
        held_calendar.release.set()
        for _attempt in range(300):
            page = browser.get(sync_url, timeout=20)
            if "Syncing the calendar" not in page.text:
                break
            time.sleep(0.5)
        else:
            pytest.fail("the sync did not end")
        assert page.status_code == 200 and "Sync result" in page.text
        assert "2 added" in page.text
        assert held_calendar.requests == 1  # the double click fetched and imported once
        db.session.expire_all()
        assert db.session.query(ImportRun).filter_by(source_id=source.id).count() == 1
    finally:
        log = server.stop()
    assert "WORKER TIMEOUT" not in log
