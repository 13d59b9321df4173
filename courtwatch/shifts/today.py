"""The start page's "Today" card: the shift a volunteer is on now, or their next one today.

"Today" is the courthouse's day, not the server's or the phone's: a 9:00 shift in Honolulu is
today's from midnight to midnight Honolulu time. A shift that has started stays the "on now"
shift until it ends (and, once the volunteer checked in, until they check out or the check-in
window closes), so "I'm leaving" stays one tap away.

The card shows only what the shift page shows everyone who may see the shift: courthouse,
courtroom, time and meeting point. The accompanied person's details are never on it (they open
on the shift page, for those allowed, and each opening is recorded there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from courtwatch.auth.models import User
from courtwatch.db import db, utcnow
from courtwatch.shifts.claims import CHECK_IN_EARLY, CHECK_IN_LATE
from courtwatch.shifts.models import Shift, ShiftSignup, ShiftStatus, SignupStatus

# Longest a local "today" can reach ahead of now: 24 hours plus the widest offset change.
LOOKAHEAD = timedelta(hours=27)


@dataclass(frozen=True)
class TodayShift:
    signup: ShiftSignup
    on_now: bool
    can_check_in: bool  # inside the check-in window and not checked in yet
    check_in_opens_at: datetime  # UTC

    @property
    def shift(self) -> Shift:
        return self.signup.shift


def todays_signup(user: User, now: datetime | None = None) -> TodayShift | None:
    now = now or utcnow()
    candidates = db.session.scalars(
        select(ShiftSignup)
        .join(ShiftSignup.shift)
        .options(contains_eager(ShiftSignup.shift))
        .where(
            ShiftSignup.user_id == user.id,
            ShiftSignup.status == SignupStatus.CLAIMED,
            Shift.status == ShiftStatus.OPEN,
            Shift.ends_at > now - CHECK_IN_LATE,
            Shift.starts_at < now + LOOKAHEAD,
        )
        .order_by(Shift.starts_at)
        .limit(10)
    )
    for signup in candidates:
        shift = signup.shift
        started = shift.starts_at <= now
        running = started and now < shift.ends_at
        still_attending = started and signup.checked_in_at is not None and signup.checked_out_at is None
        still_attending = still_attending and now <= shift.ends_at + CHECK_IN_LATE
        later_today = (
            not started and shift.courthouse.local(shift.starts_at).date() == shift.courthouse.local(now).date()
        )
        if running or still_attending or later_today:
            opens = shift.starts_at - CHECK_IN_EARLY
            can_check_in = signup.checked_in_at is None and opens <= now <= shift.ends_at + CHECK_IN_LATE
            return TodayShift(signup, on_now=started, can_check_in=can_check_in, check_in_opens_at=opens)
    return None
