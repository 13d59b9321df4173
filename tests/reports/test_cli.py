"""`flask reports export` writes the same files as the page, audit-logged, and fails cleanly."""

from __future__ import annotations

import csv
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from courtwatch.db import db
from courtwatch.privacy.models import AuditEvent
from tests.reports import dataset


@pytest.fixture
def data(app, make_courthouse, make_user):
    return dataset.build(make_courthouse, make_user)


def test_csv_summary_export(data, runner, tmp_path):
    out = tmp_path / "summary.csv"
    result = runner.invoke(
        args=["reports", "export", "--format", "csv", "--from", "2025-01-01", "--to", "2025-03-31", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert ["Incidents", "5"] in rows
    db.session.expire_all()
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.exported"))
    assert event.actor_id is None
    detail = json.loads(event.detail)
    assert detail["format"] == "csv" and detail["personal_data"] is False and detail["filters"]["scope"] == "confirmed"


def test_xlsx_report_rows_with_options(data, runner, tmp_path):
    out = tmp_path / "reports.xlsx"
    result = runner.invoke(
        args=[
            "reports",
            "export",
            "--format",
            "xlsx",
            "--from",
            "2025-01-01",
            "--to",
            "2025-03-31",
            "--out",
            str(out),
            "--level",
            "reports",
            "--all",
            "--courthouse",
            "alpha",
        ]
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 8  # header + r1, r2, r3, r4, r6, r7, r9, r10 (r5 false alarm, r8 in 2024)
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_bad_date_exits_2_with_one_line(data, runner, tmp_path):
    out = tmp_path / "never.csv"
    result = runner.invoke(
        args=["reports", "export", "--format", "csv", "--from", "2025-13-01", "--to", "2025-03-31", "--out", str(out)]
    )
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.output and not out.exists()
    db.session.expire_all()
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "report.exported")) is None


def test_unknown_courthouse_and_reversed_range_exit_2(data, runner, tmp_path):
    base = ["reports", "export", "--format", "csv", "--out", str(tmp_path / "x.csv")]
    result = runner.invoke(args=base + ["--from", "2025-03-01", "--to", "2025-01-01"])
    assert result.exit_code == 2 and "before the start" in result.stderr
    result = runner.invoke(args=base + ["--from", "2025-01-01", "--to", "2025-03-01", "--courthouse", "nowhere"])
    assert result.exit_code == 2 and "nowhere" in result.stderr
