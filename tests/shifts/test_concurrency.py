"""No double-booking under concurrent claims from several server processes.

A real gunicorn with 4 worker processes serves the test database (SQLite in WAL mode, or
PostgreSQL when COURTWATCH_TEST_DATABASE_URL is set). Twenty volunteers, each with their own
HTTP session and CSRF token, are released at the same instant by a barrier at a one-place shift.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from courtwatch.db import db
from courtwatch.shifts.models import Shift, ShiftSignup
from tests.conftest import TEST_PASSWORD, TEST_SECRET

ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(test_config, tmp_path):
    port = _free_port()
    env = dict(
        os.environ,
        COURTWATCH_DATABASE_URL=test_config["DATABASE_URL"],
        COURTWATCH_SECRET_KEY=TEST_SECRET,
        COURTWATCH_ENV_NAME="testing",
        COURTWATCH_STAFF_TWO_FACTOR="false",
        COURTWATCH_MAIL_BACKEND="smtp",
        COURTWATCH_SMTP_HOST=test_config["SMTP_HOST"],
        COURTWATCH_SMTP_PORT=str(test_config["SMTP_PORT"]),
        COURTWATCH_LOGIN_RATE_LIMIT="1000 per minute",
        COURTWATCH_BASE_URL="http://localhost",
        COURTWATCH_INSTANCE_PATH=str(tmp_path / "instance"),
    )
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "-w", "4", "-b", f"127.0.0.1:{port}", "courtwatch:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if _plain_session().get(f"{url}/healthz", timeout=5).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)
            if process.poll() is not None:
                pytest.fail("gunicorn exited: " + process.stderr.read().decode()[-2000:])
        else:
            pytest.fail("gunicorn did not answer")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def _plain_session() -> requests.Session:
    browser = requests.Session()
    browser.trust_env = False  # never through a proxy: the server is on 127.0.0.1
    return browser


def _session(url: str, user, shift_id: int) -> tuple[requests.Session, str]:
    browser = _plain_session()
    token = CSRF.search(browser.get(f"{url}/login").text).group(1)
    response = browser.post(
        f"{url}/login",
        data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:300]
    page = browser.get(f"{url}/shifts/{shift_id}")
    assert page.status_code == 200
    return browser, CSRF.search(page.text).group(1)


def _storm(url, sessions, shift_id, extra=lambda i: {}):
    barrier = threading.Barrier(len(sessions))
    statuses: list[int | str] = [0] * len(sessions)

    def claim(index, browser, token):
        barrier.wait()
        try:
            response = browser.post(
                f"{url}/shifts/{shift_id}/claim",
                data={"csrf_token": token, **extra(index)},
                allow_redirects=False,
                timeout=60,
            )
            statuses[index] = response.status_code
        except Exception as error:  # recorded, so the assertion shows it
            statuses[index] = repr(error)

    threads = [threading.Thread(target=claim, args=(i, b, t)) for i, (b, t) in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def _live(shift_id):
    db.session.expire_all()
    rows = db.session.scalars(select(ShiftSignup).where(ShiftSignup.shift_id == shift_id)).all()
    return sorted(s.status for s in rows)


def test_twenty_simultaneous_claims_on_one_place(gunicorn, make_user, make_shift):
    shift = make_shift(capacity=1, minimum=1)
    users = [make_user() for _ in range(20)]
    sessions = [_session(gunicorn, user, shift.id) for user in users]
    statuses = _storm(gunicorn, sessions, shift.id)
    assert statuses.count(302) == 1, statuses
    assert statuses.count(409) == 19, statuses
    assert _live(shift.id) == ["claimed"]
    assert db.session.get(Shift, shift.id).claimed_count == 1


def test_simultaneous_claims_with_waitlist(gunicorn, make_user, make_shift):
    shift = make_shift(capacity=2, minimum=2)
    users = [make_user() for _ in range(20)]
    sessions = [_session(gunicorn, user, shift.id) for user in users]
    # even-numbered volunteers are happy to wait; odd-numbered ones want a place or nothing
    statuses = _storm(gunicorn, sessions, shift.id, extra=lambda i: {"waitlist": "1"} if i % 2 == 0 else {})
    assert all(s in (302, 409) for s in statuses), statuses
    live = _live(shift.id)
    assert live.count("claimed") == 2
    assert db.session.get(Shift, shift.id).claimed_count == 2
    refused = statuses.count(409)
    assert len(live) == 20 - refused  # everyone not refused holds a place or waits
    assert db.session.scalar(select(func.count()).select_from(ShiftSignup)) == len(live)


def test_simultaneous_double_tap_makes_one_claim(gunicorn, make_user, make_shift):
    shift = make_shift(capacity=3)
    user = make_user()
    browser, token = _session(gunicorn, user, shift.id)
    statuses = _storm(gunicorn, [(browser, token)] * 6, shift.id)
    assert statuses == [302] * 6, statuses
    assert _live(shift.id) == ["claimed"]


def test_simultaneous_overlapping_claims_by_one_volunteer(gunicorn, make_user, make_shift):
    first = make_shift(capacity=3, hours_ahead=48)
    second = make_shift(capacity=3, hours_ahead=49)
    user = make_user()
    browser, token = _session(gunicorn, user, first.id)
    barrier = threading.Barrier(2)
    statuses = {}

    def claim(shift_id):
        barrier.wait()
        statuses[shift_id] = browser.post(
            f"{gunicorn}/shifts/{shift_id}/claim", data={"csrf_token": token}, allow_redirects=False, timeout=60
        ).status_code

    threads = [threading.Thread(target=claim, args=(s.id,)) for s in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses.values()) == [302, 409]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ShiftSignup)) == 1
