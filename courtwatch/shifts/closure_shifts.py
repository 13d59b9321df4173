"""Shifts on a closed day: listed in the closure's preview, cancelled once the closure is saved.

Observation shifts on a closed day are cancelled, and their volunteers get the usual
cancellation notice naming the closure. Accompaniment shifts are tied to a hearing on the
court's own calendar: a hearing that the calendar still lists on a closed day is a question for
a coordinator (a wrong closure, or a calendar not yet updated), and telling volunteers "you do
not need to go" to a hearing that may still be on is the one mistake this app must not make.
So they are listed as kept, and they follow their hearing when the calendar changes.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from courtwatch.courts.closures import ClosedDays, ClosureConflict
from courtwatch.db import db
from courtwatch.shifts.models import Shift, ShiftKind, ShiftStatus
from courtwatch.shifts.services import cancel_shift


def shifts_on_closed_days(closed: ClosedDays, now: datetime) -> list[tuple[Shift, str]]:
    """(shift, closure label) for each open shift yet to start whose local day is closed."""
    days = [day for by_day in closed.values() for day in by_day]
    if not days:
        return []
    # A local day lies within a day of the same UTC date in every zone; the local date decides.
    window_start = max(now, datetime.combine(min(days) - timedelta(days=1), time.min, tzinfo=UTC))
    window_end = datetime.combine(max(days) + timedelta(days=2), time.min, tzinfo=UTC)
    shifts = db.session.scalars(
        select(Shift)
        .where(
            Shift.courthouse_id.in_(list(closed)),
            Shift.status == ShiftStatus.OPEN,
            Shift.starts_at > now,
            Shift.starts_at >= window_start,
            Shift.starts_at < window_end,
        )
        .order_by(Shift.starts_at, Shift.id)
    ).all()
    found = []
    for shift in shifts:
        label = closed[shift.courthouse_id].get(shift.courthouse.local(shift.starts_at).date())
        if label is not None:
            found.append((shift, label))
    return found


def _cancels(shift: Shift) -> bool:
    return shift.kind != ShiftKind.ACCOMPANIMENT


def closure_conflicts(closed: ClosedDays, now: datetime) -> list[ClosureConflict]:
    conflicts = []
    for shift, _label in shifts_on_closed_days(closed, now):
        local = shift.courthouse.local(shift.starts_at)
        cancels = _cancels(shift)
        conflicts.append(
            ClosureConflict(
                day=local.date(),
                courthouse_name=shift.courthouse.name,
                title=_(
                    "%(kind)s shift, %(start)s–%(end)s",
                    kind=_kind_label(shift),
                    start=f"{local:%H:%M}",
                    end=f"{shift.courthouse.local(shift.ends_at):%H:%M}",
                ),
                people=shift.claimed_count,
                will_cancel=cancels,
                note=""
                if cancels
                else _("Kept: its hearing is still on the court's calendar. Check the hearing with the court."),
                url=url_for("coordinator.roster", shift_id=shift.id) if has_request_context() else "",
            )
        )
    return conflicts


def _kind_label(shift: Shift) -> str:
    return _("Accompaniment") if shift.kind == ShiftKind.ACCOMPANIMENT else _("Court watch")


def cancel_for_closure(actor, closed: ClosedDays, now: datetime) -> int:
    """Cancel the observation shifts on the closed days; each volunteer on one is told why."""
    cancelled = 0
    for shift, label in shifts_on_closed_days(closed, now):
        if _cancels(shift):
            cancel_shift(actor, shift, closure=label)
            cancelled += 1
    return cancelled
