"""A sync never cancels what it did not read, and a mass cancellation waits for a coordinator.

Issue 13, findings 1 and 2: a big feed cancelled hearings that were still on (a cap on the whole
calendar), and re-imports flapped because expansion stopped on a wall-clock budget.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from courtwatch.courts.hearing_models import Hearing
from courtwatch.db import db
from courtwatch.imports.models import CalendarSource
from courtwatch.imports.sync import subscribe, sync_all
from courtwatch.notify.models import OutboxMessage
from tests.imports.conftest import ics, vevent

DAY = (datetime.now(UTC) + timedelta(days=3)).replace(hour=13, minute=0, second=0, microsecond=0)


def at(offset_minutes: int) -> str:
    return f":{DAY + timedelta(minutes=offset_minutes):%Y%m%dT%H%M%SZ}"


def counts() -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(select(Hearing.status, func.count()).group_by(Hearing.status))
    return dict(rows.all())


def mails(subject_part: str) -> list[OutboxMessage]:
    return [m for m in db.session.scalars(select(OutboxMessage)) if subject_part in m.subject]


def synced(source_id: int) -> CalendarSource:
    db.session.expire_all()
    return db.session.get(CalendarSource, source_id)


def test_cap_is_per_recurring_event_so_a_big_feed_cancels_nothing(app, make_courthouse, calendar_server):
    """Finding 1: new events at the top of a feed pushed the last ones past a whole-calendar cap."""
    app.config["IMPORT_MAX_INSTANCES"] = 100
    courthouse = make_courthouse()
    events = [vevent(f"h{n}", at(n)) for n in range(150)]
    calendar_server.files["/big.ics"] = ics(*events)
    source = subscribe(None, courthouse, "Big", calendar_server.url("/big.ics"))
    db.session.commit()
    sync_all()
    db.session.commit()
    assert counts() == {"scheduled": 150}
    earlier = [vevent(f"early{n}", at(-600 + n)) for n in range(30)]
    calendar_server.files["/big.ics"] = ics(*earlier, *events)
    sync_all()
    db.session.commit()
    assert counts() == {"scheduled": 180}
    assert synced(source.id).last_status == "ok"


def test_a_capped_series_is_a_partial_read_that_cancels_nothing_and_tells_coordinators(
    app, make_courthouse, make_user, calendar_server
):
    app.config["IMPORT_MAX_INSTANCES"] = 5
    make_user(role="coordinator", email="lead@example.org")
    courthouse = make_courthouse()
    calendar_server.files["/c.ics"] = ics(vevent("one-off", at(0)), vevent("other", at(60)))
    source = subscribe(None, courthouse, "Court", calendar_server.url("/c.ics"))
    db.session.commit()
    sync_all()
    db.session.commit()
    # The feed now holds a daily series beyond the cap, and "other" is gone.
    calendar_server.files["/c.ics"] = ics(vevent("one-off", at(0)), vevent("daily", at(30), extra="RRULE:FREQ=DAILY"))
    sync_all()
    db.session.commit()
    assert counts() == {"scheduled": 2 + 5}
    source = synced(source.id)
    assert source.last_status == "partial" and "COURTWATCH_IMPORT_MAX_INSTANCES" in source.last_error
    assert [m.to_address for m in mails("read only in part")] == ["lead@example.org"]
    # The same partial feed again: nothing new to tell.
    sync_all()
    db.session.commit()
    assert len(mails("read only in part")) == 1


def test_truncated_download_cancels_nothing(app, make_courthouse, make_user, calendar_server):
    make_user(role="coordinator")
    courthouse = make_courthouse()
    body = ics(*[vevent(f"h{n}", at(n)) for n in range(5)])
    calendar_server.files["/c.ics"] = body
    source = subscribe(None, courthouse, "Court", calendar_server.url("/c.ics"))
    db.session.commit()
    sync_all()
    db.session.commit()
    # The server's body stops after the second event, without END:VCALENDAR.
    cut = body[: body.index(b"BEGIN:VEVENT\r\nUID:h2")]
    calendar_server.files["/c.ics"] = cut
    sync_all()
    db.session.commit()
    assert counts() == {"scheduled": 5}
    assert synced(source.id).last_status in ("partial", "error")
    # A connection that closes before the declared Content-Length: the same.
    calendar_server.files["/c.ics"] = body[: len(body) - 40]
    calendar_server.declared_lengths["/c.ics"] = len(body)
    sync_all()
    db.session.commit()
    assert counts() == {"scheduled": 5}
    assert synced(source.id).last_status in ("partial", "error")
    assert mails("Calendar")


def test_empty_calendar_or_server_error_cancels_nothing_and_tells_coordinators(
    app, make_courthouse, make_user, calendar_server
):
    make_user(role="coordinator", email="lead@example.org")
    courthouse = make_courthouse()
    calendar_server.files["/c.ics"] = ics(vevent("a", at(0)), vevent("b", at(60)))
    source = subscribe(None, courthouse, "Court", calendar_server.url("/c.ics"))
    db.session.commit()
    sync_all()
    db.session.commit()
    calendar_server.files["/c.ics"] = ics()
    sync_all()
    db.session.commit()
    assert counts() == {"scheduled": 2} and synced(source.id).last_status == "error"
    calendar_server.files.pop("/c.ics")
    sync_all()
    db.session.commit()
    assert counts() == {"scheduled": 2}
    assert len(mails("update failed")) == 2


def test_mass_cancellation_is_held_for_review_then_applied(app, make_courthouse, make_user, calendar_server, login_as):
    coordinator = make_user(role="coordinator", email="lead@example.org")
    courthouse = make_courthouse()
    events = [vevent(f"h{n}", at(n)) for n in range(30)]
    calendar_server.files["/c.ics"] = ics(*events)
    source = subscribe(None, courthouse, "County docket", calendar_server.url("/c.ics"))
    db.session.commit()
    sync_all()
    db.session.commit()
    calendar_server.files["/c.ics"] = ics(*events[:5], vevent("new", at(500)))
    sync_all()
    db.session.commit()
    # 25 of 30 would go: nothing is applied, not even the addition.
    assert counts() == {"scheduled": 30}
    source = synced(source.id)
    assert source.last_status == "held" and source.held_token
    assert [m.to_address for m in mails("held for review")] == ["lead@example.org"]
    client = login_as(coordinator)
    page = client.get("/calendars").get_data(as_text=True)
    assert "held for your review" in page and "County docket" in page
    page = client.get(f"/calendars/sources/{source.id}/held").get_data(as_text=True)
    assert "25 to cancel" in page and "1 to add" in page
    # Without the tick nothing happens; with it the plan is applied as previewed.
    client.post(f"/calendars/sources/{source.id}/held/apply")
    assert counts() == {"scheduled": 30}
    client.post(f"/calendars/sources/{source.id}/held/apply", data={"confirm_cancellations": "1"})
    assert counts() == {"scheduled": 6, "cancelled": 25}
    assert synced(source.id).held_token is None


def test_hold_by_share_of_future_hearings(app, make_courthouse, make_user, calendar_server):
    make_user(role="coordinator")
    courthouse = make_courthouse()
    events = [vevent(f"h{n}", at(n)) for n in range(10)]
    calendar_server.files["/c.ics"] = ics(*events)
    source = subscribe(None, courthouse, "Small", calendar_server.url("/c.ics"))
    db.session.commit()
    sync_all()
    db.session.commit()
    calendar_server.files["/c.ics"] = ics(*events[:8])  # 20 % > 10 %
    sync_all()
    db.session.commit()
    assert synced(source.id).last_status == "held" and counts() == {"scheduled": 10}
    app.config["IMPORT_HOLD_CANCEL_PERCENT"] = 25
    sync_all()
    db.session.commit()
    assert synced(source.id).last_status == "ok" and counts() == {"scheduled": 8, "cancelled": 2}


def test_cli_holds_a_mass_cancellation_unless_confirmed(runner, make_courthouse, tmp_path):
    make_courthouse(slug="cli-court")
    path = tmp_path / "court.ics"
    path.write_bytes(ics(*[vevent(f"h{n}", at(n)) for n in range(30)]))
    assert runner.invoke(args=["calendars", "import", str(path), "--courthouse", "cli-court"]).exit_code == 0
    path.write_bytes(ics(vevent("h0", at(0))))
    result = runner.invoke(args=["calendars", "import", str(path), "--courthouse", "cli-court"])
    assert result.exit_code == 0 and "cancel 29" in result.output and "held:" in result.output
    assert counts() == {"scheduled": 30}
    result = runner.invoke(
        args=["calendars", "import", str(path), "--courthouse", "cli-court", "--confirm-cancellations"]
    )
    assert result.exit_code == 0 and counts() == {"scheduled": 1, "cancelled": 29}


def test_same_file_same_plan_under_load(runner, app, make_courthouse, corpora_dir):
    """Finding 2: the Outlook weekday series gave add 37, cancel 9, change 2 on three runs."""
    app.config["IMPORT_WINDOW_DAYS"] = 400
    make_courthouse(slug="standup-court", timezone="Australia/Sydney")
    path = f"{corpora_dir}/ics/ical4j__Standup.ics"
    burners = [
        subprocess.Popen([sys.executable, "-c", "import time\nend = time.time() + 240\nwhile time.time() < end: pass"])
        for _ in range(2)
    ]
    try:
        outputs = [
            runner.invoke(args=["calendars", "import", path, "--courthouse", "standup-court"]).output for _ in range(3)
        ]
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    first = outputs[0].splitlines()
    assert int(next(line for line in first if line.startswith("add ")).split()[1]) > 250, outputs[0]
    for output in outputs[1:]:
        lines = output.splitlines()
        assert {"add 0", "change 0", "cancel 0"} <= set(lines), output
        assert "partial" not in output
