"""Patterns skip closure days (issue 13, finding 9), and repeat every week, every other week or
monthly on the nth weekday, at the courthouse's wall-clock time across daylight-saving changes.

Generation is run at a fixed ``now`` so the dates are the ones in the finding, whatever day the
suite runs; the process zone is whatever the run has (CI: Pacific/Auckland).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

from sqlalchemy import select

from courtwatch.courts import closures
from courtwatch.db import db
from courtwatch.shifts import patterns, recurrence
from courtwatch.shifts.models import Shift, ShiftPattern
from tests.conftest import form_errors

DECEMBER_FIRST = datetime(2026, 12, 1, 12, tzinfo=UTC)


def _pattern(courthouse, **values) -> ShiftPattern:
    defaults = {"weekdays": "1234567", "start_time": time(9, 0), "end_time": time(12, 0)}
    pattern = patterns.save_pattern(None, None, courthouse=courthouse, **{**defaults, **values})
    db.session.commit()
    return pattern


def _local_days(pattern) -> list[date]:
    shifts = db.session.scalars(select(Shift).where(Shift.pattern_id == pattern.id).order_by(Shift.starts_at))
    return [pattern.courthouse.local(shift.starts_at).date() for shift in shifts]


def test_weekly_patterns_make_no_shift_on_court_holidays(make_courthouse):
    """Finding 9: a weekly pattern made shifts on 2026-12-25 and 2027-01-01."""
    boston = make_courthouse(state="MA", timezone="America/New_York")
    worcester = make_courthouse(state="MA", timezone="America/New_York")
    honolulu = make_courthouse(state="HI", timezone="Pacific/Honolulu")
    every_day = [_pattern(court) for court in (boston, worcester, honolulu)]
    state = closures.scope_for(state="MA")
    closures.save_closures(
        None,
        state,
        [closures.ProposedClosure(date(2026, 12, 25), "Christmas Day")],
        now=DECEMBER_FIRST,
    )
    closures.save_closures(
        None,
        closures.scope_for(courthouse=honolulu),
        [closures.ProposedClosure(date(2027, 1, 1), "New Year's Day")],
        now=DECEMBER_FIRST,
    )
    closures.save_closures(
        None,
        closures.scope_for(courthouse=boston),
        [closures.ProposedClosure(date(2027, 1, 1), "New Year's Day")],
        now=DECEMBER_FIRST,
    )
    db.session.commit()

    patterns.generate_shifts(horizon_days=42, now=DECEMBER_FIRST)
    db.session.commit()

    boston_days, worcester_days, honolulu_days = (_local_days(p) for p in every_day)
    assert date(2026, 12, 25) not in boston_days and date(2027, 1, 1) not in boston_days
    assert date(2026, 12, 25) not in worcester_days  # the state's closure
    assert date(2027, 1, 1) in worcester_days  # Boston's own closure is not Worcester's
    assert date(2027, 1, 1) not in honolulu_days and date(2026, 12, 25) in honolulu_days
    for days in (boston_days, worcester_days, honolulu_days):
        assert date(2026, 12, 24) in days and date(2026, 12, 26) in days
    # Idempotent: a second run adds nothing, closed days included.
    assert patterns.generate_shifts(horizon_days=42, now=DECEMBER_FIRST) == 0


def test_a_courthouse_added_to_the_state_later_is_closed_too(make_courthouse):
    make_courthouse(state="MA")
    closures.save_closures(
        None,
        closures.scope_for(state="MA"),
        [closures.ProposedClosure(date(2026, 12, 25), "Christmas Day")],
        now=DECEMBER_FIRST,
    )
    db.session.commit()
    later = make_courthouse(state="MA", timezone="America/New_York")
    pattern = _pattern(later)
    patterns.generate_shifts(horizon_days=30, now=DECEMBER_FIRST)
    assert date(2026, 12, 25) not in _local_days(pattern) and date(2026, 12, 24) in _local_days(pattern)


def test_every_other_week_keeps_local_time_across_dst(make_courthouse):
    # US daylight saving starts on Sunday 2027-03-14: 9:00 EST is 14:00 UTC, 9:00 EDT is 13:00 UTC.
    courthouse = make_courthouse(timezone="America/New_York")
    pattern = _pattern(courthouse, weekdays="2", rule="every_other_week", starts_on=date(2027, 2, 16))
    now = datetime(2027, 2, 10, 12, tzinfo=UTC)
    patterns.generate_shifts(horizon_days=60, now=now)
    shifts = db.session.scalars(select(Shift).where(Shift.pattern_id == pattern.id).order_by(Shift.starts_at)).all()
    days = [courthouse.local(s.starts_at).date() for s in shifts]
    assert days == [date(2027, 2, 16), date(2027, 3, 2), date(2027, 3, 16), date(2027, 3, 30)]
    assert all(courthouse.local(s.starts_at).time() == time(9, 0) for s in shifts)
    assert [s.starts_at.hour for s in shifts] == [14, 14, 13, 13]
    assert recurrence.rrule_text(pattern, date(2027, 2, 10)) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"


def test_monthly_nth_weekday_across_the_southern_dst_change(make_courthouse):
    # New Zealand's daylight saving ends on Sunday 2027-04-04: 9:00 NZDT is 20:00 UTC the day
    # before, 9:00 NZST is 21:00 UTC the day before.
    courthouse = make_courthouse(timezone="Pacific/Auckland", state="")
    second_tuesday = _pattern(courthouse, weekdays="2", rule="monthly", month_weeks=["2"])
    last_friday = _pattern(courthouse, weekdays="5", rule="monthly", month_weeks=["-1"])
    first_and_third_monday = _pattern(courthouse, weekdays="1", rule="monthly", month_weeks=["3", "1"])
    now = datetime(2027, 1, 31, 12, tzinfo=UTC)  # 1:00 on Monday 1 February in Auckland
    patterns.generate_shifts(horizon_days=120, now=now)
    assert _local_days(second_tuesday) == [date(2027, 2, 9), date(2027, 3, 9), date(2027, 4, 13), date(2027, 5, 11)]
    assert _local_days(last_friday) == [date(2027, 2, 26), date(2027, 3, 26), date(2027, 4, 30), date(2027, 5, 28)]
    assert _local_days(first_and_third_monday)[:4] == [
        date(2027, 2, 1),
        date(2027, 2, 15),
        date(2027, 3, 1),
        date(2027, 3, 15),
    ]
    starts = db.session.scalars(
        select(Shift.starts_at).where(Shift.pattern_id == second_tuesday.id).order_by(Shift.starts_at)
    ).all()
    assert [s.hour for s in starts] == [20, 20, 21, 21]
    assert first_and_third_monday.month_weeks == "1,3"
    assert recurrence.describe(second_tuesday) == "Monthly on the 2nd Tuesday"
    assert recurrence.describe(first_and_third_monday) == "Monthly on the 1st and 3rd Monday"


def test_existing_weekly_patterns_keep_working(make_courthouse):
    """A row as the migration leaves it: rule "weekly", no first day, no weeks of the month."""
    courthouse = make_courthouse(timezone="America/Chicago")
    pattern = _pattern(courthouse, weekdays="135")
    assert (pattern.rule, pattern.starts_on, pattern.month_weeks) == ("weekly", None, "")
    created = patterns.generate_shifts(horizon_days=13, now=DECEMBER_FIRST)
    assert created == 6
    assert {d.isoweekday() for d in _local_days(pattern)} == {1, 3, 5}


def _form(courthouse, **values):
    data = {
        "courthouse_id": courthouse.id,
        "weekdays": ["2"],
        "start_time": "08:30",
        "end_time": "12:00",
        "capacity": "2",
        "minimum": "1",
        "active": "y",
        "rule": "weekly",
    }
    data.update(values)
    return data


def test_pattern_form_offers_the_rules_and_explains_bad_input(coordinator_client, make_courthouse):
    courthouse = make_courthouse()
    page = coordinator_client.get("/coordinator/patterns/new").get_data(as_text=True)
    for label in ("Every week", "Every other week", "Once a month", "2nd", "last"):
        assert label in page

    no_first_day = coordinator_client.post("/coordinator/patterns/new", data=_form(courthouse, rule="every_other_week"))
    html = no_first_day.get_data(as_text=True)
    assert no_first_day.status_code == 422
    assert "Choose the first day: every other week counts from that day&#39;s week." in form_errors(html)
    assert re.search(r'<input checked[^>]*value="every_other_week"', html)  # what was typed is kept

    no_week = coordinator_client.post("/coordinator/patterns/new", data=_form(courthouse, rule="monthly"))
    assert "Choose which week of the month, for example 2nd." in form_errors(no_week.get_data(as_text=True))

    bad_rule = coordinator_client.post("/coordinator/patterns/new", data=_form(courthouse, rule="daily"))
    assert bad_rule.status_code == 422
    assert db.session.scalar(select(ShiftPattern.id)) is None  # nothing half-saved

    ok = coordinator_client.post("/coordinator/patterns/new", data=_form(courthouse, rule="monthly", month_weeks=["2"]))
    assert ok.status_code == 302
    saved = db.session.scalar(select(ShiftPattern))
    assert (saved.rule, saved.month_weeks, saved.weekdays) == ("monthly", "2", "2")
    listing = coordinator_client.get("/coordinator/patterns").get_data(as_text=True)
    assert "Monthly on the 2nd Tuesday" in listing
