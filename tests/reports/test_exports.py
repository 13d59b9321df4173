"""Exports: spreadsheet-safe cells, personal data only when ticked, small counts, audit, streaming."""

from __future__ import annotations

import csv
import io
import json

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select

from courtwatch.db import db
from courtwatch.privacy.models import AuditEvent
from courtwatch.reports.spreadsheets import neutralise
from tests.reports import dataset

Q1 = {"date_from": "2025-01-01", "date_to": "2025-03-31"}
NASTY = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tleading tab", "\rcarriage", '=HYPERLINK("http://x")']


@pytest.fixture
def data(app, make_courthouse, make_user):
    return dataset.build(make_courthouse, make_user)


@pytest.fixture
def nasty_data(data):
    """Formula-looking text in every free-text column a coordinator could export."""
    alpha = data["alpha"]
    for number, text in enumerate(NASTY):
        dataset.report(
            alpha,
            dataset.at(f"2025-02-1{number} 10:00"),
            action="sighting",
            courtroom=text,
            narrative=text,
            vehicles=text,
            markings=text,
            badges_seen=text,
            court_staff_involvement=text,
            reporter=data["reporter"],
        )
    alpha.name = "=cmd|' /C calc'!A0"
    db.session.commit()
    return data


def post_download(client, url, data):
    """POST in the test's own context, so the streamed body can be read after the view returned.

    The shared client runs each request in a fresh contextvars.Context; a streamed response keeps
    the request context open until its last chunk, which must be read in that same Context.
    """
    return FlaskClient.open(client, url, method="POST", data={**data, "csrf_token": client.csrf_token()})


def export(client, **fields):
    return post_download(client, "/reports/export", {**Q1, "format": "csv", "level": "summary", **fields})


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def all_cells(rows):
    return [cell for row in rows for cell in row]


def test_neutralise():
    assert [neutralise(v) for v in NASTY] == ["'" + v for v in NASTY]
    assert neutralise("Arrest") == "Arrest" and neutralise(-3) == -3 and neutralise(None) is None


def test_csv_cells_are_neutralised(nasty_data, coordinator_client):
    response = export(coordinator_client, level="reports", personal_data="y", scope="all")
    assert response.status_code == 200
    cells = all_cells(csv_rows(response))
    assert "'=cmd|' /C calc'!A0" in cells  # courthouse name
    for text in NASTY:
        assert ("'" + text) in cells
    # No cell a spreadsheet would evaluate.
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    summary = export(coordinator_client)
    assert "'=cmd|' /C calc'!A0" in all_cells(csv_rows(summary))


def test_xlsx_has_no_formula_cells(nasty_data, coordinator_client):
    for level in ("reports", "summary"):
        response = export(
            coordinator_client, format="xlsx", level=level, personal_data="y" if level == "reports" else "", scope="all"
        )
        assert response.status_code == 200
        assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        workbook = load_workbook(io.BytesIO(response.get_data()))
        cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
        assert cells and not [c.coordinate for c in cells if c.data_type == "f"]
        values = [c.value for c in cells]
        assert "=cmd|' /C calc'!A0" in values  # kept as typed, as text
        if level == "reports":
            assert all(text in values for text in NASTY if not text.startswith("\r"))


def test_personal_data_only_when_ticked(data, coordinator_client):
    plain = csv_rows(export(coordinator_client, level="reports"))
    header, body = plain[0], plain[1:]
    assert "Reporter" not in header and "Narrative" not in header and "Photos" not in header
    cells = all_cells(plain)
    assert "Rita Reporter" not in cells and "rita@example.org" not in cells
    assert not [c for c in cells if "evil.example" in c or "ABC123" in c]
    assert len(body) == 7  # confirmed reports in range: r1, r2, r6, r7, r9, r10, r11
    personal = csv_rows(export(coordinator_client, level="reports", personal_data="y"))
    assert {"Reporter", "Reporter email", "Narrative", "Photos"} <= set(personal[0])
    cells = all_cells(personal)
    assert "Rita Reporter" in cells and "rita@example.org" in cells
    assert '\'=HYPERLINK("http://evil.example")' in cells and "Grey van, plate ABC123" in cells


def test_report_rows_in_courthouse_time_with_incident_ids(data, coordinator_client):
    rows = csv_rows(export(coordinator_client, level="reports", scope="all"))
    header = rows[0]
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    r7 = by_id[str(data["r7"].id)]
    assert r7["Observed (courthouse local time)"] == "2025-03-31 23:30"
    assert r7["Observed (UTC)"] == "2025-04-01T03:30:00Z"
    assert by_id[str(data["r2"].id)]["Incident"] == str(data["i1"].id)
    assert by_id[str(data["r1"].id)]["Agencies"] == "ICE ERO; Local police assisting"
    assert str(data["r5"].id) not in by_id  # false alarm
    assert str(data["r8"].id) not in by_id  # 31 December local


def test_accompanied_person_details_never_exported(data, coordinator_client):
    from datetime import timedelta

    from courtwatch.courts.hearing_models import AccompanimentRequest, Hearing

    alpha = data["alpha"]
    hearing = Hearing(
        courthouse_id=alpha.id, starts_at=dataset.at("2025-02-05 09:30"), case_number="CASE-7731", title="People v. Zed"
    )
    db.session.add(hearing)
    db.session.flush()
    db.session.add(
        AccompanimentRequest(
            hearing_id=hearing.id,
            person_label="Zelda Q",
            meeting_notes="Blue scarf",
            private_notes="Lives at 12 Elm",
            purge_after=hearing.starts_at + timedelta(days=1),
        )
    )
    accompaniment = dataset.shift(alpha, dataset.at("2025-02-05 09:00"), kind="accompaniment")
    accompaniment.hearing_id = hearing.id
    dataset.signup(
        accompaniment, data["v1"], checked_in=dataset.at("2025-02-05 09:00"), checked_out=dataset.at("2025-02-05 11:00")
    )
    db.session.commit()
    bodies = [
        export(
            coordinator_client, level=level, format=fmt, scope="all", personal_data="y" if level == "reports" else ""
        ).get_data()
        for level in ("summary", "reports")
        for fmt in ("csv", "xlsx")
    ]
    bodies.append(post_download(coordinator_client, "/reports/volunteers/export", {**Q1, "format": "csv"}).get_data())
    for body in bodies:
        text = body.decode("utf-8", "replace") if body[:2] != b"PK" else _xlsx_text(body)
        for secret in ("Zelda", "Blue scarf", "12 Elm", "CASE-7731", "People v. Zed"):
            assert secret not in text


def _xlsx_text(body: bytes) -> str:
    workbook = load_workbook(io.BytesIO(body))
    return " ".join(str(c.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row)


def test_small_counts_suppressed_for_public_sharing(data, coordinator_client):
    rows = csv_rows(export(coordinator_client, suppress="y"))
    cells = all_cells(rows)
    assert "<3" in cells
    place = next(row for row in rows if row and row[0] == "Beta Courthouse")
    # sighting, attempted, arrest, incidents: 0, 1, 0, 1 -> zeros stay, ones hidden
    assert place[2:6] == ["0", "<3", "0", "<3"]
    assert place[6:] == ["1", "1", "1.25", "2", "1"]  # coverage stays exact
    alpha = next(row for row in rows if row and row[0] == "Alpha Courthouse")
    assert alpha[5] == "4"
    exact = csv_rows(export(coordinator_client))
    assert "<3" not in all_cells(exact)


def test_suppression_refused_for_report_rows(data, coordinator_client):
    response = export(coordinator_client, level="reports", suppress="y")
    assert response.status_code == 422
    assert "summary tables" in response.get_data(as_text=True)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.exported")) is None


def test_export_is_audit_logged_and_not_cached(data, coordinator_client, coordinator):
    response = export(coordinator_client, format="xlsx", level="reports", personal_data="y", counties="Suffolk County")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    response.get_data()
    db.session.expire_all()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.exported"))
    assert event.actor_id == coordinator.id and event.object_type == "report"
    detail = json.loads(event.detail)
    assert detail["format"] == "xlsx" and detail["level"] == "reports" and detail["personal_data"] is True
    assert detail["filters"]["counties"] == ["Suffolk County"] and detail["filters"]["from"] == "2025-01-01"


def test_csv_export_streams(data, coordinator_client):
    response = export(coordinator_client, level="reports")
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    chunks = list(response.response)  # one chunk per line, not one buffered body
    assert len(chunks) == 1 + 1 + 7  # BOM, header, seven confirmed reports


def test_summary_csv_holds_every_table(data, coordinator_client):
    rows = csv_rows(export(coordinator_client))
    titles = {row[0] for row in rows if len(row) == 1}
    assert {"Overview", "By month", "By courthouse", "By county", "Agency", "Warrant shown"} <= titles
    overview = dict(row for row in rows if len(row) == 2 and row[0] in ("Incidents", "Arrest"))
    assert overview == {"Incidents": "5", "Arrest": "2"}


def test_volunteer_hours_export(data, coordinator_client):
    response = post_download(coordinator_client, "/reports/volunteers/export", {**Q1, "format": "csv"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    rows = csv_rows(response)
    assert ["Val One", "val1@example.org", "3", "2", "1", "5.5"] in rows
    assert ["Val One", "val1@example.org", "2025-03", "2", "1", "1", "2.0"] in rows
    db.session.expire_all()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.exported"))
    assert json.loads(event.detail)["personal_data"] is True
    xlsx = post_download(coordinator_client, "/reports/volunteers/export", {**Q1, "format": "xlsx"})
    workbook = load_workbook(io.BytesIO(xlsx.get_data()))
    assert len(workbook.worksheets) == 4  # filters + three tables
