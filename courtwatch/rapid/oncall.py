"""On-call windows: adding, removing, who is on call at a moment, and the coverage view.

Times are typed in the courthouse's wall-clock time (a county window uses the zone of the
county's first courthouse) and stored in UTC, like shifts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import or_, select

from courtwatch.auth.models import AccountStatus, Role, User
from courtwatch.courts.models import Courthouse
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError
from courtwatch.rapid.models import AlertOptIn, OnCallWindow

MAX_WINDOW = timedelta(days=14)
ON_CALL_ROLES = (Role.VOLUNTEER, Role.RESPONDER, Role.COORDINATOR, Role.ADMIN)


def parse_local(value: str, zone: ZoneInfo, field: str) -> datetime:
    """'YYYY-MM-DD HH:MM' in ``zone`` -> UTC; a DomainError naming ``field`` otherwise."""
    try:
        naive = datetime.strptime((value or "").strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise DomainError(_("Give the time as YYYY-MM-DD HH:MM."), field=field) from None
    return naive.replace(tzinfo=zone).astimezone(UTC)


def county_zone(county: str) -> ZoneInfo:
    courthouse = db.session.scalar(
        select(Courthouse).where(Courthouse.county == county, Courthouse.active.is_(True)).order_by(Courthouse.id)
    )
    if courthouse is None or not county:
        raise DomainError(_("There is no courthouse in that county."), field="place")
    return courthouse.zone


def add_window(
    user: User,
    starts_at: datetime,
    ends_at: datetime,
    courthouse: Courthouse | None = None,
    county: str | None = None,
    now: datetime | None = None,
    weekly: bool = False,
) -> OnCallWindow:
    """One on-call window for a courthouse or a county; refuses what could never alert anyone."""
    if (courthouse is None) == (not county):
        raise DomainError(_("Choose a courthouse or a county."), field="place")
    if not user.is_approved or user.role not in ON_CALL_ROLES:
        raise DomainError(_("Only approved volunteers and responders can be on call."))
    if ends_at <= starts_at:
        raise DomainError(_("The end must be after the start."), field="end")
    if ends_at - starts_at > MAX_WINDOW:
        raise DomainError(_("A window can be at most 14 days long."), field="end")
    if weekly and ends_at - starts_at >= timedelta(days=7):
        raise DomainError(_("A weekly window must be shorter than a week."), field="end")
    if not weekly and ends_at <= (now or utcnow()):
        raise DomainError(_("This window is already over."), field="end")
    zone = courthouse.timezone if courthouse else county_zone(county).key
    window = OnCallWindow(
        user_id=user.id,
        courthouse_id=courthouse.id if courthouse else None,
        county=None if courthouse else county,
        timezone=zone,
        starts_at=starts_at,
        ends_at=ends_at,
        weekly=weekly,
    )
    db.session.add(window)
    db.session.flush()
    return window


def remove_window(user: User, window_id: int) -> None:
    window = db.session.get(OnCallWindow, window_id)
    if window is None or window.user_id != user.id:
        raise DomainError(_("That on-call window is not yours."))
    db.session.delete(window)
    db.session.flush()


def my_windows(user: User, now: datetime | None = None) -> list[OnCallWindow]:
    return list(
        db.session.scalars(
            select(OnCallWindow)
            .where(
                OnCallWindow.user_id == user.id,
                OnCallWindow.weekly.is_(True) | (OnCallWindow.ends_at > (now or utcnow())),
            )
            .order_by(OnCallWindow.starts_at)
        )
    )


def opt_in(user: User, courthouse: Courthouse) -> None:
    """Hear about this courthouse's alerts when nobody on call answers (the last escalation)."""
    if not courthouse.active:
        raise DomainError(_("Choose a courthouse."), field="courthouse")
    exists = select(AlertOptIn.id).where(AlertOptIn.user_id == user.id, AlertOptIn.courthouse_id == courthouse.id)
    if db.session.scalar(exists) is None:
        db.session.add(AlertOptIn(user_id=user.id, courthouse_id=courthouse.id))
        db.session.flush()


def opt_out(user: User, courthouse_id: int) -> None:
    for row in db.session.scalars(
        select(AlertOptIn).where(AlertOptIn.user_id == user.id, AlertOptIn.courthouse_id == courthouse_id)
    ):
        db.session.delete(row)
    db.session.flush()


def my_opt_ins(user: User) -> list[Courthouse]:
    return list(
        db.session.scalars(
            select(Courthouse)
            .join(AlertOptIn, AlertOptIn.courthouse_id == Courthouse.id)
            .where(AlertOptIn.user_id == user.id)
            .order_by(Courthouse.name)
        )
    )


def _active_people():
    return (User.status == AccountStatus.ACTIVE) & User.role.in_(ON_CALL_ROLES)


def on_call_for(courthouse: Courthouse, now: datetime, *, county_only_elsewhere: bool = False) -> list[User]:
    """People on call at ``now`` for this courthouse or its county; or, with
    ``county_only_elsewhere``, for the county's *other* courthouses (the first escalation)."""
    maybe_covering = (OnCallWindow.starts_at <= now) & (OnCallWindow.weekly.is_(True) | (OnCallWindow.ends_at > now))
    if county_only_elsewhere:
        others = select(Courthouse.id).where(Courthouse.county == courthouse.county, Courthouse.id != courthouse.id)
        place = OnCallWindow.courthouse_id.in_(others)
    else:
        place = OnCallWindow.courthouse_id == courthouse.id
        if courthouse.county:
            place = or_(place, OnCallWindow.county == courthouse.county)
    if county_only_elsewhere and not courthouse.county:
        return []
    windows = db.session.scalars(
        select(OnCallWindow)
        .join(User, User.id == OnCallWindow.user_id)
        .where(maybe_covering, place, _active_people())
        .order_by(OnCallWindow.id)
    ).all()
    people = {}
    for window in windows:
        if window.occurrences(now, now + timedelta(seconds=1)):
            people.setdefault(window.user_id, window.user)
    return list(people.values())


@dataclass
class Coverage:
    courthouse: Courthouse
    now: int  # people on call right now
    week_hours: float  # hours covered by at least one window in the next 7 days


def _covered_hours(spans: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> float:
    """Hours of [start, end) inside at least one span (overlaps counted once)."""
    total = timedelta()
    cursor = start
    for span_start, span_end in sorted(spans):
        span_start, span_end = max(span_start, cursor), min(span_end, end)
        if span_end > span_start:
            total += span_end - span_start
            cursor = span_end
    return total.total_seconds() / 3600


def coverage(now: datetime | None = None) -> list[Coverage]:
    """Active courthouses, worst covered first: nobody now, then fewest hours this week."""
    now = now or utcnow()
    week_end = now + timedelta(days=7)
    courthouses = list(db.session.scalars(select(Courthouse).where(Courthouse.active.is_(True))))
    windows = list(
        db.session.scalars(
            select(OnCallWindow)
            .join(User, User.id == OnCallWindow.user_id)
            .where(
                OnCallWindow.weekly.is_(True) | (OnCallWindow.ends_at > now),
                OnCallWindow.starts_at < week_end,
                _active_people(),
            )
        )
    )
    rows = []
    for courthouse in courthouses:
        mine = [
            w
            for w in windows
            if w.courthouse_id == courthouse.id or (courthouse.county and w.county == courthouse.county)
        ]
        rows.append(
            Coverage(
                courthouse=courthouse,
                now=len({w.user_id for w in mine if w.occurrences(now, now + timedelta(seconds=1))}),
                week_hours=round(
                    _covered_hours([span for w in mine for span in w.occurrences(now, week_end)], now, week_end), 1
                ),
            )
        )
    rows.sort(key=lambda row: (row.now > 0, row.week_hours, row.courthouse.name))
    return rows
