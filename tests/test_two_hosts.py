"""The README's production recipe, run: nginx in front of two gunicorn app hosts with instance folders
of their own, on one database (PostgreSQL in CI's second run) and one Redis.

A photo sent through host A is served by host B; an import previewed on A is committed on B; a login
on A works on B; ten uploads trickling in at 20 kB/s do not keep a fast client from being served
(nginx buffers request bodies); static files come from nginx, compressed; the access log holds no
client address and no secret path.
"""

from __future__ import annotations

import http.client
import io
import os
import re
import ssl
import threading
import uuid

import pytest
from PIL import Image
from sqlalchemy import func, select

from courtwatch.db import db
from courtwatch.observations.models import Observation, ObservationPhoto
from tests.conftest import TEST_PASSWORD
from tests.imports.test_web_flow import CALENDAR, hearing_count
from tests.observations.conftest import report_form
from tests.support.proxy import DEPLOY, Deployment
from tests.support.servers import CSRF, logged_in_session, plain_session

SLOW_UPLOADS = 10
SLOW_RATE = 20 * 1024  # bytes a second, each
SLOW_STEP = 2 * 1024


@pytest.fixture
def deployment(test_config, tmp_path):
    running = Deployment(test_config, tmp_path)
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


@pytest.fixture
def court(make_courthouse):
    courthouse = make_courthouse(name="Chelsea District Court", short_name="Chelsea", court_types=["criminal"])
    db.session.commit()
    return courthouse


def noisy_jpeg(edge: int) -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (edge, edge), os.urandom(edge * edge * 3)).save(out, "JPEG", quality=90)
    return out.getvalue()


def csrf_from(session, url: str) -> str:
    return CSRF.search(session.get(url).text).group(1)


def moved(session, url: str):
    """The same browser (its cookies) pointed at another host."""
    other = plain_session()
    other.cookies.update(session.cookies)
    return other


def test_the_recipe_matches_the_apps_limits(app):
    site = (DEPLOY / "nginx" / "courtwatch.conf").read_text()
    megabytes = int(re.search(r"client_max_body_size (\d+)m;", site).group(1))
    assert megabytes * 1024 * 1024 == app.config["MAX_CONTENT_LENGTH"]
    assert "proxy_request_buffering on;" in site and "gzip on;" in site
    log_format = re.search(r"log_format courtwatch (.*?);", site, re.S).group(1)
    assert "$remote_addr" not in log_format and "$http_x_forwarded_for" not in log_format
    assert "$request_uri" not in log_format  # only the path with secrets taken out


def test_one_host_sees_what_another_wrote(deployment, volunteer, coordinator, court):
    host_a, host_b = deployment.hosts
    # A login on A works on B.
    on_a = logged_in_session(host_a.url, volunteer)
    on_b = moved(on_a, host_b.url)
    assert on_b.get(f"{host_b.url}/me/shifts", allow_redirects=False).status_code == 200
    # A photo sent through A is served by B.
    picture = noisy_jpeg(300)
    form = report_form(court, csrf_token=csrf_from(on_a, f"{host_a.url}/observations/new"))
    sent = on_a.post(
        f"{host_a.url}/observations/new",
        data=form,
        files={"photos": ("a.jpg", picture, "image/jpeg")},
        allow_redirects=False,
    )
    assert sent.status_code == 302, sent.text[:500]
    photo = db.session.scalar(select(ObservationPhoto))
    url = f"/observations/{photo.observation_id}/photos/{photo.id}"
    served_by_b = on_b.get(f"{host_b.url}{url}")
    assert served_by_b.status_code == 200 and len(served_by_b.content) == photo.size
    assert served_by_b.content == on_a.get(f"{host_a.url}{url}").content
    staff_on_b = moved(logged_in_session(host_a.url, coordinator), host_b.url)
    assert staff_on_b.get(f"{host_b.url}{url}").content == served_by_b.content
    # An import previewed on A is committed on B.
    staff_on_a = logged_in_session(host_a.url, coordinator)
    uploaded = staff_on_a.post(
        f"{host_a.url}/calendars/upload",
        data={
            "csrf_token": csrf_from(staff_on_a, f"{host_a.url}/calendars"),
            "upload-courthouse": str(court.id),
            "upload-full": "y",
        },
        files={"upload-file": ("court.ics", CALENDAR, "text/calendar")},
        allow_redirects=False,
    )
    assert uploaded.status_code == 302, uploaded.text[:500]
    assert "2 to add" in staff_on_a.get(f"{host_a.url}/calendars/pending").text
    staff_moved = moved(staff_on_a, host_b.url)
    preview_on_b = staff_moved.get(f"{host_b.url}/calendars/pending")
    assert preview_on_b.status_code == 200 and "2 to add" in preview_on_b.text
    committed = staff_moved.post(
        f"{host_b.url}/calendars/pending/commit", data={"csrf_token": CSRF.search(preview_on_b.text).group(1)}
    )
    assert committed.status_code == 200 and "2 added" in committed.text
    assert hearing_count() == 2
    # Nothing a host wrote is needed by the other: the committing host kept nothing, and the host
    # that only previewed keeps just its own parse cache (uploads/parsed, swept after an hour),
    # sealed under the upload's key: no byte of the docket is readable in either instance folder.
    for host in deployment.hosts:
        uploads = host.instance / "uploads"
        left = [p for p in uploads.rglob("*") if p.is_file()] if uploads.exists() else []
        assert all(p.parent.name == "parsed" for p in left), left
        for path in host.instance.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert b"Arraignment" not in data and b"Motions" not in data and b"VEVENT" not in data, path
    assert not [p for p in (host_b.instance / "uploads").rglob("*") if p.is_file()]


class SlowUpload(threading.Thread):
    """A phone on a bad connection: a photo report sent at SLOW_RATE bytes a second through nginx."""

    def __init__(self, deployment, cookie: str, body: bytes, content_type: str, started: threading.Semaphore):
        super().__init__(daemon=True)
        self.deployment, self.cookie, self.body, self.content_type = deployment, cookie, body, content_type
        self.started = started
        self.sent = 0
        self.finished_sending = threading.Event()
        self.status: int | None = None
        self.error: BaseException | None = None

    def _trickle(self):
        signalled = False
        for start in range(0, len(self.body), SLOW_STEP):
            yield self.body[start : start + SLOW_STEP]
            self.sent = start + SLOW_STEP
            if not signalled:
                self.started.release()
                signalled = True
            threading.Event().wait(SLOW_STEP / SLOW_RATE)
        self.finished_sending.set()

    def run(self):
        context = ssl.create_default_context(cafile=str(self.deployment.certificate))
        connection = http.client.HTTPSConnection("localhost", self.deployment.https_port, context=context, timeout=120)
        try:
            connection.request(
                "POST",
                "/observations/new",
                body=self._trickle(),
                headers={
                    "Content-Type": self.content_type,
                    "Content-Length": str(len(self.body)),
                    "Cookie": self.cookie,
                },
            )
            self.status = connection.getresponse().status
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error
            self.finished_sending.set()
        finally:
            connection.close()


def _multipart(fields: dict, photo: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="a.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n".encode()
        + photo
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_slow_uploads_do_not_hold_the_app_hosts(deployment, volunteer, court):
    browser = deployment.session()
    token = CSRF.search(browser.get(f"{deployment.url}/login").text).group(1)
    logged_in = browser.post(
        f"{deployment.url}/login",
        data={"email": volunteer.email, "password": TEST_PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert logged_in.status_code == 302, logged_in.text[:300]
    form_token = CSRF.search(browser.get(f"{deployment.url}/observations/new").text).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    photo = noisy_jpeg(160)  # about 60 kB: three seconds at 20 kB/s
    started = threading.Semaphore(0)
    uploads = []
    for _ in range(SLOW_UPLOADS):
        body, content_type = _multipart(report_form(court, csrf_token=form_token), photo)
        uploads.append(SlowUpload(deployment, cookie, body, content_type, started))
    for upload in uploads:
        upload.start()
    for _ in uploads:
        assert started.acquire(timeout=60), "a slow upload never started"
    # Ten uploads are trickling in, more than the two hosts' four workers. A fast client is served now.
    fast = deployment.session().get(f"{deployment.url}/login", timeout=60)
    still_sending = [not upload.finished_sending.is_set() for upload in uploads]
    assert fast.status_code == 200 and "csrf_token" in fast.text
    assert all(still_sending), "the fast request was served only after slow uploads had finished"
    for upload in uploads:
        upload.join(timeout=120)
    assert [upload.error for upload in uploads] == [None] * SLOW_UPLOADS
    assert [upload.status for upload in uploads] == [302] * SLOW_UPLOADS
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Observation)) == SLOW_UPLOADS
    assert db.session.scalar(select(func.count()).select_from(ObservationPhoto)) == SLOW_UPLOADS


def test_static_files_gzip_and_the_access_log(deployment):
    browser = deployment.session()
    page = browser.get(f"{deployment.url}/login")
    css = re.search(r'href="(/assets/courtwatch\.[0-9a-f]{10}\.css)"', page.text).group(1)
    asset = browser.get(f"{deployment.url}{css}", headers={"Accept-Encoding": "gzip"})
    assert asset.status_code == 200 and asset.headers["Content-Encoding"] == "gzip"
    assert "immutable" in asset.headers["Cache-Control"]
    assert "Content-Security-Policy" not in asset.headers  # nginx's answer, not the app's
    assert asset.content == (DEPLOY.parent / "courtwatch" / "static" / "courtwatch.css").read_bytes()
    assert page.headers.get("Content-Security-Policy")  # pages still come from the app
    assert browser.get(f"{deployment.url}/feeds/not-a-real-secret-token.ics").status_code in (404, 410)
    redirect = plain_session().get(f"http://127.0.0.1:{deployment.http_port}/login", allow_redirects=False)
    assert redirect.status_code == 301 and redirect.headers["Location"].startswith("https://")
    log = deployment.access_log()
    assert '"GET /login HTTP/1.1" 200' in log
    assert "/feeds/[hidden]" in log and "not-a-real-secret-token" not in log
    assert not re.search(r"\b\d{1,3}(?:\.\d{1,3}){3}\b", log), log[-2000:]
