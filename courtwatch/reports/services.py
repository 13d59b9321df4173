"""One entry point for every export, shared by the web page and ``flask reports export``.

The checks (what may be combined) and the audit event live here, so a file never leaves the
system by a path that skipped them.

The audit event says what happened to the file, so it is written when the body has been
produced to its end ("report.exported") or when producing it stopped part-way ("report.export_failed":
the browser went away, the server cut the connection, a query failed). A web download's body is
produced after the request's transaction has ended, so the event is committed by the export's
own session (``exports.ExportSession``), the one that read the rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flask_babel import gettext as _

from courtwatch.errors import DomainError
from courtwatch.privacy.models import AuditEvent
from courtwatch.reports import exports, spreadsheets
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
    content_type: str  # the whole Content-Type header, charset included
    filename: str


def filter_heading(report_filter: ReportFilter, suppress: bool) -> list[list]:
    rows = [[_("Courtwatch summary")]] + [[label, value] for label, value in report_filter.describe_lines()]
    if suppress:
        rows.append([_("Small counts"), _("incident counts of 1 or 2 are shown as <3")])
    return rows + [[]]


def _sheets_and_rows(
    report_filter: ReportFilter, level: str, personal: bool, suppress: bool, export_session: exports.ExportSession
):
    """(rows for one CSV, sheets for one workbook); report rows are lazy, read through export_session."""
    if level == LEVEL_REPORTS:
        rows = exports.report_rows(report_filter, personal, export_session)
        return rows, [(_("Reports"), rows)]
    heading = filter_heading(report_filter, suppress)
    if level == LEVEL_VOLUNTEERS:
        tables = volunteer_hour_tables(report_filter)
    else:
        tables = apply_suppression(build_summary(report_filter).tables, suppress)
    return spreadsheets.tables_as_rows(tables, heading), spreadsheets.tables_as_sheets(tables, heading)


def export_file(
    actor, report_filter: ReportFilter, *, fmt: str, level: str, personal: bool = False, suppress: bool = False
) -> ExportFile:
    if fmt not in FORMATS:
        raise DomainError(_("Choose CSV or XLSX."), field="format")
    if level not in LEVELS:
        raise DomainError(_("Choose what to export."), field="level")
    if suppress and level != LEVEL_SUMMARY:
        raise DomainError(
            _(
                "Hiding small counts applies to summary tables; one row per report cannot be "
                "made safe for public sharing that way."
            ),
            field="suppress",
        )
    if personal and suppress:
        raise DomainError(_("A file for public sharing cannot contain personal data."), field="personal_data")
    # Volunteer hours are names and hours: personal data by nature.
    personal = personal or level == LEVEL_VOLUNTEERS
    export_session = exports.ExportSession()
    rows, sheets = _sheets_and_rows(report_filter, level, personal and level == LEVEL_REPORTS, suppress, export_session)
    name = f"courtwatch-{level}-{report_filter.date_from:%Y%m%d}-{report_filter.date_to:%Y%m%d}.{fmt}"
    audit = AuditEvent(
        actor_id=getattr(actor, "id", None),
        object_type="report",
        detail=json.dumps(
            {
                "format": fmt,
                "level": level,
                "filters": report_filter.describe(),
                "personal_data": bool(personal),
                "suppressed": bool(suppress),
            },
            default=str,
            sort_keys=True,
        ),
    )
    if fmt == "csv":
        body: Iterable = spreadsheets.csv_lines(rows)
        content_type = spreadsheets.CSV_CONTENT_TYPE
    else:
        body = _lazy_xlsx(sheets)
        content_type = spreadsheets.XLSX_CONTENT_TYPE
    return ExportFile(_audited(body, export_session, audit), content_type, name)


def _lazy_xlsx(sheets) -> Iterator[bytes]:
    # The workbook is built when the first chunk is asked for, inside the streamed response.
    yield from spreadsheets.file_chunks(spreadsheets.write_xlsx(sheets))


def _audited(body: Iterable, export_session: exports.ExportSession, audit: AuditEvent) -> Iterator:
    """Produce the body inside the export's own session, then record whether it all went out."""
    with export_session as session:
        try:
            yield from body
        except BaseException as error:  # GeneratorExit too: the client or the server stopped reading
            session.rollback()
            audit.action = "report.export_failed"
            audit.detail = json.dumps({**json.loads(audit.detail), "error": type(error).__name__}, sort_keys=True)
            session.add(audit)
            session.commit()
            raise
        audit.action = "report.exported"
        session.add(audit)
        session.commit()
