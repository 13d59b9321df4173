"""Spreadsheet columns mapped to hearing fields, and rows turned into hearing records.

The mapping is guessed from the headers, confirmed by the coordinator, and remembered on the
source as JSON. Dates in ISO (2019-04-19) and US (4/19/2019) forms, 12- and 24-hour times; the
wall-clock time is the courthouse's, converted to UTC. Parsing is cached per distinct string:
a docket repeats the same few dates and times thousands of times, and this keeps a large import
fast without a per-row strptime.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from courtwatch.errors import DomainError
from courtwatch.imports.records import TEXT_LIMITS, HearingRecord, RowProblem
from courtwatch.imports.tables import Table

FIELDS = {
    "date": _l("Date"),
    "time": _l("Time"),
    "datetime": _l("Date and time (one column)"),
    "courthouse": _l("Courthouse"),
    "courtroom": _l("Courtroom / part"),
    "case_number": _l("Case number"),
    "title": _l("Case name / caption"),
    "case_type": _l("Case type"),
    "court_type": _l("Court type"),
    "judge": _l("Judge"),
    "hearing_type": _l("Hearing type"),
    "language": _l("Language / interpreter"),
    "notes": _l("Notes"),
}
KEY_CHOICES = {
    "case_date": _l("Courthouse + case number + date"),
    "case_date_time": _l("Courthouse + case number + date + time"),
}
# Normalised header names, most specific first; a header is used for one field only.
SYNONYMS = {
    "datetime": ["datetime", "startdatetime", "hearingdatetime", "scheduled", "start", "when", "fechayhora"],
    "date": ["date", "hearingdate", "courtdate", "eventdate", "calendardate", "fecha", "day"],
    "time": ["time", "hearingtime", "starttime", "courttime", "hora", "session"],
    "courthouse": ["courthouse", "court", "courtname", "courtlocation", "location", "facility", "tribunal"],
    "courtroom": ["courtroom", "room", "part", "dept", "department", "courtroompart", "sala"],
    "case_number": ["casenumber", "caseno", "casenum", "docketnumber", "docket", "caseid", "case", "expediente"],
    "title": ["casestyle", "caption", "casename", "style", "title", "parties", "summary"],
    "case_type": ["casetype", "casecategory", "category"],
    "court_type": ["courttype", "division"],
    "judge": ["judge", "magistrate", "judicialofficer", "juez"],
    "hearing_type": ["hearingtype", "eventtype", "proceeding", "type", "event"],
    "language": ["language", "interpreter", "interpreterlanguage", "lang", "idioma"],
    "notes": ["notes", "note", "comments", "remarks", "description"],
}
TIME_PATTERN = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?(?::(\d{2}))?\s*([ap])?\.?\s*m?\.?$", re.IGNORECASE)
COMPACT_TIME = re.compile(r"^(\d{3,4})\s*([ap])?\.?\s*m?\.?$", re.IGNORECASE)
US_DATE = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
DATETIME_SPLIT = re.compile(r"^(\S+?)(?:[T ]+(.+))?$")


def normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """field -> header. Exact synonym matches first, then headers that contain a synonym."""
    normalised = {h: normalise(h) for h in headers if h}
    taken: set[str] = set()
    mapping: dict[str, str] = {}
    for exact in (True, False):
        for field, words in SYNONYMS.items():
            if field in mapping:
                continue
            for word in words:
                match = next(
                    (h for h, n in normalised.items() if h not in taken and (n == word if exact else word in n)), None
                )
                if match:
                    mapping[field] = match
                    taken.add(match)
                    break
    if "datetime" in mapping and "date" in mapping and "time" in mapping:
        taken.discard(mapping.pop("datetime"))
    return mapping


def check_mapping(mapping: dict, headers: list[str], *, has_courthouse: bool) -> None:
    fields = mapping.get("fields", {})
    for field, header in fields.items():
        if field not in FIELDS or header not in headers:
            raise DomainError(_("The column “%(header)s” is not in this file.", header=header), field=field)
    if "date" not in fields and "datetime" not in fields:
        raise DomainError(_("Choose the column that holds the date."), field="date")
    if not has_courthouse and "courthouse" not in fields:
        raise DomainError(_("Choose a courthouse for the whole file, or the column that names it."), field="courthouse")
    if mapping.get("key", "case_date") not in KEY_CHOICES:
        raise DomainError(_("Choose how hearings are matched on re-import."), field="key")


@lru_cache(maxsize=8192)
def parse_date(text: str) -> date | None:
    text = text.strip()
    try:
        match = ISO_DATE.match(text)
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
        match = US_DATE.match(text)
        if match:
            year = int(match[3])
            year = year + 2000 if year < 70 else year + 1900 if year < 100 else year
            return date(year, int(match[1]), int(match[2]))
    except ValueError:
        return None
    for fmt in ("%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y", "%Y%m%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


@lru_cache(maxsize=8192)
def parse_time(text: str) -> time | None:
    text = text.strip().lower().replace("noon", "12:00 pm")
    match = TIME_PATTERN.match(text)
    if match:
        hour, minute, second, half = int(match[1]), int(match[2] or 0), int(match[3] or 0), match[4]
    else:
        match = COMPACT_TIME.match(text)
        if not match:
            return None
        digits, half = match[1].zfill(4), match[2]
        hour, minute, second = int(digits[:2]), int(digits[2:]), 0
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    try:
        return time(hour, minute, second)
    except ValueError:
        return None


@lru_cache(maxsize=16384)
def local_to_utc(day: date, moment: time | None, zone_name: str) -> datetime:
    return datetime.combine(day, moment or time(0), tzinfo=ZoneInfo(zone_name)).astimezone(UTC)


def split_datetime(text: str) -> tuple[str, str]:
    match = DATETIME_SPLIT.match(text.strip())
    if not match:
        return text, ""
    return match[1], (match[2] or "").strip()


def courthouse_lookup_key(name: str) -> str:
    return " ".join(name.lower().split())


def table_records(
    table: Table,
    mapping: dict,
    *,
    default_courthouse,
    courthouses: dict,
) -> Iterator[HearingRecord | RowProblem]:
    """courthouses: lookup key (name, short name or slug, lowercased) -> (id, timezone)."""
    fields = mapping.get("fields", {})
    index = {field: table.headers.index(header) for field, header in fields.items() if header in table.headers}
    key_with_time = mapping.get("key") == "case_date_time"
    text_fields = [
        (f, index[f], TEXT_LIMITS[f])
        for f in (
            "courtroom",
            "case_number",
            "title",
            "case_type",
            "court_type",
            "judge",
            "hearing_type",
            "language",
            "notes",
        )
        if f in index
    ]
    widest = max(index.values()) if index else 0
    courthouse_column = index.get("courthouse")
    default = (default_courthouse.id, default_courthouse.timezone) if default_courthouse is not None else None
    date_column, time_column, datetime_column = index.get("date"), index.get("time"), index.get("datetime")
    for line, cells in table.rows:
        width = len(cells)
        if not any(cells):
            continue
        if width > widest:
            values = {f: cells[i].strip()[:limit] for f, i, limit in text_fields}
        else:
            values = {f: cells[i].strip()[:limit] if i < width else "" for f, i, limit in text_fields}
        if courthouse_column is not None and courthouse_column < width and cells[courthouse_column].strip():
            court_name = cells[courthouse_column].strip()
            found = courthouses.get(courthouse_lookup_key(court_name))
            if found is None:
                yield RowProblem(
                    line,
                    _(
                        "Unknown courthouse “%(name)s”: add it on the Courthouses page or correct the row.",
                        name=court_name[:80],
                    ),
                )
                continue
        elif default is not None:
            found = default
        else:
            yield RowProblem(line, _("No courthouse in this row."))
            continue
        if datetime_column is not None:
            raw = cells[datetime_column].strip() if datetime_column < width else ""
            date_text, time_text = split_datetime(raw)
        else:
            # A date column may carry a time too (Excel datetimes, "2026-05-05 08:30").
            raw = cells[date_column].strip() if date_column < width else ""
            date_text, time_text = (raw, "") if parse_date(raw) else split_datetime(raw)
        if time_column is not None and time_column < width and cells[time_column].strip():
            time_text = cells[time_column].strip()
        if not date_text:
            yield RowProblem(line, _("No date in this row."))
            continue
        day = parse_date(date_text)
        if day is None:
            yield RowProblem(
                line, _("“%(value)s” is not a date (write 2019-04-19 or 4/19/2019).", value=date_text[:40])
            )
            continue
        moment = parse_time(time_text) if time_text else None
        if time_text and moment is None:
            yield RowProblem(line, _("“%(value)s” is not a time (write 13:30 or 1:30 PM).", value=time_text[:40]))
            continue
        courthouse_id, zone_name = found
        case_number = values.get("case_number", "")
        if case_number:
            key = f"{courthouse_id}|{case_number.upper()}|{day.isoformat()}"
            if key_with_time:
                key += f"|{moment.strftime('%H:%M') if moment else ''}"
        else:
            raw_key = "|".join(
                [
                    str(courthouse_id),
                    day.isoformat(),
                    str(moment or ""),
                    values.get("courtroom", ""),
                    values.get("title", ""),
                    values.get("hearing_type", ""),
                ]
            )
            key = "row:" + hashlib.sha1(raw_key.encode()).hexdigest()[:32]
        yield HearingRecord(
            line=line,
            key=key[:500],
            starts_at=local_to_utc(day, moment, zone_name),
            all_day=moment is None,
            courthouse_id=courthouse_id,
            **values,
        )
