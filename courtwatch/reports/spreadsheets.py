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
import itertools
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from courtwatch.reports.tables import Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"  # the full header: send it as content_type, not mimetype
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_DATE_FORMAT = "yyyy-mm-dd hh:mm"
COLUMN_WIDTH_MIN, COLUMN_WIDTH_MAX = 8, 50


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
def _text_cell(sheet, value):
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"  # never "f": the value is shown, not evaluated
    return cell


def _xlsx_cell(sheet, value, bold: bool = False):
    if isinstance(value, str):
        cell = _text_cell(sheet, value)
    else:
        if isinstance(value, datetime):
            # Spreadsheets have no time zones: a UTC instant is written as its UTC wall time.
            value = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        cell = WriteOnlyCell(sheet, value="" if value is None else value)
        if isinstance(value, datetime):
            cell.number_format = XLSX_DATE_FORMAT
    if bold:
        cell.font = Font(bold=True)
    return cell


def _xlsx_row(sheet, row: list, bold: bool = False) -> list:
    return [_xlsx_cell(sheet, value, bold) for value in row]


def _display_width(value) -> int:
    if isinstance(value, datetime):
        return 16
    return max((len(part) for part in str("" if value is None else value).splitlines()), default=0)


def column_widths(rows: list[list]) -> list[float]:
    """Widths that show each column's longest value (header included), within sensible bounds."""
    widths: list[int] = []
    for row in rows:
        for index, value in enumerate(row):
            if index == len(widths):
                widths.append(0)
            widths[index] = max(widths[index], _display_width(value))
    return [min(max(width + 2, COLUMN_WIDTH_MIN), COLUMN_WIDTH_MAX) for width in widths]


def _sheet_title(text: str, used: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", " ", text)[:31] or "Sheet"
    while title in used:
        title = title[:28] + f" {len(used)}"
    used.add(title)
    return title


def write_xlsx(sheets: Iterable[tuple[str, Iterable[list]]]) -> tempfile.SpooledTemporaryFile:
    """(sheet title, rows) pairs -> a rewound temporary file holding the workbook.

    The first row of each sheet is its header: bold and frozen, so it stays in view while
    scrolling. Column widths fit every value when the rows are a list (summary tables, small);
    for streamed report rows they fit the header and the first batch of rows.
    """
    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for title, rows in sheets:
        sheet = workbook.create_sheet(_sheet_title(title, used))
        rows = iter(rows)
        sample = list(itertools.islice(rows, 200))  # write-only: widths go before rows
        for index, width in enumerate(column_widths(sample), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "A2"
        for number, row in enumerate(sample):
            sheet.append(_xlsx_row(sheet, row, bold=number == 0))
        for row in rows:
            sheet.append(_xlsx_row(sheet, row))
    if not workbook.worksheets:
        workbook.create_sheet("Empty")
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(spool)
    spool.seek(0)
    return spool


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
