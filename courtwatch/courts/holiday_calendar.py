"""Reading closure days from a holiday calendar (.ics): every all-day event is a closed day.

Court and public-holiday calendars (a state judiciary's, Google's "Holidays in the United
States", Outlook's) mark holidays as all-day events, often yearly RRULEs. Those become
closure days labelled with the event's SUMMARY; events with a time of day (a meeting, a
half-day session) are left out and counted, so the preview can say why. A multi-day event
closes each of its days. The work is bounded by counts (file size, occurrences read, days
kept), never by the clock, so the same file always gives the same days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _

from courtwatch.courts.closures import LABEL_MAX, MAX_DAYS_AT_ONCE, ProposedClosure
from courtwatch.errors import DomainError
from courtwatch.forms import ONE_LINE_FORBIDDEN

MAX_BYTES = 2 * 1024 * 1024
# Occurrences read before giving up: a few years of any real holiday calendar is far fewer.
MAX_OCCURRENCES = 20_000
# Longest all-day event taken as closed days (a court's winter recess, not a year-long banner).
MAX_EVENT_DAYS = 31


@dataclass
class HolidayRead:
    days: list[ProposedClosure] = field(default_factory=list)
    timed_events: int = 0
    past_days: int = 0
    cancelled_events: int = 0
    too_long_events: int = 0


def _label(component) -> str:
    text = ONE_LINE_FORBIDDEN.sub(" ", str(component.get("SUMMARY") or "")).strip()
    return " ".join(text.split())[:LABEL_MAX] or _("Holiday")


def _parse(data: bytes) -> list:
    import icalendar  # loaded when a holiday calendar is read, not at every command's start

    if len(data) > MAX_BYTES:
        raise DomainError(
            _("This file is larger than %(mb)s MB; a holiday calendar is much smaller.", mb=MAX_BYTES // 1048576),
            field="calendar_file",
        )
    text = data.decode("utf-8-sig", errors="replace")
    if "BEGIN:VCALENDAR" not in text.upper():
        raise DomainError(_("This is not an iCalendar (.ics) file."), field="calendar_file")
    try:
        calendars = [c for c in icalendar.Calendar.from_ical(text, multiple=True) if isinstance(c, icalendar.Calendar)]
    except Exception:  # icalendar raises many kinds of errors on broken input; none is for a coordinator
        calendars = []
    if not calendars:
        raise DomainError(
            _("This iCalendar file could not be read: check that it is a whole .ics file."), field="calendar_file"
        )
    return calendars


def _all_day_span(occurrence) -> tuple[date, int] | None:
    """(first day, number of days) of an all-day occurrence, or None for one with a time of day."""
    start = occurrence.get("DTSTART")
    start = start.dt if start is not None else None
    if not isinstance(start, date) or isinstance(start, datetime):
        return None
    end = occurrence.get("DTEND")
    end = end.dt if end is not None else None
    if isinstance(end, date) and not isinstance(end, datetime) and end > start:
        return start, (end - start).days
    return start, 1


def _take(occurrence, first_day: date, last_day: date, read: HolidayRead, by_day: dict[date, str]) -> bool:
    """Add one occurrence's closed days; False once occurrences start after the window."""
    span = _all_day_span(occurrence)
    if span is None:
        read.timed_events += 1
        return True
    start, length = span
    if start > last_day:
        return False  # occurrences come in order of start: the rest are later still
    if str(occurrence.get("STATUS") or "").upper() == "CANCELLED":
        read.cancelled_events += 1
    elif length > MAX_EVENT_DAYS:
        read.too_long_events += 1
    else:
        for offset in range(length):
            day = start + timedelta(days=offset)
            if day < first_day:
                read.past_days += 1
            elif day <= last_day:
                by_day.setdefault(day, _label(occurrence))
    return True


def read_holidays(data: bytes, first_day: date, last_day: date) -> HolidayRead:
    """The closed days from first_day to last_day inclusive that the calendar's all-day events mark."""
    read = HolidayRead()
    by_day: dict[date, str] = {}
    for calendar in _parse(data):
        try:
            import recurring_ical_events

            query = recurring_ical_events.of(calendar, skip_bad_series=True)
            occurrences = query.after(first_day - timedelta(days=MAX_EVENT_DAYS))
            for count, occurrence in enumerate(occurrences):
                if count >= MAX_OCCURRENCES or not _take(occurrence, first_day, last_day, read, by_day):
                    break
        except Exception:  # a malformed property deep in the file (bad RRULE, bad date)
            raise DomainError(
                _("This iCalendar file holds an event that could not be read: check its dates and rules."),
                field="calendar_file",
            ) from None
    if len(by_day) > MAX_DAYS_AT_ONCE:
        raise DomainError(
            _("This calendar closes more than %(n)s days; is it a holiday calendar?", n=MAX_DAYS_AT_ONCE),
            field="calendar_file",
        )
    read.days = [ProposedClosure(day, label) for day, label in sorted(by_day.items())]
    return read


def summary_lines(read: HolidayRead) -> list[str]:
    """What was left out and why, one line each, for the preview and the CLI."""
    lines = []
    if read.timed_events:
        lines.append(
            _("%(n)s events with a time of day were left out (only all-day events close a court).", n=read.timed_events)
        )
    if read.past_days:
        lines.append(_("%(n)s days before today were left out.", n=read.past_days))
    if read.cancelled_events:
        lines.append(_("%(n)s cancelled events were left out.", n=read.cancelled_events))
    if read.too_long_events:
        lines.append(
            _("%(n)s events longer than %(days)s days were left out.", n=read.too_long_events, days=MAX_EVENT_DAYS)
        )
    return lines
