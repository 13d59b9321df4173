"""ICS imports through the service: every real-world file, bounded recurrences, zones, re-imports."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from courtwatch.courts.hearing_models import Hearing, HearingChange
from courtwatch.db import db
from courtwatch.errors import DomainError
from courtwatch.imports import services
from courtwatch.privacy.keys import match_key
from tests.imports.conftest import ics, vevent

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def run(tmp_path, courthouse, data: bytes, *, apply=True, name="court.ics", now=NOW, window=None):
    path = tmp_path / name
    path.write_bytes(data)
    source = (
        services.get_or_create_source(courthouse, name, "ics") if apply else services.find_source(courthouse.id, name)
    )
    summary = services.import_file(
        str(path), kind="ics", courthouse=courthouse, source=source, mapping=None, apply=apply, now=now, window=window
    )
    db.session.commit()
    return summary


def hearings(courthouse):
    return list(
        db.session.scalars(select(Hearing).where(Hearing.courthouse_id == courthouse.id).order_by(Hearing.starts_at))
    )


def test_every_corpus_calendar_is_imported_or_refused_with_a_message(app, make_courthouse, corpora_dir, tmp_path):
    courthouse = make_courthouse()
    app.config["IMPORT_MAX_INSTANCES"] = 300
    folder = os.path.join(corpora_dir, "ics")
    files = sorted(f for f in os.listdir(folder) if f.endswith(".ics"))
    assert len(files) > 100
    imported, refused = [], []
    window = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))
    for name in files:
        with open(os.path.join(folder, name), "rb") as handle:
            data = handle.read()
        try:
            summary = run(tmp_path, courthouse, data, name=name, window=window)
        except DomainError as error:
            db.session.rollback()
            assert error.message and "Traceback" not in error.message
            refused.append(name)
        else:
            assert summary.added + summary.unchanged + summary.cancelled + summary.changed > 0
            imported.append(name)
    # Real calendars must mostly import; the deliberately broken ones may be refused.
    assert len(imported) > 100, refused
    assert "khal__tz_windows_format.ics" in imported


def test_secondly_rule_with_huge_count_stays_bounded(app, make_courthouse, tmp_path):
    courthouse = make_courthouse()
    app.config["IMPORT_MAX_INSTANCES"] = 50
    data = ics(vevent("storm", ":20260303T090000Z", extra="RRULE:FREQ=SECONDLY;COUNT=100000000"))
    summary = run(tmp_path, courthouse, data)
    assert summary.added == 50
    assert any("limit" in note for note in summary.notes)
    # A series that started decades ago would need billions of steps just to reach the window.
    old = ics(
        vevent("ancient", ":19700101T090000Z", extra="RRULE:FREQ=SECONDLY;COUNT=100000000"),
        vevent("real", ":20260305T140000Z"),
    )
    summary = run(tmp_path, courthouse, old, name="old.ics")
    assert summary.added == 1 and summary.rejected == 1
    assert "repeats too" in summary.problems[0].reason


def test_weekly_session_keeps_local_time_across_dst(app, make_courthouse, tmp_path):
    courthouse = make_courthouse(timezone="America/New_York")
    data = ics(vevent("arraignments", ";TZID=America/New_York:20260302T090000", extra="RRULE:FREQ=WEEKLY;COUNT=3"))
    run(tmp_path, courthouse, data)
    starts = [h.starts_at for h in hearings(courthouse)]
    # 9:00 EST is 14:00 UTC; after the 8 March 2026 change 9:00 EDT is 13:00 UTC.
    assert [s.hour for s in starts] == [14, 13, 13]
    assert all(courthouse.local(s).hour == 9 for s in starts)


def test_floating_all_day_and_windows_zone(app, make_courthouse, tmp_path):
    courthouse = make_courthouse(timezone="America/Chicago")
    data = ics(
        vevent("floating", ":20260304T083000", summary="Floating"),
        vevent("allday", ";VALUE=DATE:20260305", summary="All day"),
        vevent("windows", ";TZID=Eastern Standard Time:20260306T100000", summary="Windows"),
    )
    run(tmp_path, courthouse, data)
    by_title = {h.title: h for h in hearings(courthouse)}
    assert courthouse.local(by_title["Floating"].starts_at).hour == 8
    assert by_title["All day"].all_day and courthouse.local(by_title["All day"].starts_at).hour == 0
    assert by_title["Windows"].starts_at == datetime(2026, 3, 6, 15, 0, tzinfo=UTC)


def test_reimport_is_idempotent_and_tracks_moves_rooms_and_cancellations(app, make_courthouse, tmp_path, hook_events):
    courthouse = make_courthouse()
    first = ics(
        vevent("a", ":20260310T140000Z", location="Room 1"),
        vevent("b", ":20260311T140000Z", location="Room 2"),
        vevent("c", ":20260312T140000Z", location="Room 3"),
        vevent("d", ":20260313T140000Z", location="Room 4"),
    )
    assert run(tmp_path, courthouse, first).added == 4
    ids = {h.external_key: h.id for h in hearings(courthouse)}
    again = run(tmp_path, courthouse, first)
    assert (again.added, again.changed, again.cancelled, again.unchanged) == (0, 0, 0, 4)
    assert db.session.scalar(select(func.count()).select_from(HearingChange)) == 0

    second = ics(
        vevent("a", ":20260310T160000Z", location="Room 1"),  # moved
        vevent("b", ":20260311T140000Z", location="Room 9"),  # room changed
        vevent("c", ":20260312T140000Z", location="Room 3", extra="STATUS:CANCELLED"),
    )
    # "d" disappeared from this full import.
    preview = run(tmp_path, courthouse, second, apply=False)
    assert (preview.changed, preview.cancelled) == (2, 2)
    assert db.session.scalar(select(func.count()).select_from(HearingChange)) == 0  # preview wrote nothing
    run(tmp_path, courthouse, second)
    db.session.expire_all()
    current = {h.external_key: h for h in hearings(courthouse)}
    assert {k: h.id for k, h in current.items()} == ids  # nothing deleted, identities kept
    assert current[match_key("a")].starts_at.hour == 16 and current[match_key("b")].courtroom == "Room 9"
    assert current[match_key("c")].is_cancelled and current[match_key("d")].is_cancelled
    assert sorted(e[1] for e in hook_events) == ["cancelled", "cancelled", "moved", "room_changed"]
    kinds = set(db.session.scalars(select(HearingChange.kind)))
    assert kinds == {"moved", "room_changed", "cancelled"}

    # Back on the calendar: reinstated.
    run(tmp_path, courthouse, first)
    db.session.expire_all()
    assert not any(h.is_cancelled for h in hearings(courthouse))
    assert [e[1] for e in hook_events].count("reinstated") == 2


def test_recurrence_override_keeps_identity(app, make_courthouse, tmp_path):
    courthouse = make_courthouse()
    series = vevent("s", ":20260302T140000Z", extra="RRULE:FREQ=DAILY;COUNT=3")
    run(tmp_path, courthouse, ics(series))
    before = {h.external_key: h.id for h in hearings(courthouse)}
    moved = vevent("s", ":20260303T170000Z", extra="RECURRENCE-ID:20260303T140000Z")
    summary = run(tmp_path, courthouse, ics(series, moved))
    assert (summary.changed, summary.added) == (1, 0)
    db.session.expire_all()
    after = {h.external_key: h for h in hearings(courthouse)}
    assert {k: h.id for k, h in after.items()} == before
    assert after[match_key("s|20260303T140000Z")].starts_at.hour == 17


def test_script_in_summary_is_kept_as_text_and_bad_file_refused(app, make_courthouse, tmp_path):
    courthouse = make_courthouse()
    run(tmp_path, courthouse, ics(vevent("x", ":20260310T140000Z", summary="<script>alert(1)</script>")))
    assert hearings(courthouse)[0].title == "<script>alert(1)</script>"
    with pytest.raises(DomainError, match="not an iCalendar"):
        run(tmp_path, courthouse, b"hello world", name="bad.ics")
    with pytest.raises(DomainError, match="before today"):  # issue 13: say why nothing is usable
        run(tmp_path, courthouse, ics(vevent("old", ":20100310T140000Z")), name="past.ics")
