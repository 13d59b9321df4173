"""Creating, changing, cancelling and listing shifts (the roster rules live in ``claims``, the
coordinators' staffing views in ``staffing``).

Every change that volunteers would act on (time, place, status) bumps ``sequence`` so calendar
feeds publish an update, and queues a notice to the people on the shift.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import Row, Select, and_, bindparam, or_, select
from sqlalchemy.orm import contains_eager

from courtwatch.auth.models import User
from courtwatch.courts.models import Courthouse
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.privacy.services import record_event
from courtwatch.shifts import confirmations, notices
from courtwatch.shifts.accompaniment import accompaniment_training
from courtwatch.shifts.claims import promote_waitlist
from courtwatch.shifts.locking import lock_shift
from courtwatch.shifts.models import LIVE_SIGNUP_STATUSES, Shift, ShiftKind, ShiftSignup, ShiftStatus, SignupStatus
from courtwatch.shifts.offers import held_for_others_clause

LIST_WINDOW_DAYS = 28
# A phone screen shows three cards: 25 is eight screens, and later ones are a tap away. Each card
# costs the page about a tenth of a millisecond of CPU (load and draw), so the page size is most of
# the list's cost; it was 40 until the 50 ms p95 target under load.
PAGE_SIZE = 25


def get_shift(shift_id: int) -> Shift:
    shift = db.session.get(Shift, shift_id)
    if shift is None:
        raise NotFound(_("No such shift."))
    return shift


def _check_values(starts_at: datetime, ends_at: datetime, capacity: int, minimum: int) -> None:
    if ends_at <= starts_at:
        raise DomainError(_("The end must be after the start."), field="end")
    if ends_at - starts_at > timedelta(hours=16):
        raise DomainError(_("A shift lasts at most 16 hours."), field="end")
    if capacity < 1 or capacity > 50:
        raise DomainError(_("Capacity must be between 1 and 50."), field="capacity")
    if minimum < 0 or minimum > capacity:
        raise DomainError(_("The minimum must be between 0 and the capacity."), field="minimum")


def create_shift(
    actor: User | None,
    *,
    courthouse: Courthouse,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int | None = None,
    minimum: int | None = None,
    training_id: int | None = None,
    language: str | None = None,
    meeting_point: str = "",
    notes: str = "",
    hearing_id: int | None = None,
    pattern_id: int | None = None,
) -> Shift:
    if kind not in (ShiftKind.OBSERVATION, ShiftKind.ACCOMPANIMENT):
        raise DomainError(_("Choose observation or accompaniment."), field="kind")
    default_capacity = 2
    capacity = default_capacity if capacity is None else capacity
    if minimum is None:
        minimum = min(2, capacity) if kind == ShiftKind.ACCOMPANIMENT else 1
    _check_values(starts_at, ends_at, capacity, minimum)
    if kind == ShiftKind.ACCOMPANIMENT and training_id is None:
        training_id = accompaniment_training().id  # never without it; a coordinator may waive it later
    shift = Shift(
        kind=kind,
        courthouse=courthouse,
        courthouse_id=courthouse.id,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        minimum=minimum,
        training_id=training_id,
        language=language or None,
        meeting_point=meeting_point.strip(),
        notes=notes.strip(),
        hearing_id=hearing_id,
        pattern_id=pattern_id,
        status=ShiftStatus.OPEN,
        sequence=0,
        claimed_count=0,
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(shift)
    db.session.flush()
    if actor is not None:
        record_event(actor, "shift.created", shift, kind=kind)
    return shift


def update_shift(
    actor: User | None,
    shift: Shift,
    *,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    minimum: int,
    training_id: int | None,
    language: str | None,
    meeting_point: str,
    notes: str,
) -> Shift:
    """Edit a shift; volunteers on it hear about changes of time or place."""
    shift = lock_shift(shift.id)
    _check_values(starts_at, ends_at, capacity, minimum)
    if capacity < shift.claimed_count:
        raise DomainError(
            _("%(n)s volunteers hold this shift; unassign some before lowering the capacity.", n=shift.claimed_count),
            field="capacity",
        )
    moved = (starts_at, ends_at) != (shift.starts_at, shift.ends_at)
    place_changed = meeting_point.strip() != shift.meeting_point
    shift.starts_at, shift.ends_at = starts_at, ends_at
    shift.capacity, shift.minimum = capacity, minimum
    if shift.kind == ShiftKind.ACCOMPANIMENT and training_id is None and not shift.training_waived:
        training_id = accompaniment_training().id  # only the waiver removes it
    shift.training_id, shift.language = training_id, language or None
    shift.meeting_point, shift.notes = meeting_point.strip(), notes.strip()
    if moved:
        confirmations.forget_answers(shift)
    if moved or place_changed:
        shift.sequence += 1
        notices.queue_change_notices(shift, _change_summary(moved, place_changed))
    db.session.flush()
    promote_waitlist(shift)  # a raised capacity frees places
    if actor is not None:
        record_event(actor, "shift.updated", shift, moved=moved, place_changed=place_changed)
    return shift


def _change_summary(moved: bool, place_changed: bool) -> str:
    if moved and place_changed:
        return _("The time and the meeting point changed.")
    if moved:
        return _("The time changed.")
    return _("The meeting point changed.")


def move_shift(shift: Shift, starts_at: datetime, ends_at: datetime, reason: str) -> None:
    """Used when a hearing moves: same shift (same feed UID), new time, everyone told."""
    if (starts_at, ends_at) == (shift.starts_at, shift.ends_at):
        return
    shift.starts_at, shift.ends_at = starts_at, ends_at
    shift.sequence += 1
    confirmations.forget_answers(shift)
    db.session.flush()
    if shift.status == ShiftStatus.OPEN:
        notices.queue_change_notices(shift, reason)


def cancel_shift(actor: User | None, shift: Shift, reason: str = "", *, closure: str | None = None) -> Shift:
    """``closure`` is the label of the closure day that cancelled it; the notice names it in each
    volunteer's own language."""
    if shift.status == ShiftStatus.CANCELLED:
        return shift
    shift.status = ShiftStatus.CANCELLED
    shift.cancelled_at = utcnow()
    shift.sequence += 1
    db.session.flush()
    notices.queue_cancel_notices(shift, reason, closure=closure)
    record_event(actor, "shift.cancelled", shift)
    return shift


def reopen_shift(actor: User | None, shift: Shift, reason: str = "") -> Shift:
    """Undo a cancellation (a reinstated hearing); sign-ups that were live stay as they were."""
    if shift.status == ShiftStatus.OPEN:
        return shift
    shift.status = ShiftStatus.OPEN
    shift.cancelled_at = None
    shift.sequence += 1
    db.session.flush()
    notices.queue_change_notices(shift, reason or _("The shift is on again."))
    record_event(actor, "shift.reopened", shift)
    return shift


# ---------------------------------------------------------------- lists
@dataclass
class ShiftFilters:
    courthouse_id: int | None = None
    day: date | None = None
    kind: str | None = None
    my_language: bool = False
    after_id: int | None = None  # keyset pagination: the last shift of the previous page


def _window(filters: ShiftFilters, now: datetime) -> tuple[datetime, datetime]:
    if filters.day is None:
        return now, now + timedelta(days=LIST_WINDOW_DAYS)
    # The day is the courthouse's local day; a ±14 h margin covers every US zone, and the view
    # drops shifts whose local date differs.
    start = datetime.combine(filters.day, datetime.min.time()).replace(tzinfo=now.tzinfo)
    return max(now, start - timedelta(hours=14)), start + timedelta(hours=38)


# The list pages' statements are assembled once per process and run with bound values: putting
# a select together with its joins and eager-load options costs SQLAlchemy about 0.4 ms here,
# more than running it on the indexed tables, on pages whose whole budget is a few ms.
@cache
def _offered_shifts_statement(by_courthouse: bool, by_kind: bool, by_language: bool, after: bool) -> Select:
    query = (
        select(Shift)
        .join(Shift.courthouse)
        .options(contains_eager(Shift.courthouse))
        .where(
            Shift.status == ShiftStatus.OPEN,
            Shift.starts_at > bindparam("start"),
            Shift.starts_at < bindparam("end"),
            held_for_others_clause(),
        )
    )
    if by_courthouse:
        query = query.where(Shift.courthouse_id == bindparam("courthouse_id"))
    if by_kind:
        query = query.where(Shift.kind == bindparam("kind"))
    if by_language:
        query = query.where(Shift.language.in_(bindparam("languages", expanding=True)))
    if after:
        query = query.where(
            or_(
                Shift.starts_at > bindparam("after_starts"),
                and_(Shift.starts_at == bindparam("after_starts"), Shift.id > bindparam("after_id")),
            )
        )
    return query.order_by(Shift.starts_at, Shift.id).limit(bindparam("limit"))


def list_offered_shifts(
    user: User, filters: ShiftFilters, now: datetime | None = None, page_size: int = PAGE_SIZE
) -> tuple[list[Shift], bool]:
    """Open, not yet started shifts in a bounded window, soonest first, one page at a time.

    One query with the courthouse joined; returns (shifts, whether there are more).
    """
    now = now or utcnow()
    if not user.is_approved:
        return [], False
    start, end = _window(filters, now)
    values = {"start": start, "end": end, "limit": page_size + 1, "now": now, "user_id": user.id}
    by_kind = filters.kind in (ShiftKind.OBSERVATION, ShiftKind.ACCOMPANIMENT)
    if filters.courthouse_id:
        values["courthouse_id"] = filters.courthouse_id
    if by_kind:
        values["kind"] = filters.kind
    if filters.my_language:
        values["languages"] = user.language_codes or ["-"]
    previous = db.session.get(Shift, filters.after_id) if filters.after_id else None
    if previous is not None:
        values["after_starts"], values["after_id"] = previous.starts_at, previous.id
    statement = _offered_shifts_statement(
        bool(filters.courthouse_id), by_kind, bool(filters.my_language), previous is not None
    )
    shifts = list(db.session.scalars(statement, values))
    more = len(shifts) > page_size
    shifts = shifts[:page_size]
    if filters.day is not None:
        shifts = [s for s in shifts if s.courthouse.local(s.starts_at).date() == filters.day]
    return shifts, more


def my_signups_by_shift(user: User, shift_ids: list[int]) -> dict[int, Row]:
    """The user's live sign-ups among these shifts (one query for the whole list), as (shift_id,
    status) rows: all a list page shows of them, without loading 25 ORM objects a request."""
    if not shift_ids:
        return {}
    rows = db.session.execute(_my_signups_by_shift_statement(), {"user_id": user.id, "shift_ids": list(shift_ids)})
    return {s.shift_id: s for s in rows}


@cache  # built once, as _offered_shifts_statement: building it was ~0.3 ms of each list page
def _my_signups_by_shift_statement() -> Select:
    return select(ShiftSignup.shift_id, ShiftSignup.status).where(
        ShiftSignup.user_id == bindparam("user_id"),
        ShiftSignup.shift_id.in_(bindparam("shift_ids", expanding=True)),
        ShiftSignup.status.in_(LIVE_SIGNUP_STATUSES),
    )


@cache
def _my_signups_statement(past: bool) -> Select:
    query = (
        select(ShiftSignup)
        .join(ShiftSignup.shift)
        .join(Shift.courthouse)
        .options(contains_eager(ShiftSignup.shift).contains_eager(Shift.courthouse))
        .where(ShiftSignup.user_id == bindparam("user_id"))
    )
    if past:
        query = query.where(Shift.ends_at <= bindparam("now"), ShiftSignup.status == SignupStatus.CLAIMED).order_by(
            Shift.starts_at.desc()
        )
    else:
        query = query.where(Shift.ends_at > bindparam("now"), ShiftSignup.status.in_(LIVE_SIGNUP_STATUSES)).order_by(
            Shift.starts_at
        )
    return query.limit(bindparam("limit"))


def list_my_signups(user: User, *, past: bool, now: datetime | None = None, limit: int = 100) -> list[ShiftSignup]:
    values = {"user_id": user.id, "now": now or utcnow(), "limit": limit}
    return list(db.session.scalars(_my_signups_statement(past), values))


def hours_served(user: User) -> float:
    rows = db.session.execute(
        select(ShiftSignup.checked_in_at, ShiftSignup.checked_out_at).where(
            ShiftSignup.user_id == user.id,
            ShiftSignup.status == SignupStatus.CLAIMED,
            ShiftSignup.no_show.is_(False),
            ShiftSignup.checked_in_at.is_not(None),
            ShiftSignup.checked_out_at.is_not(None),
        )
    )
    seconds = sum(max((out - inn).total_seconds(), 0) for inn, out in rows)
    return round(seconds / 3600, 1)


def next_claimed_signup(user: User, now: datetime | None = None) -> ShiftSignup | None:
    now = now or utcnow()
    return db.session.scalar(
        select(ShiftSignup)
        .join(ShiftSignup.shift)
        .options(contains_eager(ShiftSignup.shift))
        .where(
            ShiftSignup.user_id == user.id,
            ShiftSignup.status == SignupStatus.CLAIMED,
            Shift.status == ShiftStatus.OPEN,
            Shift.ends_at > now,
        )
        .order_by(Shift.starts_at)
        .limit(1)
    )
