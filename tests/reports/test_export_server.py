"""Exports through a real server: gunicorn (several workers) on loopback, and Chromium's download.

The test client reads a streamed body inside the request's own context, which hid that the
body was produced after the request's session had closed: under gunicorn the CSV stopped after
its byte-order mark and the XLSX answered 500, with or without reports, while the audit log
recorded an export anyway.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from courtwatch.auth.models import Role
from courtwatch.db import db
from courtwatch.privacy.models import AuditEvent
from courtwatch.reports.filters import resolve_filter
from courtwatch.reports.services import export_file
from tests.conftest import TEST_PASSWORD
from tests.reports import dataset
from tests.support.servers import form_token, logged_in_session

Q1 = {"date_from": "2025-01-01", "date_to": "2025-03-31"}
CONFIRMED_Q1_REPORTS = 7  # see tests/reports/dataset.py


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _rows(fmt: str, body: bytes) -> list[list]:
    if fmt == "csv":
        return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    return [list(row) for row in load_workbook(io.BytesIO(body)).worksheets[0].iter_rows(values_only=True)]


@pytest.mark.parametrize("with_reports", [False, True], ids=["no-reports", "reports"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_report_rows_download_under_gunicorn(gunicorn_server, make_courthouse, make_user, fmt, with_reports):
    coordinator = make_user(Role.COORDINATOR)
    if with_reports:
        dataset.build(make_courthouse, make_user)
    else:
        make_courthouse()
    browser = logged_in_session(gunicorn_server.url, coordinator)
    token = form_token(browser, f"{gunicorn_server.url}/reports")
    response = browser.post(
        f"{gunicorn_server.url}/reports/export",
        data={**Q1, "format": fmt, "level": "reports", "csrf_token": token},
        timeout=60,
    )
    assert response.status_code == 200, response.text[:500]
    expected_type = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["Content-Type"] == expected_type
    rows = _rows(fmt, response.content)
    assert rows[0][:3] == ["Report", "Incident", "Observed (courthouse local time)"]
    assert len(rows) == 1 + (CONFIRMED_Q1_REPORTS if with_reports else 0)
    delivered = _events("report.exported")
    assert len(delivered) == 1 and delivered[0].actor_id == coordinator.id
    assert json.loads(delivered[0].detail)["level"] == "reports"
    assert _events("report.export_failed") == []


def test_summary_csv_under_gunicorn(gunicorn_server, make_courthouse, make_user):
    coordinator = make_user(Role.COORDINATOR)
    dataset.build(make_courthouse, make_user)
    browser = logged_in_session(gunicorn_server.url, coordinator)
    token = form_token(browser, f"{gunicorn_server.url}/reports")
    response = browser.post(
        f"{gunicorn_server.url}/reports/export",
        data={**Q1, "format": "csv", "level": "summary", "csrf_token": token},
        timeout=60,
    )
    assert response.status_code == 200
    assert ["Incidents", "5"] in _rows("csv", response.content)
    assert len(_events("report.exported")) == 1


def test_a_download_cut_short_is_logged_as_failed(app, make_courthouse, make_user):
    """A body not read to its end (the browser closed, the connection dropped) is no export."""
    coordinator = make_user(Role.COORDINATOR)
    dataset.build(make_courthouse, make_user)
    report_filter = resolve_filter(date_from=datetime(2025, 1, 1).date(), date_to=datetime(2025, 3, 31).date())
    export = export_file(coordinator, report_filter, fmt="csv", level="reports")
    assert next(export.chunks) == "\ufeff"
    export.chunks.close()  # what the server does when the client goes away
    assert _events("report.exported") == []
    failed = _events("report.export_failed")
    assert len(failed) == 1 and json.loads(failed[0].detail)["error"] == "GeneratorExit"


@pytest.mark.browser
def test_xlsx_download_in_chromium(chromium, gunicorn_server, make_courthouse, make_user, tmp_path):
    coordinator = make_user(Role.COORDINATOR)
    dataset.build(make_courthouse, make_user)
    context = chromium.new_context(
        viewport={"width": 1280, "height": 800},
        base_url=gunicorn_server.url,
        locale="en-US",
        timezone_id="America/New_York",
        accept_downloads=True,
    )
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email", exact=True).fill(coordinator.email)
        page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/")
        page.goto("/reports?date_from=2025-01-01&date_to=2025-03-31")
        export = page.locator("#export")
        export.get_by_label("Excel (XLSX)").check()
        export.get_by_label("One row per report", exact=True).check()
        with page.expect_download() as download_info:
            export.get_by_role("button", name="Download").click()
        download = download_info.value
        assert download.failure() is None
        path = tmp_path / download.suggested_filename
        download.save_as(path)
    finally:
        context.close()
    assert path.name == "courtwatch-reports-20250101-20250331.xlsx"
    sheet = load_workbook(path).worksheets[0]
    assert sheet.max_row == 1 + CONFIRMED_Q1_REPORTS
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert not sheet["B2"].font.bold
    assert sheet.column_dimensions["C"].width >= len("Observed (courthouse local time)")
    local, utc = sheet["C2"].value, sheet["D2"].value
    assert isinstance(local, datetime) and isinstance(utc, datetime)
    assert (utc - local).total_seconds() == 5 * 3600  # Boston in winter
    assert sheet["C2"].number_format == "yyyy-mm-dd hh:mm"
    assert len(_events("report.exported")) == 1
