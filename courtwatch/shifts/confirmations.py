""" "Still coming?": the day before a shift each volunteer holding it is asked to confirm.

Mobilize does this and it catches no-shows while a coordinator can still find someone. The ask
goes out at ``CONFIRM_ASK_HOUR`` on the day before the shift *in the courthouse's time zone*
(what volunteers mean by "the day before"), once per sign-up, from ``notify send-due``. It carries
one-tap Yes and Release links: signed, bound to the sign-up, dead once the shift starts, and
single use through the sign-up's own state (confirmed, or no longer claimed, means "already
answered"), so no token table is needed. A Release through the link is the ordinary
``claims.release_shift`` (cut-off, waitlist promotion, notices and the release flag all apply).

Shifts with a volunteer who has not said yes by ``CONFIRM_BY_HOUR`` that day are flagged on the
coordinators' gap view. Someone who claimed after that hour is not counted: they just chose it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import contains_eager

from courtwatch.auth.models import User
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError
from courtwatch.privacy.services import record_event
from courtwatch.shifts import claims
from courtwatch.shifts.models import Shift, ShiftSignup, ShiftStatus, SignupStatus
from courtwatch.shifts.notices import queue_attendance_ask

SALT = "courtwatch.shift-confirm"
# A backstop only: a link really dies when its shift starts (checked against the shift).
TOKEN_MAX_AGE = 14 * 24 * 3600
ANSWERS = ("yes", "release")


class LinkInvalid(DomainError):
    """Tampered, truncated or not ours (the page answers 400)."""


class LinkExpired(DomainError):
    """The shift has started, was cancelled, or the link is very old (the page answers 410)."""


class AlreadyAnswered(DomainError):
    """The sign-up was confirmed or released already (this link or the shift page)."""


def _hour(setting: str, default: int) -> int:
    try:
        return min(max(int(current_app.config.get(setting, default)), 0), 23)
    except (TypeError, ValueError):
        return default


def _day_before_at(shift: Shift, hour: int) -> datetime:
    """``hour`` o'clock on the local day before the shift's local start, as an aware UTC time."""
    zone = shift.courthouse.zone
    day = shift.courthouse.local(shift.starts_at).date() - timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(shift.starts_at.tzinfo)


def ask_time(shift: Shift) -> datetime:
    """The ask hour, but never after the confirm-by hour: a volunteer flagged "not confirmed" on
    the gap view must already have been asked and be able to say yes on the shift page."""
    return min(_day_before_at(shift, _hour("CONFIRM_ASK_HOUR", 10)), confirm_by(shift))


def confirm_by(shift: Shift) -> datetime:
    return _day_before_at(shift, _hour("CONFIRM_BY_HOUR", 18))


# ---------------------------------------------------------------- links
def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(signup: ShiftSignup) -> str:
    return _serializer().dumps([signup.id, signup.user_id])


def signup_for_token(token: str, now: datetime | None = None) -> ShiftSignup:
    """The sign-up a link answers for, if the link may still be used."""
    now = now or utcnow()
    try:
        signup_id, user_id = _serializer().loads(token, max_age=TOKEN_MAX_AGE)
        signup = db.session.get(ShiftSignup, int(signup_id))
    except BadSignature as error:  # SignatureExpired is one: very old is as good as forged
        raise LinkInvalid(_("This link is not valid. Open the shift from Courtwatch instead.")) from error
    except (TypeError, ValueError) as error:
        raise LinkInvalid(_("This link is not valid. Open the shift from Courtwatch instead.")) from error
    if signup is None or signup.user_id != user_id:
        raise LinkInvalid(_("This link is not valid. Open the shift from Courtwatch instead."))
    if signup.shift.status != ShiftStatus.OPEN:
        raise LinkExpired(_("This shift was cancelled; there is nothing to confirm."))
    if signup.shift.starts_at <= now:
        raise LinkExpired(_("This link has expired: the shift has already started."))
    return signup


def answer_state(signup: ShiftSignup) -> str | None:
    """ "yes", "released" or None (not answered yet)."""
    if signup.status != SignupStatus.CLAIMED:
        return "released"
    if signup.attendance_confirmed_at is not None:
        return "yes"
    return None


def answer_by_link(token: str, answer: str, now: datetime | None = None) -> ShiftSignup:
    """Yes or Release from the link; anyone holding it acts as the volunteer, for this only."""
    now = now or utcnow()
    signup = signup_for_token(token, now)
    if answer not in ANSWERS:
        raise LinkInvalid(_("This link is not valid. Open the shift from Courtwatch instead."))
    if answer_state(signup) is not None:
        raise AlreadyAnswered(_("You already answered for this shift."))
    user = db.session.get(User, signup.user_id)
    if answer == "yes":
        return confirm_attendance(user, signup.shift_id, now=now)
    released = claims.release_shift(user, signup.shift_id, now=now)
    record_event(user, "shift.release_by_link", released.shift)
    return released


def ask_coordinator_by_link(token: str, now: datetime | None = None) -> ShiftSignup:
    """Inside the release cut-off the link offers this instead (the coordinators are told)."""
    signup = signup_for_token(token, now)
    if answer_state(signup) is not None:
        raise AlreadyAnswered(_("You already answered for this shift."))
    claims.ask_coordinator_to_release(db.session.get(User, signup.user_id), signup.shift_id)
    return signup


def confirm_attendance(user: User, shift_id: int, *, now: datetime | None = None) -> ShiftSignup:
    """The volunteer says "yes, I'm coming" (from the link or the shift page)."""
    now = now or utcnow()
    signup = claims.live_signup(shift_id, user.id)
    if signup is None or signup.status != SignupStatus.CLAIMED:
        raise DomainError(_("You are not signed up for this shift."))
    if signup.shift.status != ShiftStatus.OPEN or signup.shift.starts_at <= now:
        raise DomainError(_("This shift has already started or was cancelled."))
    if signup.attendance_confirmed_at is None:
        signup.attendance_confirmed_at = now
        db.session.flush()
        record_event(user, "shift.attendance_confirmed", signup.shift)
    return signup


def forget_answers(shift: Shift) -> None:
    """The shift moved: a yes was for the old time, so everyone on it is asked again."""
    db.session.execute(
        update(ShiftSignup)
        .where(ShiftSignup.shift_id == shift.id)
        .values(attendance_asked_at=None, attendance_confirmed_at=None)
        .execution_options(synchronize_session="fetch")
    )


# ---------------------------------------------------------------- asking
def _upcoming_claims(now: datetime, *, unasked: bool):
    # The ask hour is at most 48 h before the start (00:00 the day before a 23:59 shift).
    query = (
        select(ShiftSignup, User)
        .join(ShiftSignup.shift)
        .join(Shift.courthouse)
        .join(User, User.id == ShiftSignup.user_id)
        .options(contains_eager(ShiftSignup.shift).contains_eager(Shift.courthouse))
        .where(
            ShiftSignup.status == SignupStatus.CLAIMED,
            ShiftSignup.attendance_confirmed_at.is_(None),
            Shift.status == ShiftStatus.OPEN,
            Shift.starts_at > now,
            Shift.starts_at <= now + timedelta(hours=49),
        )
        .order_by(Shift.starts_at, ShiftSignup.id)
    )
    if unasked:
        query = query.where(ShiftSignup.attendance_asked_at.is_(None), User.status == "active")
    return db.session.execute(query).all()


def queue_due_confirmations(now: datetime | None = None) -> int:
    """Ask every claimed, unconfirmed, not yet asked sign-up whose ask time has come."""
    now = now or utcnow()
    asked = 0
    for signup, user in _upcoming_claims(now, unasked=True):
        if not ask_time(signup.shift) <= now < _day_before_at(signup.shift, 0) + timedelta(days=1):
            continue  # not yet; or claimed on the day itself, when asking again is only noise
        signup.attendance_asked_at = now
        asked += queue_attendance_ask(signup, user, make_token(signup))
    db.session.flush()
    return asked


# ---------------------------------------------------------------- the gap view
@dataclass
class Unconfirmed:
    shift: Shift
    people: int  # claimed volunteers who have not said yes
    deadline: datetime


def unconfirmed_shifts(now: datetime | None = None, courthouse_id: int | None = None) -> list[Unconfirmed]:
    """Shifts past their confirm-by hour with someone who has not said yes, soonest first."""
    now = now or utcnow()
    found: dict[int, Unconfirmed] = {}
    for signup, _user in _upcoming_claims(now, unasked=False):
        shift = signup.shift
        if courthouse_id and shift.courthouse_id != courthouse_id:
            continue
        deadline = confirm_by(shift)
        claimed_at = signup.promoted_at or signup.created_at
        if now < deadline or claimed_at >= deadline:
            continue
        entry = found.setdefault(shift.id, Unconfirmed(shift, 0, deadline))
        entry.people += 1
    return list(found.values())
