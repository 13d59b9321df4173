"""What every request pays: no limiter where no limit applies, no COMMIT after a read, headers
built once, no user or session record loaded where nothing needs them; CLI start-up without the
heavy modules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, select

from courtwatch.auth.security_models import UserSession
from courtwatch.db import db
from courtwatch.extensions import limiter
from courtwatch.shifts import services as shift_services
from courtwatch.shifts.models import ShiftSignup
from courtwatch.web import CONTENT_SECURITY_POLICY

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def sql_seen():
    """Every statement sent and every COMMIT, as the database driver gets them."""
    seen = {"statements": [], "commits": 0}

    def note(_conn, _cursor, statement, *_args):
        seen["statements"].append(statement)

    def commit(_conn):
        seen["commits"] += 1

    event.listen(db.engine, "before_cursor_execute", note)
    event.listen(db.engine, "commit", commit)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
        event.remove(db.engine, "commit", commit)


def _shift(make_courthouse, days=3):
    from datetime import UTC, datetime

    start = (datetime.now(UTC) + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    shift = shift_services.create_shift(
        None, courthouse=make_courthouse(), kind="observation", starts_at=start, ends_at=start + timedelta(hours=3)
    )
    db.session.commit()
    return shift


# ---------------------------------------------------------------- the rate limiter
def test_the_limiter_checks_only_routes_that_have_a_limit(app):
    hooks = app.before_request_funcs.get(None, [])
    assert limiter._check_request_limit not in hooks
    # The routes with a limit still carry it (their decorator checks it; tests of feeds, the
    # forgotten-password form and the open-data API see the 429s).
    for endpoint in ("feeds.feed", "auth.forgot_password", "api.summary"):
        view = app.view_functions.get(endpoint)
        assert view is not None and getattr(view, "__wrapper-limiter-instance", None) == limiter, endpoint


def test_a_limited_route_still_answers_429(app, client, make_user):
    from courtwatch.feeds import services as feed_services

    app.config["FEED_RATE_LIMIT"] = "2 per hour"
    _token, plaintext = feed_services.create_token(make_user(name="Paula Poller"))
    db.session.commit()
    statuses = [client.get(f"/feeds/{plaintext}.ics").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


# ---------------------------------------------------------------- one transaction, committed only when it wrote
def test_a_get_that_changes_nothing_issues_no_commit(volunteer_client, client, make_courthouse):
    _shift(make_courthouse)
    volunteer_client.get("/shifts")  # the session record's last-seen time is fresh from the login
    for who, path in ((client, "/healthz"), (client, "/login"), (volunteer_client, "/healthz")):
        with sql_seen() as seen:
            assert who.get(path).status_code == 200
        assert seen["commits"] == 0, path
    for path in ("/shifts", "/me/shifts", "/account"):
        with sql_seen() as seen:
            assert volunteer_client.get(path).status_code == 200
        assert seen["statements"], path  # it did read...
        assert seen["commits"] == 0, path  # ...and wrote nothing


def test_a_request_that_writes_still_commits(volunteer_client, volunteer, make_courthouse):
    shift = _shift(make_courthouse)
    with sql_seen() as seen:
        response = volunteer_client.post(f"/shifts/{shift.id}/claim", data={"next": "/shifts"})
    assert response.status_code == 302
    assert seen["commits"] == 1
    db.session.expire_all()
    assert db.session.scalar(select(ShiftSignup.status).where(ShiftSignup.shift_id == shift.id)) == "claimed"


def test_a_get_that_refreshes_the_session_record_commits_it(volunteer_client, volunteer):
    """The last-seen time is written at most once a minute: that GET writes, and must commit."""
    record = db.session.scalar(select(UserSession).where(UserSession.user_id == volunteer.id))
    stale = record.last_seen_at - timedelta(minutes=5)
    record.last_seen_at = stale
    db.session.commit()
    with sql_seen() as seen:
        assert volunteer_client.get("/me/shifts").status_code == 200
    assert seen["commits"] == 1
    db.session.expire_all()
    assert db.session.get(UserSession, record.id).last_seen_at > stale


# ---------------------------------------------------------------- headers, and no user loaded for them
def test_security_headers_on_every_kind_of_response(client, volunteer_client):
    for who, path, status in (
        (client, "/healthz", 200),
        (client, "/login", 200),
        (client, "/no/such/page", 404),
        (volunteer_client, "/shifts", 200),
    ):
        response = who.get(path)
        assert response.status_code == status
        headers = response.headers
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Frame-Options"] == "DENY"
        assert len(headers.getlist("Content-Security-Policy")) == 1
    assert "Cache-Control" not in client.get("/healthz").headers
    assert volunteer_client.get("/shifts").headers["Cache-Control"] == "no-store"


def test_a_page_that_needs_no_user_loads_none(volunteer_client):
    """/healthz for a signed-in browser: no user, no session record, no SQL at all; still no-store."""
    with sql_seen() as seen:
        response = volunteer_client.get("/healthz")
    assert response.status_code == 200
    assert seen["statements"] == []
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers  # nothing in the session changed


# ---------------------------------------------------------------- CLI start-up
def _command_env(tmp_path) -> dict:
    """A fresh process's environment: an empty SQLite file and instance folder of its own."""
    return dict(
        os.environ,
        COURTWATCH_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite'}",
        COURTWATCH_SECRET_KEY="c" * 40,
        COURTWATCH_ENV_NAME="testing",
        COURTWATCH_INSTANCE_PATH=str(tmp_path / "instance"),
    )


def _imported_by(*arguments: str, tmp_path) -> set[str]:
    env = _command_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "flask", "--app", "courtwatch", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}


HEAVY = {
    "alembic",
    "openpyxl",
    "matplotlib",
    "webauthn",
    "icalendar",
    "numpy",
    # Web push and SMS (aiohttp behind pywebpush), photos, QR codes, Markdown, phone numbers:
    # loaded by what sends, draws or reads them, not by every command.
    "aiohttp",
    "pywebpush",
    "requests",
    "PIL",
    "segno",
    "markdown_it",
    "phonenumbers",
}


def test_cli_commands_start_without_the_heavy_modules(tmp_path):
    # (`flask --help` itself describes every command, db included, so it may load alembic.)
    for arguments in (("notify", "--help"), ("shifts", "--help"), ("reports", "--help"), ("calendars", "--help")):
        assert _imported_by(*arguments, tmp_path=tmp_path) & HEAVY == set(), arguments
    # The db command still comes, bringing alembic only when asked for (and the check can see it).
    assert "alembic" in _imported_by("db", "--help", tmp_path=tmp_path)


def _flask(*arguments: str, tmp_path) -> subprocess.CompletedProcess:
    env = _command_env(tmp_path)
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "courtwatch", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cron_commands_load_only_their_own_area(tmp_path):
    """`notify send-due` runs every minute on every host: no view module, no other area's
    commands; the routes and the other commands are still there when asked for."""
    assert _flask("db", "upgrade", tmp_path=tmp_path).returncode == 0
    modules = _imported_by("notify", "send-due", tmp_path=tmp_path)
    assert modules & HEAVY == set()
    assert not [name for name in modules if name.endswith("views")]
    assert not {"courtwatch.shifts.cli", "courtwatch.reports.cli", "courtwatch.imports.cli"} & modules
    # The partial indexes get their WHERE when an engine is bound: a SQLite host's command no
    # longer imports PostgreSQL's dialect (~25 ms) for `postgresql_where` options.
    assert not [name for name in modules if name.startswith("sqlalchemy.dialects.postgresql")]
    routes = _flask("routes", tmp_path=tmp_path)
    assert routes.returncode == 0 and "shifts.index" in routes.stdout and "/feeds/<token>.ics" in routes.stdout
    helped = _flask("--help", tmp_path=tmp_path)
    for name in ("users", "shifts", "reports", "calendars", "storage", "oncall", "db"):
        assert f"  {name} " in helped.stdout, name
    # A command whose output holds a link loads the routes to build it.
    made = _flask(
        "users",
        "create",
        "--email",
        "linked@example.org",
        "--role",
        "coordinator",
        "--password",
        "correct horse battery staple",
        tmp_path=tmp_path,
    )
    assert made.returncode == 0, made.stderr[-2000:]
    link = _flask("users", "enrolment-link", "linked@example.org", tmp_path=tmp_path)
    assert link.returncode == 0, link.stderr[-2000:]
    assert "/two-factor/enrol/" in link.stdout, link.stdout


def test_start_up_runs_without_the_cycle_collector_and_freezes_what_it_built(tmp_path):
    """About a fifth of a command's start-up CPU was the collector walking the modules, classes
    and mappers being built (courtwatch.startup). The app now starts with no collection at all,
    leaves the collector on, and its start-up objects in the permanent generation."""
    script = (
        "import gc, json\n"
        "gc.collect()\n"
        "before = [g['collections'] for g in gc.get_stats()]\n"
        "from courtwatch import create_app\n"
        "app = create_app()\n"
        "after = [g['collections'] for g in gc.get_stats()]\n"
        "print(json.dumps({'collections': [a - b for a, b in zip(after, before)],"
        " 'enabled': gc.isenabled(), 'frozen': gc.get_freeze_count()}))\n"
    )
    env = _command_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    young, middle, old = seen["collections"]
    assert young <= 5 and middle == old == 0  # (importing the package's first lines is not paused)
    assert seen["enabled"] is True
    assert seen["frozen"] > 10_000  # the models, mappers and modules


def test_partial_indexes_carry_their_where_on_the_bound_database(app):
    from sqlalchemy.schema import CreateIndex

    from courtwatch.reports.models import LINKED_REPORT_INDEX

    signup_live = next(i for i in ShiftSignup.__table__.indexes if i.name == "uq_shift_signup_live")
    for index, where in ((signup_live, "status IN ('claimed', 'waitlisted')"), (LINKED_REPORT_INDEX, "IS NOT NULL")):
        assert where in str(CreateIndex(index).compile(dialect=db.engine.dialect)), index.name
