"""The roster rules: claim, waitlist, release, promotion, assignment, attendance.

Every function that changes who holds a place first locks the shift (see ``locking``) and then
decides from freshly read rows, so concurrent requests from several server processes queue up
instead of racing. ``claimed_count`` on the shift is only ever changed here, under that lock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from courtwatch.auth.models import Training, User
from courtwatch.auth.services import has_training
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.privacy.services import record_event
from courtwatch.shifts import notices
from courtwatch.shifts.accompaniment import note_release, required_training_id
from courtwatch.shifts.locking import lock_shift, lock_user
from courtwatch.shifts.models import LIVE_SIGNUP_STATUSES, Shift, ShiftSignup, ShiftStatus, SignupStatus
from courtwatch.shifts.offers import check_first_offer, note_claimed

CHECK_IN_EARLY = timedelta(hours=2)
CHECK_IN_LATE = timedelta(hours=4)


class ShiftFull(DomainError):
    """No place left; the view offers the waitlist."""


class ReleaseTooLate(DomainError):
    """Inside the release cut-off; the view offers "ask a coordinator"."""


def _locked(shift_id: int) -> Shift:
    shift = lock_shift(shift_id)
    if shift is None:
        raise NotFound(_("No such shift."))
    return shift


def live_signup(shift_id: int, user_id: int) -> ShiftSignup | None:
    return db.session.scalar(
        select(ShiftSignup)
        .where(
            ShiftSignup.shift_id == shift_id,
            ShiftSignup.user_id == user_id,
            ShiftSignup.status.in_(LIVE_SIGNUP_STATUSES),
        )
        .execution_options(populate_existing=True)
    )


def overlapping_claim(user_id: int, shift: Shift) -> ShiftSignup | None:
    return db.session.scalar(
        select(ShiftSignup)
        .join(ShiftSignup.shift)
        .where(
            ShiftSignup.user_id == user_id,
            ShiftSignup.status == SignupStatus.CLAIMED,
            ShiftSignup.shift_id != shift.id,
            Shift.status == ShiftStatus.OPEN,
            Shift.starts_at < shift.ends_at,
            Shift.ends_at > shift.starts_at,
        )
        .order_by(Shift.starts_at)
        .limit(1)
    )


def _check_can_take(user: User, shift: Shift, now: datetime) -> None:
    if not user.is_approved:
        raise DomainError(_("Your account is waiting for approval."))
    if shift.status == ShiftStatus.CANCELLED:
        raise DomainError(_("This shift was cancelled."))
    if shift.starts_at <= now:
        raise DomainError(_("This shift has already started."))
    training_id = required_training_id(shift)
    if not has_training(user, training_id):
        training = db.session.get(Training, training_id)
        raise DomainError(
            _(
                "This shift needs the training \u201c%(name)s\u201d, which you have not done yet.",
                name=training.name if training else "",
            )
        )
    other = overlapping_claim(user.id, shift)
    if other is not None:
        raise DomainError(_("This overlaps another shift you hold: %(other)s.", other=other.shift.short_title))
    check_first_offer(user, shift, now)


def claim_shift(user: User, shift_id: int, *, waitlist: bool = False, now: datetime | None = None) -> ShiftSignup:
    """Take a place; when full, join the waitlist if asked to, else raise ShiftFull.

    A second tap (or a retried request) returns the sign-up the first one made.
    """
    now = now or utcnow()
    shift = _locked(shift_id)
    lock_user(user.id)
    existing = live_signup(shift.id, user.id)
    if existing is not None:
        return existing
    _check_can_take(user, shift, now)
    if shift.claimed_count >= shift.capacity:
        if not waitlist:
            raise ShiftFull(
                _("This shift is full. You can join the waitlist: you get the place automatically when one frees up.")
            )
        signup = ShiftSignup(shift=shift, user_id=user.id, status=SignupStatus.WAITLISTED, created_at=now)
        db.session.add(signup)
        db.session.flush()
        record_event(user, "shift.waitlisted", shift)
        return signup
    signup = ShiftSignup(shift=shift, user_id=user.id, status=SignupStatus.CLAIMED, created_at=now)
    db.session.add(signup)
    shift.claimed_count += 1
    db.session.flush()
    note_claimed(user, shift, now)
    notices.queue_claim_confirmation(signup, user)
    record_event(user, "shift.claimed", shift)
    return signup


def release_shift(user: User, shift_id: int, *, now: datetime | None = None) -> ShiftSignup:
    """Give a place back (or leave the waitlist); the first on the waitlist moves up."""
    now = now or utcnow()
    shift = _locked(shift_id)
    signup = live_signup(shift.id, user.id)
    if signup is None:
        raise DomainError(_("You are not signed up for this shift."))
    if signup.status == SignupStatus.CLAIMED and shift.status == ShiftStatus.OPEN:
        if shift.starts_at <= now:
            raise DomainError(_("This shift has already started. Ask a coordinator if you cannot stay."))
        cutoff = timedelta(hours=int(current_app.config["RELEASE_CUTOFF_HOURS"]))
        if shift.starts_at - now < cutoff:
            raise ReleaseTooLate(
                _(
                    "This shift starts in less than %(hours)s hours, so it can no longer "
                    "be released here. Ask a coordinator: they can find someone else.",
                    hours=int(current_app.config["RELEASE_CUTOFF_HOURS"]),
                )
            )
    _end(signup, SignupStatus.RELEASED, now)
    record_event(user, "shift.released", shift)
    if signup.status == SignupStatus.RELEASED:
        note_release(user, shift, now)
    promote_waitlist(shift, now=now)
    return signup


def _end(signup: ShiftSignup, status: str, now: datetime) -> None:
    if signup.status == SignupStatus.CLAIMED:
        signup.shift.claimed_count -= 1
    signup.status = status
    signup.released_at = now
    db.session.flush()


def promote_waitlist(shift: Shift, *, now: datetime | None = None) -> list[ShiftSignup]:
    """Fill free places from the waitlist in the order people joined; the caller holds the lock.

    Someone who meanwhile took an overlapping shift is skipped (and stays on the waitlist).
    """
    now = now or utcnow()
    promoted: list[ShiftSignup] = []
    if shift.status != ShiftStatus.OPEN or shift.starts_at <= now:
        return promoted
    waiting = db.session.scalars(
        select(ShiftSignup)
        .where(ShiftSignup.shift_id == shift.id, ShiftSignup.status == SignupStatus.WAITLISTED)
        .order_by(ShiftSignup.created_at, ShiftSignup.id)
    ).all()
    for signup in waiting:
        if shift.claimed_count >= shift.capacity:
            break
        lock_user(signup.user_id)
        if overlapping_claim(signup.user_id, shift) is not None:
            continue
        signup.status = SignupStatus.CLAIMED
        signup.promoted_at = now
        shift.claimed_count += 1
        db.session.flush()
        notices.queue_promotion_notice(signup)
        record_event(None, "shift.promoted", shift, signup_id=signup.id)
        promoted.append(signup)
    return promoted


def ask_coordinator_to_release(user: User, shift_id: int) -> None:
    """Inside the cut-off: tell the coordinators, who can unassign and find a replacement."""
    shift = db.session.get(Shift, shift_id)
    signup = live_signup(shift_id, user.id) if shift else None
    if signup is None or signup.status != SignupStatus.CLAIMED:
        raise DomainError(_("You are not signed up for this shift."))
    notices.queue_release_request(signup, user)
    record_event(user, "shift.release_requested", shift)


# ---------------------------------------------------------------- coordinators
def assign_volunteer(actor: User, shift_id: int, volunteer: User, *, now: datetime | None = None) -> ShiftSignup:
    """A coordinator puts someone on a shift, ahead of the waitlist. A full shift is refused: the
    coordinator raises its capacity or unassigns someone first, so a roster never outgrows it."""
    now = now or utcnow()
    shift = _locked(shift_id)
    lock_user(volunteer.id)
    if not volunteer.is_approved:
        raise DomainError(_("Only approved volunteers can be assigned."), field="user_id")
    if shift.status == ShiftStatus.CANCELLED:
        raise DomainError(_("This shift was cancelled."))
    other = overlapping_claim(volunteer.id, shift)
    if other is not None:
        raise DomainError(
            _(
                "%(name)s already holds an overlapping shift: %(other)s.",
                name=volunteer.name,
                other=other.shift.short_title,
            ),
            field="user_id",
        )
    signup = live_signup(shift.id, volunteer.id)
    if signup is not None and signup.status == SignupStatus.CLAIMED:
        return signup
    if shift.claimed_count >= shift.capacity:
        raise DomainError(_("The shift is full: raise its capacity or unassign someone first."), field="user_id")
    if signup is None:
        signup = ShiftSignup(shift=shift, user_id=volunteer.id, created_at=now)
        db.session.add(signup)
    signup.status = SignupStatus.CLAIMED
    signup.assigned_by_id = actor.id
    shift.claimed_count += 1
    db.session.flush()
    notices.queue_claim_confirmation(signup, volunteer, assigned=True)
    record_event(actor, "shift.assigned", shift, user_id=volunteer.id)
    return signup


def unassign_volunteer(actor: User, signup_id: int, *, now: datetime | None = None) -> ShiftSignup:
    now = now or utcnow()
    signup = db.session.get(ShiftSignup, signup_id)
    if signup is None:
        raise NotFound(_("No such sign-up."))
    shift = _locked(signup.shift_id)
    db.session.refresh(signup)
    if not signup.is_live:
        return signup
    _end(signup, SignupStatus.REMOVED, now)
    notices.queue_removal_notice(signup)
    record_event(actor, "shift.unassigned", shift, user_id=signup.user_id)
    promote_waitlist(shift, now=now)
    return signup


def set_no_show(actor: User, signup_id: int, no_show: bool, *, now: datetime | None = None) -> ShiftSignup:
    now = now or utcnow()
    signup = db.session.get(ShiftSignup, signup_id)
    if signup is None or signup.status != SignupStatus.CLAIMED:
        raise NotFound(_("No such sign-up."))
    if no_show and signup.shift.starts_at > now:
        raise DomainError(_("A no-show can be marked only once the shift has started."))
    signup.no_show = no_show
    if no_show:
        signup.checked_in_at = signup.checked_out_at = None
    db.session.flush()
    record_event(actor, "shift.no_show" if no_show else "shift.no_show_cleared", signup.shift, user_id=signup.user_id)
    return signup


# ---------------------------------------------------------------- attendance
def _own_claim(user: User, shift_id: int) -> ShiftSignup:
    signup = db.session.scalar(
        select(ShiftSignup).where(
            ShiftSignup.shift_id == shift_id, ShiftSignup.user_id == user.id, ShiftSignup.status == SignupStatus.CLAIMED
        )
    )
    if signup is None:
        raise DomainError(_("You are not signed up for this shift."))
    return signup


def check_in(user: User, shift_id: int, *, now: datetime | None = None) -> ShiftSignup:
    now = now or utcnow()
    signup = _own_claim(user, shift_id)
    shift = signup.shift
    if shift.status == ShiftStatus.CANCELLED:
        raise DomainError(_("This shift was cancelled."))
    if now < shift.starts_at - CHECK_IN_EARLY:
        raise DomainError(_("Check-in opens two hours before the shift."))
    if now > shift.ends_at + CHECK_IN_LATE:
        raise DomainError(_("This shift is over; ask a coordinator to record your hours."))
    if signup.checked_in_at is None:
        signup.checked_in_at = now
        signup.no_show = False
        db.session.flush()
    return signup


def check_out(user: User, shift_id: int, *, now: datetime | None = None) -> ShiftSignup:
    now = now or utcnow()
    signup = _own_claim(user, shift_id)
    if signup.checked_in_at is None:
        raise DomainError(_("Check in first."))
    if signup.checked_out_at is None:
        signup.checked_out_at = max(now, signup.checked_in_at)
        db.session.flush()
    return signup


# ---------------------------------------------------------------- suspension
def release_future_claims(user: User, *, now: datetime | None = None) -> int:
    """A suspended volunteer leaves every future shift; waitlists move up."""
    now = now or utcnow()
    shift_ids = db.session.scalars(
        select(ShiftSignup.shift_id)
        .join(ShiftSignup.shift)
        .where(ShiftSignup.user_id == user.id, ShiftSignup.status.in_(LIVE_SIGNUP_STATUSES), Shift.starts_at > now)
        .order_by(ShiftSignup.shift_id)
    ).all()
    for shift_id in shift_ids:
        shift = _locked(shift_id)
        signup = live_signup(shift_id, user.id)
        if signup is not None:
            _end(signup, SignupStatus.REMOVED, now)
            promote_waitlist(shift, now=now)
    return len(shift_ids)
