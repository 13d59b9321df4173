"""Closure rules: which days a courthouse is closed, and what happens when a new closure lands.

The courts area owns the closure days; it does not know about shifts. Before a closure is saved,
``closure_conflicts`` asks the other areas what it would touch (the preview); once it is saved,
``courthouse_closed`` tells them to act (the shifts area cancels the shifts on those days and
its volunteers get the usual cancellation notice). Both signals carry the same thing: for each
courthouse id, the local dates closed and their labels.

The web forms and the CLI go through ``plan_closures`` then ``save_closures``, with the same
checks, so a day typed in and a day read from a holiday calendar behave alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select

from courtwatch import signals
from courtwatch.courts.closure_models import ClosureSource, CourtClosure
from courtwatch.courts.models import Courthouse
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.forms import has_control_characters
from courtwatch.privacy.services import record_event

STATE_PATTERN = re.compile(r"^[A-Z]{2}$")
LABEL_MAX = 200
MAX_DAYS_AT_ONCE = 1000
# How far ahead a closure may be typed or imported: two years of holidays.
AHEAD_DAYS = 731

# {courthouse id: {local date: label}}: what the signals carry.
ClosedDays = dict[int, dict[date, str]]


@dataclass(frozen=True)
class ProposedClosure:
    day: date
    label: str


@dataclass
class ClosureScope:
    """One courthouse, or every courthouse of a state."""

    courthouse: Courthouse | None = None
    state: str | None = None

    @property
    def key(self) -> str:
        return f"courthouse:{self.courthouse.id}" if self.courthouse else f"state:{self.state}"

    @property
    def title(self) -> str:
        if self.courthouse:
            return self.courthouse.name
        return _("Every courthouse in %(state)s", state=self.state)

    def courthouses(self) -> list[Courthouse]:
        if self.courthouse:
            return [self.courthouse]
        return list(
            db.session.scalars(select(Courthouse).where(Courthouse.state == self.state).order_by(Courthouse.id))
        )

    def existing_days(self, days: set[date]) -> set[date]:
        column = CourtClosure.courthouse_id if self.courthouse else CourtClosure.state
        value = self.courthouse.id if self.courthouse else self.state
        return set(db.session.scalars(select(CourtClosure.day).where(column == value, CourtClosure.day.in_(days))))


@dataclass
class ClosureConflict:
    """One thing a closure would touch, as the preview lists it (built by the area that owns it)."""

    day: date
    courthouse_name: str
    title: str
    people: int
    will_cancel: bool
    note: str = ""
    url: str = ""


@dataclass
class ClosurePlan:
    scope: ClosureScope
    new: list[ProposedClosure] = field(default_factory=list)
    already_closed: list[ProposedClosure] = field(default_factory=list)
    conflicts: list[ClosureConflict] = field(default_factory=list)

    @property
    def cancelled(self) -> list[ClosureConflict]:
        return [c for c in self.conflicts if c.will_cancel]

    @property
    def kept(self) -> list[ClosureConflict]:
        return [c for c in self.conflicts if not c.will_cancel]


# ---------------------------------------------------------------- scopes and input
def states_with_courthouses() -> list[tuple[str, int]]:
    """(state, number of courthouses) for every state that has one, for the scope choices."""
    rows = db.session.execute(
        select(Courthouse.state, func.count()).where(Courthouse.state != "").group_by(Courthouse.state)
    )
    return sorted((state, count) for state, count in rows)


def scope_for(*, courthouse: Courthouse | None = None, state: str | None = None) -> ClosureScope:
    if (courthouse is None) == (not state):
        raise DomainError(_("Choose one courthouse or one state."), field="scope")
    if courthouse is not None:
        return ClosureScope(courthouse=courthouse)
    state = state.strip().upper()
    if not STATE_PATTERN.match(state):
        raise DomainError(_("A state is two letters, such as MA."), field="scope")
    if not db.session.scalar(select(Courthouse.id).where(Courthouse.state == state).limit(1)):
        raise DomainError(_("No courthouse is in the state %(state)s.", state=state), field="scope")
    return ClosureScope(state=state)


def scope_from_key(key: str | None) -> ClosureScope:
    """The form's value: ``courthouse:ID`` or ``state:XX``."""
    kind, _sep, value = (key or "").partition(":")
    if kind == "courthouse" and value.isdigit() and len(value) < 10:
        courthouse = db.session.get(Courthouse, int(value))
        if courthouse is not None:
            return scope_for(courthouse=courthouse)
    elif kind == "state":
        return scope_for(state=value)
    raise DomainError(_("Choose one courthouse or one state."), field="scope")


def parse_day(text: str | None, *, field_name: str = "day") -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError:
        raise DomainError(_("Write the date as YYYY-MM-DD, for example 2026-12-25."), field=field_name) from None


def clean_label(label: str | None, *, field_name: str = "label") -> str:
    label = " ".join((label or "").split())
    if not label:
        raise DomainError(_("Say why the court is closed, for example Christmas Day."), field=field_name)
    if has_control_characters(label):
        raise DomainError(_("Keep this on one line, without line breaks or tabs."), field=field_name)
    return label[:LABEL_MAX]


def first_open_day(scope: ClosureScope, now: datetime | None = None) -> date:
    """The earliest local "today" among the scope's courthouses: a closure before it has passed."""
    now = now or utcnow()
    zones_today = [c.local(now).date() for c in scope.courthouses()]
    return min(zones_today) if zones_today else now.date()


def check_days(scope: ClosureScope, proposed: list[ProposedClosure], now: datetime | None = None) -> None:
    if not proposed:
        raise DomainError(_("There is no day to close."), field="day")
    if len(proposed) > MAX_DAYS_AT_ONCE:
        raise DomainError(_("At most %(n)s days at once.", n=MAX_DAYS_AT_ONCE), field="day")
    today = first_open_day(scope, now)
    for item in proposed:
        if item.day < today:
            raise DomainError(_("%(day)s has passed; closures are for days to come.", day=item.day), field="day")
        if item.day > today + timedelta(days=AHEAD_DAYS):
            raise DomainError(_("%(day)s is more than two years ahead.", day=item.day), field="day")


# ---------------------------------------------------------------- plan, save, remove
def _closed_days(scope: ClosureScope, items: list[ProposedClosure]) -> ClosedDays:
    by_day = {item.day: item.label for item in items}
    return {courthouse.id: dict(by_day) for courthouse in scope.courthouses()} if by_day else {}


def plan_closures(scope: ClosureScope, proposed: list[ProposedClosure], now: datetime | None = None) -> ClosurePlan:
    """What saving these days would do: which are new, which were closed already, what they touch."""
    check_days(scope, proposed, now)
    unique: dict[date, ProposedClosure] = {}
    for item in proposed:
        unique.setdefault(item.day, item)
    existing = scope.existing_days(set(unique))
    plan = ClosurePlan(scope=scope)
    for day in sorted(unique):
        (plan.already_closed if day in existing else plan.new).append(unique[day])
    closed = _closed_days(scope, plan.new)
    if closed:
        for conflicts in signals.send(signals.closure_conflicts, closed=closed, now=now or utcnow()):
            plan.conflicts.extend(conflicts or [])
    plan.conflicts.sort(key=lambda c: (c.day, c.courthouse_name, c.title))
    return plan


@dataclass
class SavedClosures:
    plan: ClosurePlan
    created: list[CourtClosure]
    cancelled: int


def save_closures(
    actor,
    scope: ClosureScope,
    proposed: list[ProposedClosure],
    *,
    source: str = ClosureSource.TYPED,
    now: datetime | None = None,
) -> SavedClosures:
    """Add the days not closed yet, then let the other areas cancel what they make moot."""
    plan = plan_closures(scope, proposed, now)
    created = []
    for item in plan.new:
        closure = CourtClosure(
            day=item.day,
            label=item.label,
            courthouse_id=scope.courthouse.id if scope.courthouse else None,
            state=None if scope.courthouse else scope.state,
            source=source,
            created_by_id=getattr(actor, "id", None),
        )
        db.session.add(closure)
        created.append(closure)
    db.session.flush()
    cancelled = 0
    closed = _closed_days(scope, plan.new)
    if closed:
        results = signals.send(signals.courthouse_closed, closed=closed, actor=actor, now=now or utcnow())
        cancelled = sum(int(n or 0) for n in results)
    if created:
        record_event(
            actor,
            "closure.added",
            object_type="court_closure",
            object_id=created[0].id,
            scope=scope.key,
            days=len(created),
            source=str(source),
            cancelled=cancelled,
        )
    return SavedClosures(plan=plan, created=created, cancelled=cancelled)


def remove_closure(actor, closure_id: int) -> CourtClosure:
    """Remove a closure (a typo, a court that opens after all). Shifts it cancelled stay cancelled."""
    closure = db.session.get(CourtClosure, closure_id)
    if closure is None:
        raise NotFound(_("No such closure."))
    record_event(actor, "closure.removed", closure, day=closure.day.isoformat())
    db.session.execute(delete(CourtClosure).where(CourtClosure.id == closure.id))
    return closure


def list_closures(from_day: date, limit: int = 500) -> list[CourtClosure]:
    return list(
        db.session.scalars(
            select(CourtClosure)
            .where(CourtClosure.day >= from_day)
            .order_by(CourtClosure.day, CourtClosure.state, CourtClosure.courthouse_id)
            .limit(limit)
        )
    )


def closed_days(courthouses: list[Courthouse], start: date, end: date) -> ClosedDays:
    """For each courthouse, its closed local days from start to end inclusive (one query)."""
    if not courthouses:
        return {}
    ids = {c.id for c in courthouses}
    states = {c.state for c in courthouses if c.state}
    rows = db.session.scalars(
        select(CourtClosure).where(
            CourtClosure.day >= start,
            CourtClosure.day <= end,
            or_(CourtClosure.courthouse_id.in_(ids), CourtClosure.state.in_(states)),
        )
    ).all()
    result: ClosedDays = {c.id: {} for c in courthouses}
    for courthouse in courthouses:
        for closure in rows:
            if closure.covers(courthouse):
                result[courthouse.id].setdefault(closure.day, closure.label)
    return result
