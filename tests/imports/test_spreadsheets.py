"""CSV and XLSX imports: encodings, delimiters, date and time forms, the Idaho docket, zip bombs."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import UTC, datetime

import openpyxl
import pytest
from sqlalchemy import select

from courtwatch.courts.hearing_models import Hearing
from courtwatch.db import db
from courtwatch.errors import DomainError
from courtwatch.imports import services
from courtwatch.imports.mapping import guess_mapping

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def run(tmp_path, data: bytes, *, courthouse=None, mapping=None, kind="csv", name="docket.csv", apply=True):
    path = tmp_path / name
    path.write_bytes(data)
    if mapping is None:
        from courtwatch.imports.tables import read_table

        table = read_table(str(path), kind, 10**7)
        table.close()
        mapping = {"fields": guess_mapping(table.headers), "key": "case_date"}
    source = services.get_or_create_source(courthouse, name, kind) if apply else None
    summary = services.import_file(
        str(path), kind=kind, courthouse=courthouse, source=source, mapping=mapping, apply=apply, now=NOW
    )
    db.session.commit()
    return summary


def all_hearings():
    return list(db.session.scalars(select(Hearing).order_by(Hearing.starts_at, Hearing.id)))


@pytest.mark.parametrize("encoding,delimiter", [("utf-8-sig", ","), ("utf-8", ";"), ("cp1252", "\t"), ("latin-1", "|")])
def test_encodings_and_delimiters(app, make_courthouse, tmp_path, encoding, delimiter):
    courthouse = make_courthouse(timezone="America/New_York")
    rows = [
        [" Case Number ", "Hearing Date", "Time ", "Judge", "Room"],
        ["C-1", "2026-04-01", "13:30", "Peña", "2B"],
        ["C-2", "4/2/2026", "9:05 AM", "Müller", "3"],
        ["C-3", "04/03/26", "1:30pm", "Ó Briain", ""],
    ]
    text = "\r\n".join(delimiter.join(r) for r in rows) + "\r\n"
    summary = run(tmp_path, text.encode(encoding), courthouse=courthouse)
    assert summary.added == 3 and summary.rejected == 0
    found = all_hearings()
    assert [h.judge for h in found] == ["Peña", "Müller", "Ó Briain"]
    local = [courthouse.local(h.starts_at) for h in found]
    assert [(t.month, t.day, t.hour, t.minute) for t in local] == [(4, 1, 13, 30), (4, 2, 9, 5), (4, 3, 13, 30)]
    assert found[0].starts_at == datetime(2026, 4, 1, 17, 30, tzinfo=UTC)  # EDT


def test_idaho_fixture_with_confirmed_mapping(app, make_courthouse, corpora_dir, tmp_path):
    names = [
        "Ada County Magistrate Court",
        "Boundary County Magistrate Court",
        "Bannock County District Court",
        "Gem County District Court",
        "Payette County District Court",
        "Canyon County Magistrate Court",
        "Teton County District Court",
        "Kootenai County Magistrate Court",
        "Elmore County Magistrate Court",
        "Twin Falls County District Court",
    ]  # "Ada County District Court" deliberately missing
    for number, name in enumerate(names):
        make_courthouse(name=name, slug=f"idaho-{number}", timezone="America/Boise", state="ID")
    with open(os.path.join(corpora_dir, "courts", "hearings_idaho_courtbot_fixture.csv"), "rb") as handle:
        data = handle.read()
    mapping = {
        "fields": {
            "case_number": "CaseNumber",
            "title": "CaseStyle",
            "hearing_type": "HearingType",
            "date": "HearingDate",
            "time": "HearingTime",
            "courthouse": "Court",
            "case_type": "CaseCategory",
        },
        "key": "case_date",
    }
    assert (
        guess_mapping(
            ["CaseNumber", "CaseStyle", "HearingType", "HearingDate", "HearingTime", "Court", "County", "CaseCategory"]
        )
        == mapping["fields"]
    )
    summary = run(tmp_path, data, mapping=mapping, name="idaho.csv")
    assert summary.rejected == 1
    assert summary.problems[0].line == 29 and "Ada County District Court" in summary.problems[0].reason
    assert summary.added == 14 and summary.duplicates == 14
    gem = [h for h in all_hearings() if h.courthouse.name == "Gem County District Court"][0]
    assert gem.case_number == "CR14-18-00007" and gem.courthouse.local(gem.starts_at).hour == 9
    again = run(tmp_path, data, mapping=mapping, name="idaho.csv")
    assert (again.added, again.changed, again.unchanged) == (0, 0, 14)


def test_disappeared_row_is_cancelled_on_full_reimport(app, make_courthouse, tmp_path, hook_events):
    courthouse = make_courthouse()
    full = b"Case,Date,Time,Room\nA,2026-04-01,9:00,1\nB,2026-04-01,10:00,2\nOLD,2026-01-05,9:00,1\n"
    run(tmp_path, full, courthouse=courthouse)
    summary = run(tmp_path, b"Case,Date,Time,Room\nA,2026-04-01,11:00,1\n", courthouse=courthouse)
    # B is in the future and gone: cancelled. OLD is past: history, left alone.
    assert (summary.changed, summary.cancelled) == (1, 1)
    db.session.expire_all()
    status = {h.case_number: h.status for h in all_hearings()}
    assert status == {"A": "scheduled", "B": "cancelled", "OLD": "scheduled"}
    assert sorted(e[1] for e in hook_events) == ["cancelled", "moved"]


def test_rejected_rows_have_line_numbers_and_reasons(app, make_courthouse, tmp_path):
    courthouse = make_courthouse()
    data = b"Case,Date,Time\nA,2026-04-01,9:00\nB,31/31/2026,9:00\nC,2026-04-02,25:99\nD,,9:00\n"
    summary = run(tmp_path, data, courthouse=courthouse, apply=False)
    assert summary.added == 1
    reasons = {p.line: p.reason for p in summary.problems}
    assert set(reasons) == {3, 4, 5}
    assert "not a date" in reasons[3] and "not a time" in reasons[4] and "No date" in reasons[5]
    assert all_hearings() == []
    with pytest.raises(DomainError, match="No usable hearings"):
        run(tmp_path, b"Case,Date\nA,someday\n", courthouse=courthouse)


def _xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_real_dates(app, make_courthouse, tmp_path):
    courthouse = make_courthouse(timezone="America/Los_Angeles")
    data = _xlsx(
        [
            ["Docket No", "Hearing Date", "Hearing Time", "Dept"],
            ["X1", datetime(2026, 5, 4), "2:15 PM", "Dept 12"],
            ["X2", datetime(2026, 5, 5, 8, 30), None, 7],
        ]
    )
    summary = run(tmp_path, data, courthouse=courthouse, kind="xlsx", name="docket.xlsx")
    assert summary.added == 2
    found = all_hearings()
    assert [(courthouse.local(h.starts_at).hour, h.courtroom) for h in found] == [(14, "Dept 12"), (8, "7")]


def test_zip_bomb_is_refused_before_opening(app, make_courthouse, tmp_path):
    courthouse = make_courthouse()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<x/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    with pytest.raises(DomainError, match="unreasonable size"):
        run(
            tmp_path,
            buffer.getvalue(),
            courthouse=courthouse,
            kind="xlsx",
            name="bomb.xlsx",
            mapping={"fields": {"date": "Date"}},
        )
