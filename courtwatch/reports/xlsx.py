"""Spreadsheet downloads (openpyxl's write-only workbook): imported only when one is asked for.

Cells are written as explicit text cells (data type "s"), so a value that looks like a formula
stays as typed (see spreadsheets.py on CSV injection).
"""

from __future__ import annotations

import itertools
import re
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_DATE_FORMAT = "yyyy-mm-dd hh:mm"
COLUMN_WIDTH_MIN, COLUMN_WIDTH_MAX = 8, 50


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
