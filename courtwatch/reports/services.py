"""One entry point for every export, shared by the web page and ``flask reports export``.

The checks (what may be combined) and the audit event live here, so a file never leaves the
system by a path that skipped them. The event is added to the current transaction before the
first byte is produced: the web request commits it as the response starts, the CLI command when
the file is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import gettext as _

from courtwatch.errors import DomainError
from courtwatch.privacy.services import record_event
from courtwatch.reports import exports
from courtwatch.reports.filters import ReportFilter
from courtwatch.reports.hours import volunteer_hour_tables
from courtwatch.reports.summaries import build_summary
from courtwatch.reports.tables import apply_suppression

FORMATS = ("csv", "xlsx")
LEVEL_SUMMARY, LEVEL_REPORTS, LEVEL_VOLUNTEERS = "summary", "reports", "volunteers"
LEVELS = (LEVEL_SUMMARY, LEVEL_REPORTS, LEVEL_VOLUNTEERS)


@dataclass
class ExportFile:
    chunks: Iterator  # str (CSV) or bytes (XLSX) pieces, produced lazily
    mimetype: str
    filename: str


def filter_heading(report_filter: ReportFilter, suppress: bool) -> list[list]:
    rows = [[_("Courtwatch summary")]] + [[label, value] for label, value in report_filter.describe_lines()]
    if suppress:
        rows.append([_("Small counts"), _("incident counts of 1 or 2 are shown as <3")])
    return rows + [[]]


def _sheets_and_rows(report_filter: ReportFilter, level: str, personal: bool, suppress: bool):
    """(rows for one CSV, sheets for one workbook); both lazy where the data can be large."""
    if level == LEVEL_REPORTS:
        return (exports.report_rows(report_filter, personal),
                [(_("Reports"), exports.report_rows(report_filter, personal))])
    heading = filter_heading(report_filter, suppress)
    if level == LEVEL_VOLUNTEERS:
        tables = volunteer_hour_tables(report_filter)
    else:
        tables = apply_suppression(build_summary(report_filter).tables, suppress)
    return exports.tables_as_rows(tables, heading), exports.tables_as_sheets(tables, heading)


def export_file(actor, report_filter: ReportFilter, *, fmt: str, level: str, personal: bool = False,
                suppress: bool = False) -> ExportFile:
    if fmt not in FORMATS:
        raise DomainError(_("Choose CSV or XLSX."), field="format")
    if level not in LEVELS:
        raise DomainError(_("Choose what to export."), field="level")
    if suppress and level != LEVEL_SUMMARY:
        raise DomainError(_("Hiding small counts applies to summary tables; one row per report cannot be "
                            "made safe for public sharing that way."), field="suppress")
    if personal and suppress:
        raise DomainError(_("A file for public sharing cannot contain personal data."), field="personal_data")
    # Volunteer hours are names and hours: personal data by nature.
    personal = personal or level == LEVEL_VOLUNTEERS
    record_event(actor, "report.exported", object_type="report", format=fmt, level=level,
                 filters=report_filter.describe(), personal_data=bool(personal), suppressed=bool(suppress))
    rows, sheets = _sheets_and_rows(report_filter, level, personal and level == LEVEL_REPORTS, suppress)
    name = f"courtwatch-{level}-{report_filter.date_from:%Y%m%d}-{report_filter.date_to:%Y%m%d}.{fmt}"
    if fmt == "csv":
        return ExportFile(exports.csv_lines(rows), exports.CSV_CONTENT_TYPE, name)
    return ExportFile(_lazy_xlsx(sheets), exports.XLSX_CONTENT_TYPE, name)


def _lazy_xlsx(sheets) -> Iterator[bytes]:
    # The workbook is built when the first chunk is asked for, inside the streamed response.
    yield from exports.file_chunks(exports.write_xlsx(sheets))
