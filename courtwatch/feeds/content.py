"""What each feed contains: the bounded windows, the queries, and the per-reader status of a shift.

A volunteer's feed shows their claims from 30 days back onwards. Shifts they left, and shifts that
were cancelled, stay in the feed as STATUS:CANCELLED for RECENT_DAYS so every subscribed calendar
sees the cancellation (a calendar that simply stops seeing an event may keep it), then drop out.
Coordinator feeds show every shift in the window with its staffing, from one query:
``Shift.claimed_count`` is kept by the claim services, so there is nothing to count per row.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager

from courtwatch.courts.models import Courthouse
from courtwatch.db import db, utcnow
from courtwatch.feeds import builders
from courtwatch.feeds.models import FeedScope, FeedToken
from courtwatch.shifts.models import Shift, ShiftSignup, ShiftStatus, SignupStatus

PAST_DAYS = 30
RECENT_DAYS = 30  # how long a cancellation or release stays in a feed as STATUS:CANCELLED
VOLUNTEER_AHEAD_DAYS = 400  # a volunteer's own claims are few; show every one they hold
MAX_EVENTS = 3000  # a hard bound on a coordinator feed, whatever the data
DROPPED = (SignupStatus.RELEASED, SignupStatus.REMOVED)


class RenderedFeed(NamedTuple):
    body: bytes
    last_modified: datetime


def render_feed(token: FeedToken, now: datetime | None = None) -> RenderedFeed:
    now = now or utcnow()
    if token.scope == FeedScope.VOLUNTEER:
        entries = volunteer_entries(token.user_id, now)
        body = builders.volunteer_calendar(entries)
    else:
        courthouse_id = token.courthouse_id if token.scope == FeedScope.COURTHOUSE else None
        shifts = courthouse_shifts(courthouse_id, now)
        entries = [builders.FeedEntry(shift, stamp=shift.updated_at) for shift in shifts]
        body = builders.courthouse_calendar(shifts, name=_calendar_name(token))
    last_modified = max((entry.stamp for entry in entries), default=token.created_at)
    return RenderedFeed(body, last_modified.astimezone(UTC).replace(microsecond=0))


def _calendar_name(token: FeedToken) -> str:
    if token.scope == FeedScope.COURTHOUSE and token.courthouse is not None:
        return _("Courtwatch: %(courthouse)s", courthouse=token.courthouse.name)
    return _("Courtwatch: all courthouses")


class ShiftRow(NamedTuple):
    """The columns a coordinator feed needs: read as plain rows, 500 shifts cost no ORM identity work."""

    id: int
    kind: str
    starts_at: datetime
    ends_at: datetime
    status: str
    sequence: int
    claimed_count: int
    capacity: int
    meeting_point: str
    updated_at: datetime
    created_at: datetime
    courthouse_id: int
    courthouse: Courthouse | None = None


_SHIFT_COLUMNS = [getattr(Shift, name) for name in ShiftRow._fields if name != "courthouse"]


def courthouse_bounds(now: datetime) -> dict[str, datetime]:
    """The moments a coordinator feed's window is cut at (see courthouse_window)."""
    ahead = max(int(current_app.config["SHIFT_HORIZON_DAYS"]), int(current_app.config["IMPORT_WINDOW_DAYS"]))
    return {
        "window_start": now - timedelta(days=PAST_DAYS),
        "window_end": now + timedelta(days=ahead),
        "recent": now - timedelta(days=RECENT_DAYS),
    }


def courthouse_window(window_start, window_end, recent) -> tuple:
    """Which shifts a coordinator feed shows; the bounds are datetimes, or bound parameters when
    feeds.freshness counts the same rows for the feed's validator."""
    return (
        Shift.starts_at >= window_start,
        Shift.starts_at <= window_end,
        or_(Shift.status == ShiftStatus.OPEN, Shift.cancelled_at >= recent),
    )


def volunteer_bounds(now: datetime) -> dict[str, datetime]:
    return {
        "window_start": now - timedelta(days=PAST_DAYS),
        "window_end": now + timedelta(days=VOLUNTEER_AHEAD_DAYS),
        "recent": now - timedelta(days=RECENT_DAYS),
    }


def volunteer_window(window_start, window_end) -> tuple:
    """Which of a volunteer's shifts their feed may show (before the per-shift rules of _entry_for)."""
    return (Shift.starts_at >= window_start, Shift.starts_at <= window_end)


def courthouse_shifts(courthouse_id: int | None, now: datetime) -> list[ShiftRow]:
    """Every shift of one courthouse (or all) in the window: one query for shifts, one for courthouses."""
    query = (
        select(*_SHIFT_COLUMNS)
        .where(*courthouse_window(**courthouse_bounds(now)))
        .order_by(Shift.starts_at, Shift.id)
        .limit(MAX_EVENTS)
    )
    if courthouse_id is not None:
        query = query.where(Shift.courthouse_id == courthouse_id)
    rows = db.session.execute(query).all()
    ids = {row.courthouse_id for row in rows}
    courthouses = {}
    if ids:
        courthouses = {c.id: c for c in db.session.scalars(select(Courthouse).where(Courthouse.id.in_(ids)))}
    return [ShiftRow(*row, courthouse=courthouses[row.courthouse_id]) for row in rows]


def volunteer_entries(user_id: int, now: datetime) -> list[builders.FeedEntry]:
    """The user's shifts as they should appear in their own calendar, soonest first."""
    bounds = volunteer_bounds(now)
    recent = bounds["recent"]
    signups = db.session.scalars(
        select(ShiftSignup)
        .join(ShiftSignup.shift)
        .options(contains_eager(ShiftSignup.shift).joinedload(Shift.courthouse))
        .where(
            ShiftSignup.user_id == user_id,
            ShiftSignup.status.in_((SignupStatus.CLAIMED, *DROPPED)),
            *volunteer_window(bounds["window_start"], bounds["window_end"]),
        )
        .order_by(Shift.starts_at, Shift.id, ShiftSignup.id)
    ).unique()
    by_shift: dict[int, list[ShiftSignup]] = {}
    for signup in signups:
        by_shift.setdefault(signup.shift_id, []).append(signup)
    entries = []
    for rows in by_shift.values():
        entry = _entry_for(rows, recent)
        if entry is not None:
            entries.append(entry)
    return entries


def _entry_for(rows: list[ShiftSignup], recent: datetime) -> builders.FeedEntry | None:
    shift = rows[0].shift
    claimed = next((row for row in rows if row.status == SignupStatus.CLAIMED), None)
    # Each time the volunteer leaves and comes back is two changes of status for them; SEQUENCE must
    # keep rising across those, on top of the shift's own changes (time, place, cancellation).
    drops = sum(1 for row in rows if row.status in DROPPED or row.released_at is not None)
    stamp = max([shift.updated_at, *(row.updated_at for row in rows)])
    if claimed is not None:
        cancelled = shift.status == ShiftStatus.CANCELLED
        if cancelled and (shift.cancelled_at or shift.updated_at) < recent:
            return None
        return builders.FeedEntry(shift, cancelled=cancelled, sequence=shift.sequence + 2 * drops, stamp=stamp)
    last_drop = max(row.released_at or row.updated_at for row in rows)
    if last_drop < recent:
        return None
    return builders.FeedEntry(
        shift, cancelled=True, released=True, sequence=shift.sequence + max(2 * drops - 1, 1), stamp=stamp
    )
