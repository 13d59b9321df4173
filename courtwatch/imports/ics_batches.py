"""The ICS reader's steps a batch of events at a time, for plainly laid out calendars.

``imports.ics_layout`` found where each event sits; here the events are parsed in batches (the
kept calendar properties and time zones around each) and expanded exactly as the whole-file
reader (imports.ics_reader) does: the same records, problems, numbers and flags, with memory
bounded by the batch instead of the file. A series the expander refuses is left out alone,
with one problem, where the whole-file reader loses the whole calendar to it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from typing import BinaryIO
from zoneinfo import ZoneInfo

import recurring_ical_events
from flask_babel import gettext as _

from courtwatch.errors import DomainError
from courtwatch.imports.ics_layout import BATCH_EVENTS, Irregular, Layout, batches, repeating, scan
from courtwatch.imports.ics_reader import (
    _ends_before,
    _expand_series,
    _read_whole,
    _series_uids,
    _summary,
    _unreasonable_series,
    describe_error,
    parse_calendars,
)
from courtwatch.imports.records import HearingRecord, ReadResult, RowProblem


def _batch_calendar(handle: BinaryIO, layout: Layout, indexes: list[int]):
    calendars = parse_calendars(layout.wrapper(handle, indexes))
    if len(calendars) != 1:
        raise DomainError(_("This iCalendar file could not be read."), field="file")
    return calendars[0]


def read_batches(
    handle: BinaryIO,
    layout: Layout,
    zone: ZoneInfo,
    courthouse_id: int | None,
    window: tuple[datetime, datetime],
    max_instances: int,
    result: ReadResult,
    size: int,
) -> Iterator[HearingRecord | RowProblem]:
    """The whole-file reader's steps, a batch at a time: first the repeat rules too costly to
    expand (left out, one problem each, numbered by the event's place in the file), then each
    group of series, expanded in the order of their first event."""
    window_start, window_end = window
    result.events = layout.events
    removed: set[int] = set()
    yield from _left_out(handle, layout, window_start, removed, result, size)
    failed = False
    for groups in batches(layout, removed, size):
        calendar = _batch_calendar(handle, layout, [i for group in groups for i in group])
        if calendar.get("CALSCALE", "GREGORIAN") != "GREGORIAN":  # refused whole, as by the whole-file reader
            yield from _refused_whole(calendar, layout, result)
            return
        for event in calendar.walk("VEVENT"):
            if _ends_before(event, window_start):
                result.past += 1
        try:
            parts = [_expander(calendar)]
        except Exception:  # one series the expander refuses: try the batch's series one by one
            parts, errors = _one_by_one(handle, layout, groups)
            for error in errors:
                result.mark_partial(error)
                if not failed:
                    failed = True
                    yield RowProblem(
                        layout.events + 1, _("Part of this calendar could not be read: %(error)s", error=error)
                    )
        for query, series_uids in parts:
            for series in query.series:
                yield from _expand_series(
                    series, zone, courthouse_id, window_start, window_end, max_instances, series_uids, result
                )


def _expander(calendar):
    return recurring_ical_events.of(calendar, skip_bad_series=True), _series_uids(calendar)


def _left_out(
    handle: BinaryIO, layout: Layout, window_start: datetime, removed: set[int], result: ReadResult, size: int
) -> Iterator[RowProblem]:
    """Repeat rules too costly to expand: left out, one problem each, numbered by the event's
    place in the file (the whole-file reader reports them before any record too)."""
    for indexes in repeating(layout, size):
        events = list(_batch_calendar(handle, layout, indexes).walk("VEVENT"))
        for index, event in zip(indexes, events, strict=False):
            if _unreasonable_series(event, window_start):
                removed.add(index)
                result.mark_partial(_("A repeat rule could not be expanded."))
                yield RowProblem(
                    index + 1,
                    _(
                        "Event “%(summary)s” has a repeat rule that is broken or repeats too "
                        "often to expand; it was left out.",
                        summary=_summary(event),
                    ),
                )


def _refused_whole(calendar, layout: Layout, result: ReadResult) -> Iterator[RowProblem]:
    try:
        _expander(calendar)
    except Exception as error:
        result.mark_partial(describe_error(error))
        yield RowProblem(
            layout.events + 1, _("Part of this calendar could not be read: %(error)s", error=describe_error(error))
        )


def _one_by_one(handle: BinaryIO, layout: Layout, groups: list[list[int]]) -> tuple[list, list[str]]:
    parts, errors = [], []
    for group in groups:
        try:
            parts.append(_expander(_batch_calendar(handle, layout, group)))
        except Exception as error:
            errors.append(describe_error(error))
    return parts, errors


def read_ics(
    data: bytes | BinaryIO,
    *,
    zone: ZoneInfo,
    courthouse_id: int | None,
    window_start: datetime,
    window_end: datetime,
    max_instances: int,
    result: ReadResult | None = None,
    batch_events: int = BATCH_EVENTS,
) -> Iterator[HearingRecord | RowProblem]:
    """Yield one record per occurrence inside the window, series by series in file order.

    ``data`` is the file's bytes or an open binary file. A plainly laid out calendar is read a
    batch of ``batch_events`` events at a time (imports.ics_layout), so memory stays flat as
    the file grows; any other is parsed whole. Both give the same records, problems and flags.
    """
    result = result if result is not None else ReadResult()
    handle = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
    try:
        layout = scan(handle)
    except Irregular:
        handle.seek(0)
        yield from _read_whole(handle.read(), zone, courthouse_id, window_start, window_end, max_instances, result)
        return
    yield from read_batches(
        handle, layout, zone, courthouse_id, (window_start, window_end), max_instances, result, batch_events
    )
