"""Volunteer hours and shifts, per volunteer and per month, for thank-you letters and grant reports.

Hours are what happened (check-in to check-out), not what was planned; a no-show counts as a
no-show and gives no hours. Only sign-ups still holding their place (claimed) count as shifts;
released or removed ones were someone else's shift in the end. Every kind of shift counts
(observation and accompaniment). Names and email addresses are the point of these tables, so
their export is always logged as containing personal data.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select

from courtwatch.auth.models import User
from courtwatch.db import db
from courtwatch.reports.filters import ReportFilter
from courtwatch.reports.queries import hours_between
from courtwatch.reports.tables import HOURS, NUMBER, TEXT, Column, Table
from courtwatch.shifts.models import Shift, ShiftSignup, ShiftStatus, SignupStatus


def _aggregates():
    attended = ShiftSignup.checked_in_at.is_not(None)
    with_hours = and_(ShiftSignup.no_show.is_(False), attended, ShiftSignup.checked_out_at > ShiftSignup.checked_in_at)
    hours = hours_between(ShiftSignup.checked_in_at, ShiftSignup.checked_out_at)
    return (
        func.count(),
        func.coalesce(func.sum(case((and_(attended, ShiftSignup.no_show.is_(False)), 1), else_=0)), 0),
        func.coalesce(func.sum(case((ShiftSignup.no_show.is_(True), 1), else_=0)), 0),
        func.coalesce(func.sum(case((with_hours, hours), else_=0.0)), 0.0),
    )


def _base(query, report_filter: ReportFilter):
    return (
        query.select_from(ShiftSignup)
        .join(Shift, Shift.id == ShiftSignup.shift_id)
        .where(
            ShiftSignup.status == SignupStatus.CLAIMED,
            Shift.status != ShiftStatus.CANCELLED,
            report_filter.window(Shift.starts_at, Shift.courthouse_id),
        )
    )


def _columns() -> list[Column]:
    return [
        Column(_("Shifts"), NUMBER),
        Column(_("Checked in"), NUMBER),
        Column(_("No-shows"), NUMBER),
        Column(_("Hours"), HOURS),
    ]


def _numbers(shifts, attended, no_shows, hours) -> list:
    return [int(shifts), int(attended), int(no_shows), round(float(hours), 2)]


def hours_per_volunteer(report_filter: ReportFilter) -> Table:
    query = (
        _base(select(User.name, User.email, *_aggregates()), report_filter)
        .join(User, User.id == ShiftSignup.user_id)
        .group_by(User.id, User.name, User.email)
        .order_by(User.name, User.id)
    )
    table = Table(
        "hours_per_volunteer", _("Per volunteer"), [Column(_("Volunteer"), TEXT), Column(_("Email"), TEXT)] + _columns()
    )
    table.rows = [[name, email, *_numbers(*rest)] for name, email, *rest in db.session.execute(query)]
    return table


def hours_per_month(report_filter: ReportFilter) -> Table:
    month = report_filter.month_bucket(Shift.starts_at, Shift.courthouse_id)
    query = _base(
        select(month, func.count(func.distinct(ShiftSignup.user_id)), *_aggregates()), report_filter
    ).group_by(month)
    found = {m: (volunteers, rest) for m, volunteers, *rest in db.session.execute(query)}
    table = Table(
        "hours_per_month", _("Per month"), [Column(_("Month"), TEXT), Column(_("Volunteers"), NUMBER)] + _columns()
    )
    for label in report_filter.months():
        volunteers, rest = found.get(label, (0, (0, 0, 0, 0.0)))
        table.rows.append([label, int(volunteers), *_numbers(*rest)])
    return table


def hours_per_volunteer_month(report_filter: ReportFilter) -> Table:
    month = report_filter.month_bucket(Shift.starts_at, Shift.courthouse_id)
    query = (
        _base(select(User.name, User.email, month, *_aggregates()), report_filter)
        .join(User, User.id == ShiftSignup.user_id)
        .group_by(User.id, User.name, User.email, month)
        .order_by(User.name, User.id, month)
    )
    table = Table(
        "hours_per_volunteer_month",
        _("Per volunteer and month"),
        [Column(_("Volunteer"), TEXT), Column(_("Email"), TEXT), Column(_("Month"), TEXT)] + _columns(),
    )
    table.rows = [[name, email, m, *_numbers(*rest)] for name, email, m, *rest in db.session.execute(query)]
    return table


def volunteer_hour_tables(report_filter: ReportFilter) -> list[Table]:
    return [
        hours_per_volunteer(report_filter),
        hours_per_month(report_filter),
        hours_per_volunteer_month(report_filter),
    ]
