"""Spreadsheets (CSV in any common encoding and delimiter, XLSX) as a header and a stream of rows.

Rows are streamed from the file on disk so a 100,000-row docket never sits in memory whole.
XLSX files are zip archives: the uncompressed sizes declared in the archive are checked before
openpyxl opens it, so a few kilobytes cannot expand into gigabytes (a zip bomb).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time

from charset_normalizer import from_bytes
from flask_babel import gettext as _

from courtwatch.errors import DomainError

SAMPLE_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
# Encodings we accept from detection; anything exotic falls back to Windows-1252, then Latin-1.
KNOWN_ENCODINGS = {"utf_8", "cp1252", "latin_1", "iso8859_15", "utf_16", "utf_16_le", "utf_16_be", "ascii"}
XLSX_MAX_RATIO = 200
csv.field_size_limit(1024 * 1024)


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (line number in the file, cells)
    notes: list[str] = field(default_factory=list)
    closer: object = None

    def close(self) -> None:
        if self.closer is not None:
            self.closer.close()


def clean_header(value) -> str:
    return " ".join(str(value if value is not None else "").replace("\ufeff", "").split())


# ---------------------------------------------------------------- CSV
def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # A sample cut in the middle of a multi-byte character is still UTF-8.
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if len(sample) >= SAMPLE_BYTES and error.start >= len(sample) - 3:
            return "utf-8"
    best = from_bytes(sample, cp_isolation=["cp1252", "latin_1", "iso8859_15", "utf_8"]).best()
    guess = codecs.lookup(best.encoding).name.replace("-", "_") if best else ""
    if guess in KNOWN_ENCODINGS and guess != "utf_8":
        return guess
    try:
        sample.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def sniff_delimiter(first_line: str) -> str:
    """The delimiter that splits the header line into the most cells, quotes respected."""
    best, best_count = ",", 0
    for delimiter in DELIMITERS:
        try:
            count = len(next(csv.reader([first_line], delimiter=delimiter)))
        except (csv.Error, StopIteration):
            continue
        if count > best_count:
            best, best_count = delimiter, count
    return best


def read_csv(path: str) -> Table:
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DomainError(_("This does not look like a CSV file (it holds binary data)."), field="file")
    encoding = detect_encoding(sample)
    handle = open(path, encoding=encoding, errors="replace", newline="")
    first = ""
    for line in handle:
        if line.strip():
            first = line
            break
    if not first:
        handle.close()
        raise DomainError(_("This file is empty."), field="file")
    delimiter = sniff_delimiter(first)
    handle.seek(0)
    reader = csv.reader(handle, delimiter=delimiter)
    headers: list[str] | None = None
    rows = _csv_rows(reader)
    for _line, cells in rows:
        if any(c.strip() for c in cells):
            headers = [clean_header(c) for c in cells]
            break
    if not headers:
        handle.close()
        raise DomainError(_("This file is empty."), field="file")
    label = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (with BOM)"}.get(encoding, encoding)
    notes = [_("Read as %(encoding)s, %(delimiter)s separated.", encoding=label, delimiter=DELIMITER_NAMES[delimiter])]
    return Table(headers=headers, rows=rows, notes=notes, closer=handle)


def _csv_rows(reader) -> Iterator[tuple[int, list[str]]]:
    try:
        for cells in reader:
            # line_num counts physical lines: a quoted cell spanning lines points at its last line.
            yield reader.line_num, cells
    except csv.Error as error:
        raise DomainError(
            _(
                "The file could not be read as CSV near line %(line)s: %(error)s",
                line=reader.line_num,
                error=str(error)[:200],
            ),
            field="file",
        ) from None


# ---------------------------------------------------------------- XLSX
def check_zip_bomb(path: str, max_bytes: int) -> None:
    """Refuse archives whose declared uncompressed size or compression ratio is unreasonable."""
    try:
        with zipfile.ZipFile(path) as archive:
            total = 0
            for info in archive.infolist():
                total += info.file_size
                if info.file_size > 1024 * 1024 and info.file_size > XLSX_MAX_RATIO * max(info.compress_size, 1):
                    raise DomainError(
                        _("This spreadsheet expands to an unreasonable size; it was refused."), field="file"
                    )
            if total > max_bytes * 20:
                raise DomainError(_("This spreadsheet expands to an unreasonable size; it was refused."), field="file")
    except zipfile.BadZipFile:
        raise DomainError(_("This is not an XLSX file (it is not a valid Excel workbook)."), field="file") from None


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(path: str, max_bytes: int) -> Table:
    check_zip_bomb(path, max_bytes)
    import openpyxl

    # An open file, not the path: openpyxl judges a path by its extension, and uploads wait under
    # server-chosen names (".upload"); the type was already read from the content.
    handle = open(path, "rb")  # noqa: SIM115 (closed with the workbook by Table.close)
    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on damaged workbooks
        handle.close()
        raise DomainError(
            _("This Excel workbook could not be opened: it is damaged or not an .xlsx file."), field="file"
        ) from None
    closer = _WorkbookCloser(workbook, handle)
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        closer.close()
        raise DomainError(_("This workbook has no sheet."), field="file")
    rows = (
        (number, [cell_text(v) for v in values])
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
    )
    headers = None
    for _line, cells in rows:
        if any(c.strip() for c in cells):
            headers = [clean_header(c) for c in cells]
            break
    if not headers:
        closer.close()
        raise DomainError(_("This file is empty."), field="file")
    while headers and not headers[-1]:
        headers.pop()
    return Table(
        headers=headers, rows=rows, notes=[_("Read the first sheet, “%(name)s”.", name=sheet.title)], closer=closer
    )


@dataclass
class _WorkbookCloser:
    workbook: object
    handle: object

    def close(self) -> None:
        self.workbook.close()
        self.handle.close()


def read_table(path: str, kind: str, max_bytes: int) -> Table:
    return read_xlsx(path, max_bytes) if kind == "xlsx" else read_csv(path)


def looks_like_json(filename: str, head: bytes) -> bool:
    text = head.lstrip(codecs.BOM_UTF8).lstrip()[:1]
    return text in (b"{", b"[") or (filename.lower().endswith(".json") and not head.startswith(b"PK\x03\x04"))


def json_is_not_a_calendar() -> DomainError:
    """A courthouse list uploaded as a calendar: say where it belongs."""
    return DomainError(
        _("This is a JSON file, not a calendar: import a courthouse list under Courthouses → Import courthouses."),
        field="file",
    )


def calendar_kind(filename: str, head: bytes) -> str | None:
    """sniff_kind for calendar uploads, refusing JSON with a pointer to the courthouse import."""
    kind = sniff_kind(filename, head)
    if kind is None and looks_like_json(filename, head):
        raise json_is_not_a_calendar()
    return kind


def sniff_kind(filename: str, head: bytes) -> str | None:
    """ics | csv | xlsx from the name, confirmed by the first bytes; None when unknown."""
    name = filename.lower()
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    text = head.lstrip(codecs.BOM_UTF8).lstrip()[:200].upper()
    if text.startswith(b"BEGIN:VCALENDAR") or name.endswith((".ics", ".ical", ".ifb")):
        return "ics"
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None  # binary: a photo, a PDF, an old .xls
    if text.startswith((b"{", b"[")) or name.endswith(".json"):
        return None  # JSON (a courthouse list, say) is not a docket: never read it as CSV
    if name.endswith((".csv", ".txt", ".tsv")):
        return "csv"
    if name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    try:
        io.BytesIO(head).read().decode("utf-8")
        return "csv"
    except UnicodeDecodeError:
        return None
