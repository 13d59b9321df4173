"""`flask calendars import` and `flask calendars sync` against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from courtwatch.courts.hearing_models import Hearing
from courtwatch.db import db
from courtwatch.imports.models import CalendarSource
from courtwatch.imports.sync import normalise_url, subscribe, sync_all
from tests.imports.conftest import ics, vevent

SOON = (datetime.now(UTC) + timedelta(days=5)).strftime("%Y%m%d")


def count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Hearing))


def test_cli_import_dry_run_then_real(runner, make_courthouse, tmp_path):
    courthouse = make_courthouse(slug="cli-court")
    path = tmp_path / "docket.csv"
    path.write_text("Case Number,Date,Time,Courtroom\nA-1,2099-01-05,9:00 AM,3\nA-2,1/6/2099,14:00,4\n")
    result = runner.invoke(args=["calendars", "import", str(path), "--courthouse", "cli-court", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "add 2" in result.output and count() == 0
    result = runner.invoke(args=["calendars", "import", str(path), "--courthouse", "cli-court"])
    assert result.exit_code == 0 and count() == 2
    result = runner.invoke(
        args=["calendars", "import", str(path), "--courthouse", "cli-court", "--mapping", "docket.csv"]
    )
    assert result.exit_code == 0 and "unchanged 2" in result.output
    assert courthouse.id


def test_cli_refused_file_exits_2_with_one_line(runner, make_courthouse, tmp_path):
    make_courthouse(slug="cli-court")
    path = tmp_path / "broken.ics"
    path.write_bytes(b"not a calendar at all")
    result = runner.invoke(args=["calendars", "import", str(path), "--courthouse", "cli-court"])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Error:" in result.stderr
    result = runner.invoke(args=["calendars", "import", str(path), "--courthouse", "nowhere"])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1


def test_sync_uses_conditional_get_and_records_outcome(app, make_courthouse, calendar_server):
    # One of two hearings gone is half the calendar: held for review by default (tests/imports/test_safeguards.py).
    app.config["IMPORT_HOLD_CANCEL_PERCENT"] = 100
    courthouse = make_courthouse()
    calendar_server.files["/court.ics"] = ics(vevent("s1", f":{SOON}T140000Z"), vevent("s2", f":{SOON}T160000Z"))
    calendar_server.redirects["/old.ics"] = "/court.ics"
    source = subscribe(None, courthouse, "Court site", calendar_server.url("/old.ics"))
    db.session.commit()
    sync_all()
    db.session.commit()
    assert count() == 2 and source.last_status == "ok" and source.etag
    sync_all()
    db.session.commit()
    assert source.last_status == "not_modified"
    assert [status for _path, status in calendar_server.requests] == [302, 200, 302, 304]
    # The calendar changes: one hearing gone -> cancelled, not deleted.
    calendar_server.files["/court.ics"] = ics(vevent("s1", f":{SOON}T140000Z"))
    sync_all()
    db.session.commit()
    assert count() == 2
    assert db.session.scalar(select(func.count()).select_from(Hearing).where(Hearing.status == "cancelled")) == 1
    # A server error is recorded on the source, not raised.
    calendar_server.files.pop("/court.ics")
    sync_all()
    db.session.commit()
    assert source.last_status == "error" and "404" in source.last_error


def test_sync_size_cap(app, make_courthouse, calendar_server, runner):
    courthouse = make_courthouse()
    calendar_server.files["/big.ics"] = ics(vevent("b", f":{SOON}T140000Z", summary="x" * 5000))
    subscribe(None, courthouse, "Big", calendar_server.url("/big.ics"))
    db.session.commit()
    app.config["IMPORT_MAX_BYTES"] = 1000
    result = runner.invoke(args=["calendars", "sync"])
    assert result.exit_code == 0 and "larger than the import limit" in result.output
    assert count() == 0


def test_only_https_and_webcal_are_accepted(app):
    assert normalise_url("webcal://example.org/c.ics") == "https://example.org/c.ics"
    assert normalise_url("https://example.org/c.ics") == "https://example.org/c.ics"
    for bad in ("http://example.org/c.ics", "file:///etc/passwd", "ftp://example.org/x", "javascript:alert(1)"):
        try:
            normalise_url(bad)
        except Exception as error:  # DomainError with a message
            assert "https://" in str(error)
        else:
            raise AssertionError(bad)
    app.config["CALENDAR_ALLOW_LOOPBACK"] = False
    try:
        normalise_url("http://127.0.0.1:8000/c.ics")
    except Exception as error:
        assert "https://" in str(error)
    else:
        raise AssertionError("http to localhost allowed in production")


def test_subscribe_through_the_page(coordinator_client, make_courthouse, calendar_server):
    courthouse = make_courthouse()
    calendar_server.files["/c.ics"] = ics(vevent("p1", f":{SOON}T140000Z"))
    response = coordinator_client.post(
        "/calendars/subscribe",
        data={
            "subscribe-url": calendar_server.url("/c.ics"),
            "subscribe-courthouse": str(courthouse.id),
            "subscribe-name": "Clerk calendar",
        },
    )
    assert response.status_code == 302
    assert count() == 1
    page = coordinator_client.get("/calendars").get_data(as_text=True)
    assert "Clerk calendar" in page and "ok" in page
    bad = coordinator_client.post(
        "/calendars/subscribe",
        data={"subscribe-url": "ftp://example.org/x.ics", "subscribe-courthouse": str(courthouse.id)},
    )
    assert bad.status_code == 422 and "https://" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CalendarSource)) == 1


def test_subscription_to_a_private_network_address_is_recorded_as_refused(app, make_courthouse):
    """A subscription must not let anyone make the server probe its own network."""
    courthouse = make_courthouse()
    source = subscribe(None, courthouse, "Intranet", "https://10.0.0.8/calendar.ics")
    sync_all()
    assert source.last_status == "error"
    assert "private network" in source.last_error
    assert db.session.scalar(select(func.count()).select_from(Hearing)) == 0


def test_cli_subscribe_then_sync(runner, make_courthouse, calendar_server):
    make_courthouse(slug="sub-court")
    calendar_server.files["/court.ics"] = ics(vevent("c1", f":{SOON}T140000Z"))
    result = runner.invoke(
        args=["calendars", "subscribe", calendar_server.url("/court.ics"), "--courthouse", "sub-court"]
    )
    assert result.exit_code == 0 and "first sync ok" in result.output, result.output
    assert count() == 1
    result = runner.invoke(args=["calendars", "sync"])
    assert result.exit_code == 0 and "not_modified" in result.output
    bad = runner.invoke(args=["calendars", "subscribe", "ftp://example.org/x.ics", "--courthouse", "sub-court"])
    assert bad.exit_code == 2 and len(bad.stderr.strip().splitlines()) == 1
