"""A real gunicorn on loopback serving the test database, for what the test client hides.

The test client runs the view and reads the body inside one app context; gunicorn pops the
request context before a streamed body is produced, and runs several worker processes. Downloads,
uploads and streamed responses are therefore also tested through this server.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import TEST_PASSWORD, TEST_SECRET

ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def plain_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # never through a proxy: the server is on 127.0.0.1
    return session


def gunicorn_env(test_config: dict, instance_path: Path) -> dict:
    return dict(
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
        COURTWATCH_UPLOAD_DIR=test_config["UPLOAD_DIR"],
        COURTWATCH_INSTANCE_PATH=str(instance_path),
    )


class Gunicorn:
    """``wsgi:app`` under gunicorn with N workers (the production entry point, warm-up included)."""

    def __init__(self, test_config: dict, instance_path: Path, workers: int = 3):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "wsgi:app"],
            cwd=ROOT,
            env=gunicorn_env(test_config, instance_path),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail("gunicorn exited: " + self.process.stderr.read().decode()[-2000:])
            try:
                if plain_session().get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.1)
        pytest.fail("gunicorn did not answer within 60 s")

    def stop(self) -> str:
        self.process.terminate()
        try:
            _out, errors = self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _out, errors = self.process.communicate()
        return errors.decode(errors="replace")


@pytest.fixture
def gunicorn_server(test_config, tmp_path):
    """A running gunicorn (3 workers) on the test database; yields the Gunicorn (``.url``)."""
    server = Gunicorn(test_config, tmp_path / "gunicorn-instance")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def logged_in_session(url: str, user, password: str = TEST_PASSWORD) -> requests.Session:
    session = plain_session()
    token = CSRF.search(session.get(f"{url}/login").text).group(1)
    response = session.post(
        f"{url}/login", data={"email": user.email, "password": password, "csrf_token": token}, allow_redirects=False
    )
    assert response.status_code == 302, response.text[:300]
    return session


def form_token(session: requests.Session, page_url: str) -> str:
    return CSRF.search(session.get(page_url).text).group(1)
