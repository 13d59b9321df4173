"""iCalendar files into hearing records, within a bounded window and a cap per recurring event.

Court calendars come from Google, Exchange, Apple, Lotus Notes and hand-made exports; many are
slightly broken. Parsing is lenient, every failure becomes a message, and each recurring series
is expanded only between the window's start and end and never beyond ``max_instances``
occurrences of that one series: a ``FREQ=SECONDLY;COUNT=100000000`` rule must not be able to
hang a worker, and one runaway series must not push a calendar's other hearings out. Series
whose rule would need an enormous number of steps merely to reach the window are refused before
expansion (dateutil walks every step from DTSTART).

Every bound is a count, never a clock: the same file gives the same records however busy the
machine is, so a re-import never flaps. Whatever was left out (a capped series, a broken part)
marks the read as partial, and a partial read cancels nothing (see the planner).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import x_wr_timezone
from flask_babel import gettext as _

from courtwatch.errors import DomainError
from courtwatch.imports.records import HearingRecord, ReadResult, RowProblem

FREQ_SECONDS = {
    "SECONDLY": 1,
    "MINUTELY": 60,
    "HOURLY": 3600,
    "DAILY": 86400,
    "WEEKLY": 7 * 86400,
    "MONTHLY": 28 * 86400,
    "YEARLY": 365 * 86400,
}
# Steps dateutil may walk from DTSTART to the window before we call a series unreasonable.
MAX_STEPS_TO_WINDOW = 200_000
PYTHON_WORDS = re.compile(r"object|attribute|NoneType|unpack|index out of range|Traceback|\bargs?\b", re.IGNORECASE)
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return CONTROL_CHARS.sub("", str(value)).strip()


def parse_calendars(data: bytes) -> list[icalendar.Calendar]:
    text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data
    if "BEGIN:VCALENDAR" not in text.upper():
        raise DomainError(_("This is not an iCalendar file (no BEGIN:VCALENDAR line)."), field="file")
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except Exception as error:  # icalendar raises ValueError, KeyError, IndexError... on broken input
        raise DomainError(
            _("This iCalendar file could not be read: %(error)s", error=describe_error(error)), field="file"
        ) from None
    calendars = [c for c in calendars if isinstance(c, icalendar.Calendar)]
    if not calendars:
        raise DomainError(_("This iCalendar file holds no calendar."), field="file")
    standard = []
    for calendar in calendars:
        try:
            standard.append(x_wr_timezone.to_standard(calendar))
        except MemoryError:
            raise
        except Exception:  # a bad X-WR-TIMEZONE: keep the calendar as it is
            standard.append(calendar)
    return standard


def _as_utc(value, zone: ZoneInfo) -> tuple[datetime, bool]:
    """(UTC moment, all_day). Dates are all-day at local midnight; floating times are local."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            value = value.replace(tzinfo=zone)
        return value.astimezone(UTC), False
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=zone).astimezone(UTC), True
    raise ValueError("not a date")


def _summary(event) -> str:
    return clean_text(event.get("SUMMARY"))[:60] or clean_text(event.get("UID"))[:60] or "?"


def describe_error(error: Exception) -> str:
    """One plain line for a coordinator: a library's own words for a bad value, never Python's
    words for its own internals (an AttributeError says nothing about the calendar).

    Running out of memory is not a fault of the calendar: it goes on up to the parsing process,
    which reports the memory limit (imports.parse_child), instead of becoming a partial read."""
    if isinstance(error, MemoryError):
        raise error
    if isinstance(error, KeyError):
        return _("a required property is missing (%(name)s)", name=clean_text(error.args[0] if error.args else "")[:40])
    if isinstance(error, ValueError) and not isinstance(error, UnicodeError):
        text = clean_text(str(error).splitlines()[0] if str(error) else "")
        if text and not PYTHON_WORDS.search(text):
            return text[:200]
    return _("a property holds a value of the wrong kind")


def _unreasonable_series(event, window_start: datetime) -> bool:
    try:
        return _needs_too_many_steps(event, window_start)
    except MemoryError:
        raise
    except Exception:  # a broken RRULE (icalendar raises on access): refuse the series
        return True


def _needs_too_many_steps(event, window_start: datetime) -> bool:
    rule = event.get("RRULE")
    start = event.get("DTSTART")
    if rule is None or start is None:
        return False
    rules = rule if isinstance(rule, list) else [rule]
    try:
        begin, _all_day = _as_utc(start.dt, UTC)
    except ValueError:
        return False
    distance = (window_start - begin).total_seconds()
    for one in rules:
        freq = (one.get("FREQ") or [""])[0]
        interval = int((one.get("INTERVAL") or [1])[0] or 1)
        step = FREQ_SECONDS.get(str(freq).upper(), 86400) * max(interval, 1)
        if distance / step > MAX_STEPS_TO_WINDOW:
            return True
    return False


def _remove(root, target) -> None:
    """Take a component out wherever it sits (broken files nest VEVENTs inside others)."""
    for component in root.walk():
        component.subcomponents[:] = [c for c in component.subcomponents if c is not target]


def _series_uids(calendar) -> set[str]:
    """UIDs of recurring series; recurring-ical-events gives every occurrence a RECURRENCE-ID, but
    only a series' occurrences need it in their key (a one-off event that moves keeps its UID)."""
    uids = set()
    for event in calendar.walk("VEVENT"):
        if event.get("RRULE") is not None or event.get("RDATE") is not None or event.get("RECURRENCE-ID") is not None:
            uids.add(clean_text(event.get("UID")))
    return uids


def _key(event, starts_at: datetime, series: set[str]) -> str:
    uid = clean_text(event.get("UID"))
    recurrence = event.get("RECURRENCE-ID") if uid in series else None
    if not uid:
        digest = hashlib.sha1(f"{_summary(event)}|{starts_at.isoformat()}".encode()).hexdigest()[:20]
        return f"nouid:{digest}"
    if recurrence is not None:
        try:
            moment, _all_day = _as_utc(recurrence.dt, UTC)
            return f"{uid}|{moment:%Y%m%dT%H%M%SZ}"
        except (ValueError, AttributeError):
            pass
    return uid


def _read_whole(
    data: bytes,
    zone: ZoneInfo,
    courthouse_id: int | None,
    window_start: datetime,
    window_end: datetime,
    max_instances: int,
    result: ReadResult,
) -> Iterator[HearingRecord | RowProblem]:
    """The whole file at once: for files whose layout is not the plain one (ics_layout)."""
    number = 0
    calendars = parse_calendars(data)
    result.events = sum(1 for calendar in calendars for _event in calendar.walk("VEVENT"))
    if not result.events:
        result.mark_partial(_("The calendar holds no events."))
    for calendar in calendars:
        for event in list(calendar.walk("VEVENT")):
            number += 1
            if _ends_before(event, window_start):
                result.past += 1
            if _unreasonable_series(event, window_start):
                _remove(calendar, event)
                result.mark_partial(_("A repeat rule could not be expanded."))
                yield RowProblem(
                    number,
                    _(
                        "Event “%(summary)s” has a repeat rule that is broken or repeats too "
                        "often to expand; it was left out.",
                        summary=_summary(event),
                    ),
                )
        try:
            query = recurring_ical_events.of(calendar, skip_bad_series=True)
            series_uids = _series_uids(calendar)
        except Exception as error:  # a calendar the expander refuses whole (e.g. a non-Gregorian CALSCALE)
            result.mark_partial(describe_error(error))
            yield RowProblem(
                number + 1, _("Part of this calendar could not be read: %(error)s", error=describe_error(error))
            )
            continue
        for series in query.series:
            yield from _expand_series(
                series, zone, courthouse_id, window_start, window_end, max_instances, series_uids, result
            )


def _ends_before(event, moment: datetime) -> bool:
    """A one-off event over before the window: history the calendar still carries."""
    if event.get("RRULE") is not None or event.get("RDATE") is not None:
        return False
    try:
        start, _all_day = _as_utc(event.get("DTSTART").dt, UTC)
    except (AttributeError, ValueError, TypeError):
        return False
    return start < moment


def _expand_series(
    series,
    zone: ZoneInfo,
    courthouse_id: int | None,
    window_start: datetime,
    window_end: datetime,
    max_instances: int,
    series_uids: set[str],
    result: ReadResult,
) -> Iterator[HearingRecord | RowProblem]:
    """One series' occurrences in the window, at most ``max_instances`` of them, in time order.

    The expander yields a series made only of overrides in an order that changes from run to
    run (it walks a set), so a series' records are sorted before they are numbered: the same
    file always gives the same lines."""
    records: list[HearingRecord | RowProblem] = []
    failure = None
    try:
        for occurrence in series.between(window_start, window_end):
            if len(records) >= max_instances:
                # The event's own UID or summary: a series without UID is known to the expander
                # by a Python object id, which would make the message differ on every read.
                component = occurrence.as_component(False)
                summary = clean_text(component.get("UID"))[:60] or _summary(component)
                result.mark_partial(
                    _(
                        "A repeating event (%(uid)s) has more than %(count)s occurrences in the "
                        "window; only the first %(count)s were read (the per-event limit, setting "
                        "COURTWATCH_IMPORT_MAX_INSTANCES).",
                        count=max_instances,
                        uid=summary,
                    )
                )
                break
            records.append(_record(occurrence.as_component(False), zone, courthouse_id, 0, series_uids))
    except Exception as error:  # a broken rule or date deep inside a series
        failure = describe_error(error)
    records.sort(key=_order)
    for record in records:
        result.read += 1
        record.line = result.read
        yield record
    if failure is not None:
        result.mark_partial(failure)
        yield RowProblem(result.read + 1, _("Part of this calendar could not be read: %(error)s", error=failure))


def _order(record: HearingRecord | RowProblem) -> tuple:
    if isinstance(record, RowProblem):
        return (0, "", "", record.reason)
    return (1, record.starts_at.isoformat(), record.key, record.title, record.notes)


def _record(
    event, zone: ZoneInfo, courthouse_id: int | None, number: int, series: set[str]
) -> HearingRecord | RowProblem:
    start = event.get("DTSTART")
    if start is None:
        return RowProblem(number, _("Event “%(summary)s” has no start time.", summary=_summary(event)))
    try:
        starts_at, all_day = _as_utc(start.dt, zone)
    except (ValueError, AttributeError):
        return RowProblem(
            number, _("Event “%(summary)s” has a start time that is not a date.", summary=_summary(event))
        )
    ends_at = None
    end = event.get("DTEND")
    if end is not None:
        try:
            ends_at, _all_day = _as_utc(end.dt, zone)
        except (ValueError, AttributeError):
            ends_at = None
    if ends_at is not None and ends_at < starts_at:
        ends_at = None
    if ends_at is None and all_day:
        ends_at = starts_at + timedelta(days=1)
    status = clean_text(event.get("STATUS")).upper()
    return HearingRecord(
        line=number,
        key=_key(event, starts_at, series)[:500],
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=all_day,
        cancelled=status == "CANCELLED",
        courthouse_id=courthouse_id,
        title=clean_text(event.get("SUMMARY")),
        courtroom=clean_text(event.get("LOCATION")),
        hearing_type=clean_text(event.get("CATEGORIES")) if event.get("CATEGORIES") else "",
        notes=clean_text(event.get("DESCRIPTION")),
    ).clip()
