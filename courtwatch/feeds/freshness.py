"""A feed's validator, from one aggregate query: calendar apps poll all day, most polls change nothing.

Hashing the built body made a conditional GET cost as much as the feed itself. The validator is
made instead of what the body is made of, read with aggregates over the same rows the feed
selects: how many, the sum of their ids (a row swapped for another changes it), the latest change,
and how many rows sit on the near side of the feed's time boundaries (a cancelled or left shift
stays for RECENT_DAYS; the window starts PAST_DAYS back and ends some days ahead). Time only moves
rows across those boundaries, which changes a count; every edit of a shift or sign-up moves its
``updated_at``; deleting one changes the count and the sum. The courthouses' shown columns (name,
address, zone), the feed's language and ``FEED_FORMAT`` are folded in too. The 200 carries the
same ETag, so a poll after any of those changes gets the new body, and a poll after none of them
costs the token lookup and two small queries.

The statements are built once per process with bound values (building and caching a statement's
key costs more than running it here) and run on the session's connection, past the ORM.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cache

from sqlalchemy import Select, and_, bindparam, case, func, select

from courtwatch.courts.models import Courthouse
from courtwatch.db import db
from courtwatch.feeds import content
from courtwatch.feeds.models import FeedScope, FeedToken
from courtwatch.shifts.models import Shift, ShiftSignup, SignupStatus

# Bump when the builders' output changes for the same data, so a deploy reaches every calendar.
FEED_FORMAT = "1"


def feed_validator(token: FeedToken, locale: str, now: datetime) -> str:
    """The ETag value (unquoted) of this token's feed as it would be built at ``now``."""
    connection = db.session.connection()
    if token.scope == FeedScope.VOLUNTEER:
        bounds = content.volunteer_bounds(now)
        figures = connection.execute(_volunteer_statement(), {**bounds, "user_id": token.user_id}).one()
        courthouse_id = None
    else:
        courthouse_id = token.courthouse_id if token.scope == FeedScope.COURTHOUSE else None
        statement = _courthouse_statement(courthouse_id is not None)
        figures = connection.execute(
            statement, {**content.courthouse_bounds(now), "courthouse_id": courthouse_id}
        ).one()
    courthouses = connection.execute(
        _courthouses_statement(courthouse_id is not None), {"courthouse_id": courthouse_id}
    )
    parts = [FEED_FORMAT, token.scope, locale, *map(_plain, figures), *map(_plain, courthouses)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def _plain(value) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list) or hasattr(value, "_fields"):
        return "\x1e".join(map(_plain, value))
    return str(value)


@cache
def _courthouse_statement(one_courthouse: bool) -> Select:
    """content.courthouse_window's rows: rows leave it only through its own conditions, so the count
    sees them go."""
    conditions = list(
        content.courthouse_window(bindparam("window_start"), bindparam("window_end"), bindparam("recent"))
    )
    if one_courthouse:
        conditions.append(Shift.courthouse_id == bindparam("courthouse_id"))
    return select(func.count(), func.coalesce(func.sum(Shift.id), 0), func.max(Shift.updated_at)).where(
        and_(*conditions)
    )


@cache
def _volunteer_statement() -> Select:
    """content.volunteer_entries' rows. The feed drops a left shift, or a cancelled one,
    RECENT_DAYS after it happened (content._entry_for): counting the rows on the near side of that
    moment sees each one cross it."""
    dropped_at = func.coalesce(ShiftSignup.released_at, ShiftSignup.updated_at)
    cancelled_at = func.coalesce(Shift.cancelled_at, Shift.updated_at)
    return (
        select(
            func.count(),
            func.coalesce(func.sum(ShiftSignup.id), 0),
            func.max(ShiftSignup.updated_at),
            func.max(Shift.updated_at),
            func.coalesce(func.sum(case((dropped_at >= bindparam("recent"), 1), else_=0)), 0),
            func.coalesce(func.sum(case((cancelled_at >= bindparam("recent"), 1), else_=0)), 0),
        )
        .join(ShiftSignup.shift)
        .where(
            ShiftSignup.user_id == bindparam("user_id"),
            ShiftSignup.status.in_((SignupStatus.CLAIMED, *content.DROPPED)),
            *content.volunteer_window(bindparam("window_start"), bindparam("window_end")),
        )
    )


@cache
def _courthouses_statement(one_courthouse: bool) -> Select:
    """The shown columns of the courthouses a feed may name: one for a courthouse feed, every one
    otherwise (a few hundred short rows at most)."""
    query = select(
        Courthouse.id,
        Courthouse.name,
        Courthouse.street_address,
        Courthouse.city,
        Courthouse.state,
        Courthouse.postal_code,
        Courthouse.timezone,
    ).order_by(Courthouse.id)
    if one_courthouse:
        query = query.where(Courthouse.id == bindparam("courthouse_id"))
    return query
