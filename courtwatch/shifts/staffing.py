"""What coordinators staff from: the gap view, the understaffed count, a shift's roster and the
volunteers who could be assigned to it.

Kept apart from ``services`` (which changes shifts) because these are read-only views of the
roster that the coordinator pages and the home page share; the gap list and the home page count
use one understaffed condition so they can never disagree.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from courtwatch.auth.models import User
from courtwatch.db import db, utcnow
from courtwatch.shifts.models import Shift, ShiftSignup, ShiftStatus, SignupStatus


def understaffed_clause(days: int, now: datetime) -> ColumnElement[bool]:
    """Open shifts starting within ``days`` that are below their minimum, or empty (a shift with
    minimum 0 still wants someone there)."""
    return and_(
        Shift.status == ShiftStatus.OPEN,
        Shift.starts_at > now,
        Shift.starts_at < now + timedelta(days=days),
        or_(Shift.claimed_count < Shift.minimum, Shift.claimed_count == 0),
    )


def list_gaps(
    days: int = 14, courthouse_id: int | None = None, now: datetime | None = None, limit: int = 200
) -> list[Shift]:
    """Open upcoming shifts below their minimum (or empty), worst first: fewest people, soonest."""
    now = now or utcnow()
    query = (
        select(Shift)
        .join(Shift.courthouse)
        .options(contains_eager(Shift.courthouse))
        .where(understaffed_clause(days, now))
    )
    if courthouse_id:
        query = query.where(Shift.courthouse_id == courthouse_id)
    shortfall = Shift.minimum - Shift.claimed_count
    return list(db.session.scalars(query.order_by(Shift.claimed_count, shortfall.desc(), Shift.starts_at).limit(limit)))


def count_understaffed(days: int = 7, now: datetime | None = None) -> int:
    now = now or utcnow()
    return db.session.scalar(select(func.count()).select_from(Shift).where(understaffed_clause(days, now))) or 0


def roster(shift: Shift) -> list[ShiftSignup]:
    """Everyone who signed up, live first (claimed, then waitlist in order), users loaded at once."""
    signups = db.session.scalars(
        select(ShiftSignup)
        .where(ShiftSignup.shift_id == shift.id)
        .options(selectinload(ShiftSignup.user))
        .order_by(ShiftSignup.created_at, ShiftSignup.id)
    ).all()
    rank = {SignupStatus.CLAIMED: 0, SignupStatus.WAITLISTED: 1}
    return sorted(signups, key=lambda s: rank.get(s.status, 2))


def assignable_volunteers(shift: Shift, query: str = "", limit: int = 20) -> list[User]:
    """Active people not already on the shift, matched by name or email (the roster's assign box)."""
    taken = select(ShiftSignup.user_id).where(
        ShiftSignup.shift_id == shift.id, ShiftSignup.status == SignupStatus.CLAIMED
    )
    statement = select(User).where(User.status == "active", User.id.not_in(taken))
    if query:
        like = f"%{query.lower()}%"
        statement = statement.where(or_(func.lower(User.name).like(like), func.lower(User.email).like(like)))
    return list(db.session.scalars(statement.order_by(User.name).limit(limit)))
