"""Test fixtures: a real database (SQLite, or PostgreSQL when COURTWATCH_TEST_DATABASE_URL is
set), a real SMTP server, factories, and clients logged in per role.

CSRF protection stays ON in tests. The test client signs a genuine Flask-WTF token into its
session and adds it to form posts, so every POST still passes the real CSRF check; tests that
want to prove the check itself post with ``csrf=False``.
"""

from __future__ import annotations

import contextvars
import hashlib
import os
import re
import secrets
import time
import uuid

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import text
from sqlalchemy.engine import make_url

from courtwatch import create_app
from courtwatch.auth import services as auth_services
from courtwatch.auth.models import AccountStatus, Role
from courtwatch.courts import services as court_services
from courtwatch.db import db

pytest_plugins = ["tests.support.mail", "tests.support.browser", "tests.support.servers"]

TEST_PASSWORD = "correct horse battery"
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
TEST_MASTER_KEY = "Y291cnR3YXRjaC10ZXN0LW1hc3Rlci1rZXktMzJieXQ="  # base64 of 32 bytes, tests only


# ---------------------------------------------------------------- skipped tests must not pass CI
def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("COURTWATCH_FORBID_SKIPS") and skipped:
        reporter.write_line(f"COURTWATCH_FORBID_SKIPS: {len(skipped)} test(s) skipped; failing the run", red=True)
        for report in skipped[:20]:
            reporter.write_line(f"  skipped: {report.nodeid} {report.longrepr[-1] if report.longrepr else ''}")
        session.exitstatus = 1


# ---------------------------------------------------------------- database
def _postgres_database(base_url: str):
    import psycopg

    url = make_url(base_url)
    name = f"courtwatch_test_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password,
        dbname=url.database or "postgres",
        autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    return admin, name, url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    base = os.environ.get("COURTWATCH_TEST_DATABASE_URL")
    if not base:
        path = tmp_path_factory.mktemp("db") / "courtwatch.sqlite"
        yield f"sqlite:///{path}"
        return
    admin, name, url = _postgres_database(base)
    try:
        yield url
    finally:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


@pytest.fixture(scope="session")
def is_postgres(database_url):
    return database_url.startswith("postgresql")


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": TEST_SECRET, "ENV_NAME": "testing"})
    with app.app_context():
        if database_url.startswith("sqlite"):
            with db.engine.connect() as connection:
                connection.execute(text("PRAGMA journal_mode=WAL"))
        db.create_all()
        db.engine.dispose()
    return database_url


def _empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def test_config(_schema, smtp_server, tmp_path):
    return {
        "ENV_NAME": "testing",
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "MASTER_KEY": TEST_MASTER_KEY,
        "DATABASE_URL": _schema,
        "BASE_URL": "http://localhost",
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": smtp_server.hostname,
        "SMTP_PORT": smtp_server.port,
        "STAFF_TWO_FACTOR": False,
        "RATELIMIT_STORAGE_URL": "memory://",
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        # A preview waits for its background read to end (tests that want the progress page lower it).
        "IMPORT_PREVIEW_WAIT_SECONDS": 600,
    }


@pytest.fixture
def app(test_config):
    app = create_app(test_config)
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


# ---------------------------------------------------------------- clients
class CsrfClient(FlaskClient):
    """A test client whose form posts carry a real CSRF token (add csrf=False to leave it out)."""

    def csrf_token(self) -> str:
        app = self.application
        with self.session_transaction() as session:
            if "csrf_token" not in session:
                session["csrf_token"] = hashlib.sha1(os.urandom(64)).hexdigest()
            raw = session["csrf_token"]
        return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)

    def open(self, *args, **kwargs):
        # Each request runs in a fresh context, as in production: its own app context, its own
        # database session and its own flask-login cache, not the ones the test body holds.
        return contextvars.Context().run(super().open, *args, **kwargs)

    def post(self, *args, csrf: bool = True, **kwargs):
        data = kwargs.get("data")
        if csrf and (data is None or isinstance(data, dict)) and "json" not in kwargs:
            data = dict(data or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().post(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = CsrfClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# ---------------------------------------------------------------- factories
@pytest.fixture
def make_user(app):
    counter = iter(range(1, 10_000))

    def make(
        role: str = Role.VOLUNTEER,
        status: str = AccountStatus.ACTIVE,
        email: str | None = None,
        password: str = TEST_PASSWORD,
        name: str | None = None,
        languages=("en",),
        trainings=(),
    ):
        number = next(counter)
        user = auth_services.create_user(
            email=email or f"{role}{number}-{secrets.token_hex(2)}@example.org",
            name=name or f"{role.title()} {number}",
            password=password,
            role=role,
            status=status,
            languages=list(languages),
        )
        for training_name in trainings:
            from datetime import date

            training = auth_services.get_or_create_training(training_name)
            auth_services.record_training(None, user, training, date.today())
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_courthouse(app):
    counter = iter(range(1, 10_000))

    def make(**values):
        number = next(counter)
        defaults = {
            "name": f"Test Courthouse {number}",
            "slug": f"test-court-{number}",
            "timezone": "America/New_York",
            "county": "Suffolk County",
            "state": "MA",
            "city": "Boston",
            "street_address": f"{number} Main Street",
            "court_types": ["criminal"],
        }
        courthouse = court_services.create_courthouse(None, **{**defaults, **values})
        db.session.commit()
        return courthouse

    return make


def login(client: CsrfClient, user, password: str = TEST_PASSWORD):
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


@pytest.fixture
def login_as(app):
    """Return a fresh client logged in as the given user: login_as(user)."""

    def make_client(user):
        app.test_client_class = CsrfClient
        new_client = app.test_client()
        login(new_client, user)
        return new_client

    return make_client


@pytest.fixture
def volunteer(make_user):
    return make_user(Role.VOLUNTEER, name="Vera Volunteer", languages=("en", "es"))


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.COORDINATOR, name="Cora Coordinator")


@pytest.fixture
def admin(make_user):
    return make_user(Role.ADMIN, name="Ada Admin")


@pytest.fixture
def volunteer_client(login_as, volunteer):
    return login_as(volunteer)


@pytest.fixture
def coordinator_client(login_as, coordinator):
    return login_as(coordinator)


@pytest.fixture
def admin_client(login_as, admin):
    return login_as(admin)


@pytest.fixture
def process_zone():
    """Put the server process's clock in another zone (``process_zone("Pacific/Auckland")``), as
    CI's PostgreSQL run does for the whole suite: nothing may read it. Restored afterwards."""
    before = os.environ.get("TZ")

    def move(zone: str) -> None:
        os.environ["TZ"] = zone
        time.tzset()

    yield move
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def form_errors(html: str) -> list[str]:
    """The error messages shown next to fields in a rendered form."""
    return re.findall(r'<p class="error"[^>]*>([^<]+)</p>', html)


@pytest.fixture(scope="session")
def corpora_dir():
    """../shared/corpora beside the project, or a skip when this clone does not have it."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..", "shared", "corpora")
    path = os.environ.get("COURTWATCH_CORPORA", path)
    if not os.path.isdir(path):
        pytest.skip("../shared/corpora is not beside this clone")
    return os.path.abspath(path)


@pytest.fixture
def sms():
    """The Twilio-style SMS provider on 127.0.0.1 (tests/support/providers.py); pair it with
    ``sms_settings(sms)`` in a test_config override."""
    from tests.support.providers import sms_provider

    service = sms_provider()
    yield service
    service.close()


@pytest.fixture
def push():
    """The push service on 127.0.0.1 that decrypts what it receives (tests/support/providers.py)."""
    from tests.support.providers import push_service

    service = push_service()
    yield service
    service.close()
