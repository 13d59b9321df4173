"""Observation patterns (every week, every other week, monthly) and the shifts they generate
over a rolling horizon.

Generation is idempotent: a shift is identified by (pattern, start time), guarded by a unique
constraint, so running ``shifts generate`` twice (or from cron every night) adds only what is
missing. Times are the courthouse's local wall-clock times, converted to UTC day by day, so a
9:00 shift stays at 9:00 across daylight-saving changes. A day on which the courthouse is closed
(``courtwatch.courts.closures``: its own closures or its state's) gets no shift.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from courtwatch.auth.models import User
from courtwatch.courts.closures import closed_days
from courtwatch.courts.models import Courthouse
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.privacy.services import record_event
from courtwatch.shifts.models import PatternRule, Shift, ShiftKind, ShiftPattern, ShiftStatus
from courtwatch.shifts.recurrence import MONTH_WEEKS, pattern_days
from courtwatch.shifts.services import cancel_shift, create_shift

WEEKDAY_CHOICES = "1234567"


def get_pattern(pattern_id: int) -> ShiftPattern:
    pattern = db.session.get(ShiftPattern, pattern_id)
    if pattern is None:
        raise NotFound(_("No such pattern."))
    return pattern


def list_patterns() -> list[ShiftPattern]:
    return list(db.session.scalars(select(ShiftPattern).order_by(ShiftPattern.active.desc(), ShiftPattern.id)))


def _validate(weekdays: str, start_time: time, end_time: time, capacity: int, minimum: int) -> str:
    days = "".join(sorted({d for d in weekdays if d in WEEKDAY_CHOICES}))
    if not days:
        raise DomainError(_("Choose at least one day of the week."), field="weekdays")
    if end_time <= start_time:
        raise DomainError(_("The end must be after the start."), field="end_time")
    if capacity < 1 or capacity > 50:
        raise DomainError(_("Capacity must be between 1 and 50."), field="capacity")
    if minimum < 0 or minimum > capacity:
        raise DomainError(_("The minimum must be between 0 and the capacity."), field="minimum")
    return days


def _validate_rule(rule: str, starts_on: date | None, month_weeks) -> tuple[str, str]:
    """(rule, month_weeks as stored); the messages name the field a coordinator must fix."""
    if rule not in {r.value for r in PatternRule}:
        raise DomainError(_("Choose how often the pattern repeats."), field="rule")
    if isinstance(month_weeks, str):
        month_weeks = [part for part in month_weeks.split(",") if part.strip()]
    weeks = set()
    for part in month_weeks or []:
        text = str(part).strip()
        if not text.lstrip("-").isdigit() or int(text) not in MONTH_WEEKS:
            raise DomainError(_("Choose the week of the month from the list."), field="month_weeks")
        weeks.add(int(text))
    if rule == PatternRule.EVERY_OTHER_WEEK and starts_on is None:
        raise DomainError(_("Choose the first day: every other week counts from that day's week."), field="starts_on")
    if rule == PatternRule.MONTHLY and not weeks:
        raise DomainError(_("Choose which week of the month, for example 2nd."), field="month_weeks")
    if starts_on is not None and not date(2000, 1, 1) <= starts_on <= date(2100, 12, 31):
        raise DomainError(_("Choose a first day between 2000 and 2100."), field="starts_on")
    stored = ",".join(str(n) for n in sorted(weeks, key=lambda n: (n < 0, n))) if rule == PatternRule.MONTHLY else ""
    return rule, stored


def save_pattern(
    actor: User | None,
    pattern: ShiftPattern | None,
    *,
    courthouse: Courthouse,
    weekdays: str,
    start_time: time,
    end_time: time,
    rule: str = PatternRule.WEEKLY,
    starts_on: date | None = None,
    month_weeks: str | list[str] = "",
    capacity: int = 2,
    minimum: int = 1,
    training_id: int | None = None,
    language: str | None = None,
    meeting_point: str = "",
    notes: str = "",
    active: bool = True,
) -> ShiftPattern:
    """Create or edit a pattern. Edits apply to shifts generated from now on, not existing ones."""
    days = _validate(weekdays, start_time, end_time, capacity, minimum)
    rule, month_weeks = _validate_rule(rule, starts_on, month_weeks)
    is_new = pattern is None
    pattern = pattern or ShiftPattern()
    pattern.courthouse, pattern.courthouse_id = courthouse, courthouse.id
    pattern.weekdays, pattern.start_time, pattern.end_time = days, start_time, end_time
    pattern.rule, pattern.starts_on, pattern.month_weeks = rule, starts_on, month_weeks
    pattern.capacity, pattern.minimum, pattern.training_id = capacity, minimum, training_id
    pattern.language, pattern.meeting_point, pattern.notes = language or None, meeting_point.strip(), notes.strip()
    pattern.active = active
    if is_new:
        db.session.add(pattern)
    db.session.flush()
    record_event(actor, "shift_pattern.saved", pattern)
    return pattern


def occurrences(pattern: ShiftPattern, start: date, end: date, closed: dict[date, str] | None = None):
    """(starts_at, ends_at) in UTC for each pattern day from start to end inclusive, leaving out
    the ``closed`` local days."""
    zone = pattern.courthouse.zone
    closed = closed or {}
    for day in pattern_days(pattern, start, end):
        if day in closed:
            continue
        starts = datetime.combine(day, pattern.start_time, tzinfo=zone)
        ends = datetime.combine(day, pattern.end_time, tzinfo=zone)
        yield starts.astimezone(UTC), ends.astimezone(UTC)


def generate_shifts(
    horizon_days: int | None = None, now: datetime | None = None, pattern_ids: list[int] | None = None
) -> int:
    """Create the missing shifts of every active pattern up to the horizon; returns how many."""
    now = now or utcnow()
    horizon_days = horizon_days or int(current_app.config["SHIFT_HORIZON_DAYS"])
    query = select(ShiftPattern).where(ShiftPattern.active.is_(True))
    if pattern_ids:
        query = query.where(ShiftPattern.id.in_(pattern_ids))
    pattern_list = db.session.scalars(query).all()
    courthouses = list({p.courthouse_id: p.courthouse for p in pattern_list}.values())
    # Every courthouse's local today lies within a day of the UTC date: one query for all closures.
    closures = closed_days(courthouses, now.date() - timedelta(days=1), now.date() + timedelta(days=horizon_days + 1))
    created = 0
    for pattern in pattern_list:
        local_today = pattern.courthouse.local(now).date()
        existing = set(
            db.session.scalars(select(Shift.starts_at).where(Shift.pattern_id == pattern.id, Shift.starts_at >= now))
        )
        window = (local_today, local_today + timedelta(days=horizon_days))
        for starts_at, ends_at in occurrences(pattern, *window, closures.get(pattern.courthouse_id)):
            if starts_at <= now or starts_at in existing:
                continue
            create_shift(
                None,
                courthouse=pattern.courthouse,
                kind=ShiftKind.OBSERVATION,
                starts_at=starts_at,
                ends_at=ends_at,
                capacity=pattern.capacity,
                minimum=pattern.minimum,
                training_id=pattern.training_id,
                language=pattern.language,
                meeting_point=pattern.meeting_point,
                notes=pattern.notes,
                pattern_id=pattern.id,
            )
            created += 1
    return created


def cancel_future_pattern_shifts(actor: User, pattern: ShiftPattern, now: datetime | None = None) -> int:
    """Deactivating a pattern cancels its future shifts that nobody has claimed yet."""
    now = now or utcnow()
    shifts = db.session.scalars(
        select(Shift).where(
            Shift.pattern_id == pattern.id,
            Shift.starts_at > now,
            Shift.status == ShiftStatus.OPEN,
            Shift.claimed_count == 0,
        )
    ).all()
    for shift in shifts:
        cancel_shift(actor, shift)
    return len(shifts)
