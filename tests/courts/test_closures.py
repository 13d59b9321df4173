"""Closure days (issue 13, "Closures"): typed in or imported from a holiday calendar, for one
courthouse or a whole state; a preview lists the shifts a new closure would cancel, and only
the confirmation cancels them and emails their volunteers (through the real SMTP server).

Dates are computed from today in each courthouse's zone, so the tests mean the same thing on
any day and in any process zone (CI: TZ=Pacific/Auckland).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from io import BytesIO

import pytest
from sqlalchemy import func, select

from courtwatch.auth.models import Role
from courtwatch.courts.closure_models import CourtClosure
from courtwatch.db import db, utcnow
from courtwatch.notify.services import send_due
from courtwatch.shifts import services as shift_services
from courtwatch.shifts.models import Shift
from tests.conftest import form_errors


def _local_today(courthouse) -> date:
    return courthouse.local(utcnow()).date()


def _shift_on(courthouse, day: date, hour: int = 9, kind: str = "observation") -> Shift:
    starts = datetime.combine(day, time(hour), tzinfo=courthouse.zone)
    shift = shift_services.create_shift(
        None, courthouse=courthouse, kind=kind, starts_at=starts, ends_at=starts + timedelta(hours=3), capacity=3
    )
    db.session.commit()
    return shift


def _claim(login_as, user, shift) -> None:
    assert login_as(user).post(f"/shifts/{shift.id}/claim").status_code == 302


def _status(shift_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Shift, shift_id).status


def _closure_count() -> int:
    return db.session.scalar(select(func.count()).select_from(CourtClosure))


def _hidden(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="hidden" name="{name}" value="([^"]*)">', html)


def _confirm_data(html: str) -> dict:
    return {
        "scope": _hidden(html, "scope")[0],
        "source": _hidden(html, "source")[0],
        "day": _hidden(html, "day"),
        "label": [label.replace("&#39;", "'") for label in _hidden(html, "label")],
    }


def test_a_typed_closure_previews_then_cancels_and_tells_the_volunteers(
    coordinator_client, make_courthouse, make_user, login_as, mailbox
):
    courthouse = make_courthouse(timezone="America/Los_Angeles", state="CA")
    day = _local_today(courthouse) + timedelta(days=9)
    watch = _shift_on(courthouse, day)
    other_day = _shift_on(courthouse, day + timedelta(days=1))
    accompaniment = _shift_on(courthouse, day, hour=13, kind="accompaniment")
    volunteers = [make_user(), make_user()]
    for volunteer in volunteers:
        _claim(login_as, volunteer, watch)
    send_due()
    mailbox.clear()

    preview = coordinator_client.post(
        "/closures/preview",
        data={"scope": f"courthouse:{courthouse.id}", "day": day.isoformat(), "label": "Staff training day"},
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Close the days and cancel the shifts" in html and "1 shift to cancel" in html
    assert f"/coordinator/shifts/{watch.id}" in html and "2 volunteers on it" in html
    assert f"/coordinator/shifts/{accompaniment.id}" in html and "Kept: its hearing" in html
    assert f"/coordinator/shifts/{other_day.id}" not in html
    assert _closure_count() == 0 and _status(watch.id) == "open"  # a preview saves nothing

    confirm = coordinator_client.post("/closures/confirm", data=_confirm_data(html))
    assert confirm.status_code == 303
    assert (_status(watch.id), _status(other_day.id), _status(accompaniment.id)) == ("cancelled", "open", "open")
    closure = db.session.scalar(select(CourtClosure))
    assert (closure.day, closure.label, closure.courthouse_id, closure.state) == (
        day,
        "Staff training day",
        courthouse.id,
        None,
    )

    send_due()
    for volunteer in volunteers:
        notices = [m for m in mailbox.to(volunteer.email) if m["Subject"].startswith("Shift cancelled")]
        assert len(notices) == 1
        body = mailbox.body(notices[0])
        assert "You do not need to go." in body and "The courthouse is closed that day (Staff training day)." in body

    # A second click on the same confirmation adds nothing and mails nobody again.
    again = coordinator_client.post("/closures/confirm", data=_confirm_data(html))
    assert again.status_code == 303 and _closure_count() == 1
    send_due()
    assert all(len(mailbox.to(v.email)) == 1 for v in volunteers)
    listing = coordinator_client.get("/closures").get_data(as_text=True)
    assert "Staff training day" in listing and "Nothing new: these days were closed already." in listing


def test_a_state_wide_closure_from_the_cli(runner, make_courthouse):
    boston = make_courthouse(state="MA", slug="boston")
    springfield = make_courthouse(state="MA", slug="springfield")
    providence = make_courthouse(state="RI", slug="providence")
    day = _local_today(boston) + timedelta(days=12)
    shifts = {court.slug: _shift_on(court, day) for court in (boston, springfield, providence)}

    dry = runner.invoke(
        args=["closures", "add", "--date", day.isoformat(), "--state", "MA", "--label", "Storm", "--dry-run"]
    )
    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines()[:4] == ["close 1", "already closed 0", "cancel 2", "keep 0"]
    assert "dry run: nothing written" in dry.output
    assert _closure_count() == 0 and _status(shifts["boston"].id) == "open"

    real = runner.invoke(args=["closures", "add", "--date", day.isoformat(), "--state", "ma", "--label", "Storm"])
    assert real.exit_code == 0, real.output
    assert "saved 1 closure days for Every courthouse in MA; 2 shifts cancelled" in real.output
    assert _status(shifts["boston"].id) == _status(shifts["springfield"].id) == "cancelled"
    assert _status(shifts["providence"].id) == "open"
    closure = db.session.scalar(select(CourtClosure))
    assert (closure.state, closure.courthouse_id, closure.label) == ("MA", None, "Storm")

    next_day = day + timedelta(days=1)
    later = _shift_on(providence, next_day)
    planned = runner.invoke(
        args=[
            "closures",
            "add",
            "--date",
            next_day.isoformat(),
            "--courthouse",
            "providence",
            "--label",
            "Flood",
            "--dry-run",
        ]
    )
    assert planned.exit_code == 0, planned.output
    lines = planned.output.splitlines()
    assert lines[:4] == ["close 1", "already closed 0", "cancel 1", "keep 0"]
    assert any(line.startswith(f"cancel: {next_day.isoformat()} {providence.name}") for line in lines)
    assert _status(later.id) == "open" and _closure_count() == 1
    listed = runner.invoke(args=["closures", "list"])
    assert "state MA" in listed.output and "Storm" in listed.output


def _holiday_calendar(today: date) -> bytes:
    soon = today + timedelta(days=20)
    recess_start = today + timedelta(days=40)
    past = today - timedelta(days=30)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Courtwatch tests//Holidays//EN",
        # A yearly holiday written once, years ago, as holiday calendars do.
        "BEGIN:VEVENT",
        "UID:christmas@test",
        "DTSTAMP:20200101T000000Z",
        "DTSTART;VALUE=DATE:20201225",
        "DTEND;VALUE=DATE:20201226",
        "RRULE:FREQ=YEARLY",
        "SUMMARY:Christmas Day",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:soon@test",
        "DTSTAMP:20200101T000000Z",
        f"DTSTART;VALUE=DATE:{soon:%Y%m%d}",
        "SUMMARY:Court Holiday",
        "END:VEVENT",
        # Three days of winter recess: three closed days.
        "BEGIN:VEVENT",
        "UID:recess@test",
        "DTSTAMP:20200101T000000Z",
        f"DTSTART;VALUE=DATE:{recess_start:%Y%m%d}",
        f"DTEND;VALUE=DATE:{recess_start + timedelta(days=3):%Y%m%d}",
        "SUMMARY:Winter recess",
        "END:VEVENT",
        # A meeting with a time of day: not a closure.
        "BEGIN:VEVENT",
        "UID:meeting@test",
        "DTSTAMP:20200101T000000Z",
        f"DTSTART:{soon:%Y%m%d}T140000Z",
        f"DTEND:{soon:%Y%m%d}T150000Z",
        "SUMMARY:Bar association lunch",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:past@test",
        "DTSTAMP:20200101T000000Z",
        f"DTSTART;VALUE=DATE:{past:%Y%m%d}",
        "SUMMARY:Already over",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def _expected_days(today: date) -> dict[date, str]:
    recess = today + timedelta(days=40)
    expected = {today + timedelta(days=20): "Court Holiday"}
    expected.update({recess + timedelta(days=n): "Winter recess" for n in range(3)})
    for year in range(today.year, today.year + 3):
        christmas = date(year, 12, 25)
        if today <= christmas <= today + timedelta(days=731):
            expected.setdefault(christmas, "Christmas Day")
    return expected


def test_holiday_calendar_import_previews_then_saves(coordinator_client, make_courthouse):
    courthouse = make_courthouse(state="NY", timezone="America/New_York")
    today = _local_today(courthouse)
    watch = _shift_on(courthouse, today + timedelta(days=20))
    upload = coordinator_client.post(
        "/closures/import",
        data={"scope": "state:NY", "calendar_file": (BytesIO(_holiday_calendar(today)), "holidays.ics")},
        content_type="multipart/form-data",
    )
    html = upload.get_data(as_text=True)
    assert upload.status_code == 200, form_errors(html)
    expected = _expected_days(today)
    assert _hidden(html, "day") == [day.isoformat() for day in sorted(expected)]
    assert "1 events with a time of day were left out" in html
    assert "1 days before today were left out." in html
    assert "Bar association lunch" not in html and "Already over" not in html
    assert f"/coordinator/shifts/{watch.id}" in html
    assert _closure_count() == 0

    assert coordinator_client.post("/closures/confirm", data=_confirm_data(html)).status_code == 303
    saved = {c.day: c.label for c in db.session.scalars(select(CourtClosure))}
    assert saved == expected
    assert {c.source for c in db.session.scalars(select(CourtClosure))} == {"calendar"}
    assert _status(watch.id) == "cancelled"

    # Importing the same calendar again finds every day closed already.
    again = coordinator_client.post(
        "/closures/import",
        data={"scope": "state:NY", "calendar_file": (BytesIO(_holiday_calendar(today)), "holidays.ics")},
        content_type="multipart/form-data",
    )
    assert "Every one of these days is closed already" in again.get_data(as_text=True)


def test_holiday_calendar_import_from_the_cli(runner, make_courthouse, tmp_path):
    courthouse = make_courthouse(slug="albany", state="NY")
    today = _local_today(courthouse)
    path = tmp_path / "holidays.ics"
    path.write_bytes(_holiday_calendar(today))
    dry = runner.invoke(args=["closures", "import", str(path), "--courthouse", "albany", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"close {len(_expected_days(today))}" in dry.output.splitlines()
    assert _closure_count() == 0
    real = runner.invoke(args=["closures", "import", str(path), "--courthouse", "albany"])
    assert real.exit_code == 0, real.output
    assert _closure_count() == len(_expected_days(today))
    assert "note: 1 events with a time of day were left out" in real.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "--date", "2030-01-01", "--label", "X"], "give --courthouse SLUG or --state XX"),
        (["add", "--date", "2030-01-01", "--label", "X", "--state", "MA", "--courthouse", "c"], "one of them"),
        (["add", "--date", "25/12/2030", "--label", "X", "--state", "MA"], "YYYY-MM-DD"),
        (["add", "--date", "2030-01-01", "--label", " ", "--state", "MA"], "Say why the court is closed"),
        (["add", "--date", "2030-01-01", "--label", "X", "--state", "Massachusetts"], "two letters"),
        (["add", "--date", "2030-01-01", "--label", "X", "--state", "WY"], "No courthouse is in the state WY"),
        (["add", "--date", "2030-01-01", "--label", "X", "--courthouse", "nowhere"], "nowhere"),
        (["add", "--date", "2001-01-01", "--label", "X", "--state", "MA"], "has passed"),
        (["add", "--date", "2099-01-01", "--label", "X", "--state", "MA"], "more than two years ahead"),
        (["import", "/no/such/file.ics", "--state", "MA"], "cannot read /no/such/file.ics"),
        (["remove", "12345"], "No such closure"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(runner, make_courthouse, args, message):
    make_courthouse(state="MA")
    result = runner.invoke(args=["closures", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert _closure_count() == 0


def test_cli_refuses_a_file_that_is_not_a_calendar(runner, make_courthouse, tmp_path):
    make_courthouse(state="MA")
    path = tmp_path / "holidays.ics"
    path.write_text("date,name\n2030-12-25,Christmas\n")
    result = runner.invoke(args=["closures", "import", str(path), "--state", "MA"])
    assert result.exit_code == 2 and "not an iCalendar (.ics) file" in result.output


def test_web_bad_input_is_shown_beside_the_field_and_kept(coordinator_client, make_courthouse):
    courthouse = make_courthouse(state="MA")
    no_label = coordinator_client.post(
        "/closures/preview", data={"scope": f"courthouse:{courthouse.id}", "day": "2030-01-01", "label": ""}
    )
    assert no_label.status_code == 422 and form_errors(no_label.get_data(as_text=True))
    bad_scope = coordinator_client.post(
        "/closures/preview", data={"scope": "state:ZZ", "day": "2030-01-01", "label": "Snow day"}
    )
    html = bad_scope.get_data(as_text=True)
    assert bad_scope.status_code == 422 and "No courthouse is in the state ZZ." in form_errors(html)
    assert 'value="Snow day"' in html  # what was typed is kept
    past = coordinator_client.post(
        "/closures/preview",
        data={"scope": f"courthouse:{courthouse.id}", "day": "2001-01-01", "label": "Snow day"},
    )
    assert "2001-01-01 has passed; closures are for days to come." in form_errors(past.get_data(as_text=True))
    not_ics = coordinator_client.post(
        "/closures/import",
        data={"scope": "state:MA", "calendar_file": (BytesIO(b"\x89PNG\r\n\x1a\n"), "holidays.ics")},
        content_type="multipart/form-data",
    )
    assert not_ics.status_code == 422
    assert "This is not an iCalendar (.ics) file." in form_errors(not_ics.get_data(as_text=True))
    only_meetings = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n"
    empty = coordinator_client.post(
        "/closures/import",
        data={"scope": "state:MA", "calendar_file": (BytesIO(only_meetings), "holidays.ics")},
        content_type="multipart/form-data",
    )
    assert "no all-day event from today on" in empty.get_data(as_text=True)
    assert _closure_count() == 0


def test_only_coordinators_see_closures(make_user, login_as, make_courthouse):
    make_courthouse(state="MA")
    volunteer = login_as(make_user(Role.VOLUNTEER))
    assert volunteer.get("/closures").status_code == 403
    assert volunteer.post("/closures/preview", data={"scope": "state:MA"}).status_code == 403
