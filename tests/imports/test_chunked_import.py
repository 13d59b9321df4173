"""Imports larger than one chunk behave exactly like small ones.

The planner works in chunks so memory does not grow with the file; these tests shrink the chunk to
three rows so that repeated rows, changes and hearings missing from a full import all straddle
chunk boundaries, and check that the preview still matches what the commit does.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select

from courtwatch.courts.hearing_models import Hearing, HearingChange, HearingStatus
from courtwatch.db import db
from courtwatch.imports import planner, services

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
MAPPING = {
    "fields": {"case_number": "Case Number", "date": "Hearing Date", "time": "Time", "courtroom": "Room"},
    "key": "case_date",
}


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(planner, "CHUNK", 3)


def docket(tmp_path, rows: list[tuple[str, str, str, str]]) -> str:
    path = tmp_path / "docket.csv"
    path.write_text("Case Number,Hearing Date,Time,Room\n" + "".join(",".join(row) + "\n" for row in rows))
    return str(path)


def do_import(path: str, courthouse, *, apply: bool):
    source = services.get_or_create_source(courthouse, "docket.csv", "csv")
    summary = services.import_file(
        path, kind="csv", courthouse=courthouse, source=source, mapping=MAPPING, apply=apply, now=NOW
    )
    db.session.commit()
    return summary


def counts(summary) -> tuple:
    return (
        summary.added,
        summary.changed,
        summary.cancelled,
        summary.unchanged,
        summary.duplicates,
        summary.rejected,
        {group: [(s.kind, s.case_number) for s in samples] for group, samples in summary.samples.items()},
    )


def by_case() -> dict[str, Hearing]:
    db.session.expire_all()
    return {h.case_number: h for h in db.session.scalars(select(Hearing))}


def test_changes_duplicates_and_missing_across_chunks(app, make_courthouse, tmp_path, small_chunks, hook_events):
    courthouse = make_courthouse(timezone="America/New_York")
    first = [(f"C-{n}", "2026-04-0" + str(1 + n % 9), "9:00", "1A") for n in range(10)]
    summary = do_import(docket(tmp_path, first + [first[1]]), courthouse, apply=True)
    assert (summary.added, summary.duplicates) == (10, 1)
    assert len(by_case()) == 10

    second = [row for row in first if row[0] not in ("C-4", "C-8")]  # dropped: cancelled by a full import
    second[2] = ("C-2", second[2][1], "14:30", "1A")  # moved, in the first chunk
    second[6] = ("C-7", second[6][1], "9:00", "5C")  # room changed, in a later chunk
    second += [("C-10", "2026-04-09", "10:00", "2B"), first[0], first[3]]  # new, then repeats across chunks
    path = docket(tmp_path, second)
    preview = do_import(path, courthouse, apply=False)
    assert len(by_case()) == 10 and hook_events == []  # the preview writes nothing
    committed = do_import(path, courthouse, apply=True)
    assert counts(preview) == counts(committed)
    assert (committed.added, committed.changed, committed.cancelled, committed.unchanged, committed.duplicates) == (
        1,
        2,
        2,
        6,
        2,
    )
    assert sorted(s.case_number for s in committed.samples["cancelled"]) == ["C-4", "C-8"]

    hearings = by_case()
    assert len(hearings) == 11
    assert {case for case, h in hearings.items() if h.status == HearingStatus.CANCELLED} == {"C-4", "C-8"}
    assert courthouse.local(hearings["C-2"].starts_at).hour == 14 and hearings["C-7"].courtroom == "5C"
    kinds = sorted(
        (h.case_number, c.kind)
        for c, h in db.session.execute(
            select(HearingChange, Hearing).join(Hearing, Hearing.id == HearingChange.hearing_id)
        )
    )
    assert kinds == [("C-2", "moved"), ("C-4", "cancelled"), ("C-7", "room_changed"), ("C-8", "cancelled")]
    assert sorted(kind for _, _, kind in hook_events) == ["cancelled", "cancelled", "moved", "room_changed"]

    again = do_import(path, courthouse, apply=True)  # cancelled hearings stay cancelled, nothing else moves
    assert (again.added, again.changed, again.cancelled, again.unchanged) == (0, 0, 0, 9)


def test_one_existing_lookup_per_chunk(app, make_courthouse, tmp_path, small_chunks):
    courthouse = make_courthouse(timezone="America/New_York")
    rows = [(f"C-{n}", "2026-05-01", "9:00", "1A") for n in range(10)]
    path = docket(tmp_path, rows)
    do_import(path, courthouse, apply=True)
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        summary = do_import(path, courthouse, apply=False)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert summary.unchanged == 10
    lookups = [s for s in statements if "hearing.external_key IN" in s]
    assert len(lookups) == 4  # ceil(10 / 3): per chunk, never per row
