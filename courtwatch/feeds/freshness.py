"""A feed's validator, from one aggregate query: calendar apps poll all day, most polls change nothing.

Hashing the built body made a conditional GET cost as much as the feed itself. The validator is
made instead of what the body is made of, read with aggregates over the same rows the feed
selects: how many, the sum of their ids (a row swapped for another changes it), the latest change,
and how many rows sit on each side of the feed's time boundaries (a cancelled or left shift stays
for RECENT_DAYS; the window starts PAST_DAYS back). Time only moves rows across those boundaries,
which changes a count; every edit of a shift or sign-up moves its ``updated_at``; deleting one
changes the count and the sum. The courthouses' shown columns (name, address, zone), the feed's
language and ``FEED_FORMAT`` are folded in too. The 200 carries the same ETag, so a poll after any
of those changes gets the new body, and a poll after none of them costs one small query.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import case, func, select

from courtwatch.courts.models import Courthouse
from courtwatch.db import db
from courtwatch.feeds import content
from courtwatch.feeds.models import FeedScope, FeedToken
from courtwatch.shifts.models import Shift, ShiftSignup, SignupStatus

# Bump when the builders' output changes for the same data, so a deploy reaches every calendar.
FEED_FORMAT = "1"

_COURTHOUSE_SHOWN = (
    Courthouse.id,
    Courthouse.name,
    Courthouse.street_address,
    Courthouse.city,
    Courthouse.state,
    Courthouse.postal_code,
    Courthouse.timezone,
)


def feed_validator(token: FeedToken, locale: str, now: datetime) -> str:
    """The ETag value (unquoted) of this token's feed as it would be built at ``now``."""
    if token.scope == FeedScope.VOLUNTEER:
        figures = _volunteer_figures(token.user_id, now)
        courthouse_id = None
    else:
        courthouse_id = token.courthouse_id if token.scope == FeedScope.COURTHOUSE else None
        figures = _courthouse_figures(courthouse_id, now)
    parts = [FEED_FORMAT, token.scope, locale, *map(_plain, figures), *map(_plain, _courthouses(courthouse_id))]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _plain(value) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return "\x1e".join(map(_plain, value))
    return str(value)


def _courthouse_figures(courthouse_id: int | None, now: datetime):
    # Rows leave this window only through its own conditions, so the count sees them go.
    query = select(func.count(), func.coalesce(func.sum(Shift.id), 0), func.max(Shift.updated_at)).where(
        *content.courthouse_window(now)
    )
    if courthouse_id is not None:
        query = query.where(Shift.courthouse_id == courthouse_id)
    return tuple(db.session.execute(query).one())


def _volunteer_figures(user_id: int, now: datetime):
    recent = now - timedelta(days=content.RECENT_DAYS)
    # The feed drops a left shift, or a cancelled one, RECENT_DAYS after it happened (content._entry_for):
    # counting the rows on the near side of that moment sees each one cross it.
    dropped_at = func.coalesce(ShiftSignup.released_at, ShiftSignup.updated_at)
    cancelled_at = func.coalesce(Shift.cancelled_at, Shift.updated_at)
    query = (
        select(
            func.count(),
            func.coalesce(func.sum(ShiftSignup.id), 0),
            func.max(ShiftSignup.updated_at),
            func.max(Shift.updated_at),
            func.coalesce(func.sum(case((dropped_at >= recent, 1), else_=0)), 0),
            func.coalesce(func.sum(case((cancelled_at >= recent, 1), else_=0)), 0),
        )
        .join(ShiftSignup.shift)
        .where(
            ShiftSignup.user_id == user_id,
            ShiftSignup.status.in_((SignupStatus.CLAIMED, *content.DROPPED)),
            *content.volunteer_window(now),
        )
    )
    return tuple(db.session.execute(query).one())


def _courthouses(courthouse_id: int | None) -> list[tuple]:
    """The shown columns of the courthouses a feed may name: one row for a courthouse feed, every
    courthouse otherwise (a few hundred short rows at most)."""
    query = select(*_COURTHOUSE_SHOWN).order_by(Courthouse.id)
    if courthouse_id is not None:
        query = query.where(Courthouse.id == courthouse_id)
    return [tuple(row) for row in db.session.execute(query)]
