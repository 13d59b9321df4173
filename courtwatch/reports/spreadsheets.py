"""CSV and XLSX files that are safe to open in a spreadsheet, and small enough never to fill memory.

Safety: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a
formula to Excel, LibreOffice and Google Sheets ("CSV injection"): a volunteer's narrative could
otherwise run ``=HYPERLINK(...)`` on a coordinator's laptop. CSV cells get a leading apostrophe;
XLSX cells are written as explicit text cells (data type "s"), so the value stays as typed.

Memory: CSV goes out line by line; XLSX uses openpyxl's write-only workbook and is spooled to a
temporary file, then streamed in chunks. What the rows hold, and where they come from, is the
callers' business (exports.py for report-level rows, the summaries' tables, the open-data API).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from flask_babel import gettext as _

from courtwatch.reports.tables import Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"  # the full header: send it as content_type, not mimetype
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """A string a spreadsheet would evaluate gets a leading apostrophe; other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# ---------------------------------------------------------------------------- CSV
class _Line:
    """csv.writer needs a file; this one hands back what was written, one row at a time."""

    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text = text


def csv_value(value):
    """Text for one CSV cell: UTC instants as ISO 8601 with Z, local times to the minute."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return value.strftime("%Y-%m-%d %H:%M")
    return neutralise(value)


def csv_lines(rows: Iterable[list]) -> Iterator[str]:
    line = _Line()
    writer = csv.writer(line, lineterminator="\r\n")
    yield "\ufeff"  # a BOM, so Excel opens UTF-8 accents correctly
    for row in rows:
        writer.writerow([csv_value(value) for value in row])
        yield line.text


def tables_as_rows(tables: list[Table], heading: list[list] | None = None) -> list[list]:
    """All summary tables in one CSV: a title line, the header, the rows, a blank line."""
    rows = list(heading or [])
    for table in tables:
        rows += [[str(table.title)], [str(label) for label in table.header()], *table.rows]
        if table.note:
            rows.append([str(table.note)])
        rows.append([])
    return rows


# ---------------------------------------------------------------------------- XLSX
def write_xlsx(sheets: Iterable[tuple[str, Iterable[list]]]) -> tempfile.SpooledTemporaryFile:
    """(sheet title, rows) pairs -> a rewound temporary file holding the workbook (reports.xlsx).

    openpyxl (and the numpy it pulls in) costs about a second of CPU to import: only an XLSX
    download pays it, not every worker and CLI command that loads this module."""
    from courtwatch.reports import xlsx

    return xlsx.write_xlsx(sheets)


def file_chunks(handle, size: int = 64 * 1024) -> Iterator[bytes]:
    try:
        while chunk := handle.read(size):
            yield chunk
    finally:
        handle.close()


def tables_as_sheets(tables: list[Table], heading: list[list] | None = None) -> list[tuple[str, list]]:
    sheets = [(_("Filters"), heading)] if heading else []
    for table in tables:
        rows = [[str(label) for label in table.header()], *table.rows]
        if table.note:
            rows += [[], [str(table.note)]]
        sheets.append((str(table.title), rows))
    return sheets
