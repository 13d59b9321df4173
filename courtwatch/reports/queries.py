"""The aggregate queries behind the summaries and the open data: every figure counted in SQL.

Reports not linked to an Incident are read from the daily counts (counts.py: a year is a few
thousand grouped rows, whatever the number of reports); Incidents from their linked reports,
whose share is small and which a partial index holds (models.py); coverage from the shifts.
The counting rules these queries implement are written out in summaries.py.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Float, String, and_, case, exists, func, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from courtwatch.db import db
from courtwatch.observations.models import ACTION_SEVERITY, Observation, ObservationAgency, ObservationStatus
from courtwatch.reports.counts import INCIDENT_ACTIONS, SERIOUS_ACTIONS, report_day_count, report_month_count
from courtwatch.reports.filters import ReportFilter, month_spans
from courtwatch.shifts.models import Shift, ShiftKind, ShiftSignup, ShiftStatus, SignupStatus

SEVERITY = {action: ACTION_SEVERITY[action] for action in INCIDENT_ACTIONS}
ACTION_BY_SEVERITY = {value: key for key, value in SEVERITY.items()}


class hours_between(FunctionElement):  # noqa: N801  (reads like the SQL function it renders)
    """Hours from the first to the second timestamp; SQLite has no interval arithmetic."""

    type = Float()
    inherit_cache = True
    name = "hours_between"


@compiles(hours_between)
def _hours_between_postgresql(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)})) / 3600.0)"


@compiles(hours_between, "sqlite")
def _hours_between_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"((julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)})) * 24.0)"


def _unindexed(column):
    # ``column || ''``: the same value, but SQLite's planner no longer picks the one-column status or
    # action index (most rows share a few values) over the courthouse/date-window index.
    return column.concat("")


def status_condition(report_filter: ReportFilter):
    if report_filter.confirmed_only:
        return _unindexed(Observation.status) == ObservationStatus.CONFIRMED.value
    return _unindexed(Observation.status) != ObservationStatus.FALSE_ALARM.value


def incident_report_conditions(report_filter: ReportFilter) -> list:
    """The reports that can make an incident under this filter."""
    conditions = [
        report_filter.window(Observation.observed_at, Observation.courthouse_id),
        status_condition(report_filter),
        _unindexed(Observation.action).in_([a.value for a in INCIDENT_ACTIONS]),
    ]
    if report_filter.court_types:
        conditions.append(Observation.court_type.in_(report_filter.court_types))
    return conditions


def _severity():
    return case(*[(Observation.action == action, level) for action, level in SEVERITY.items()], else_=0)


def _linked_conditions(report_filter: ReportFilter) -> list:
    # "IS NOT NULL" written out: it lets SQLite and PostgreSQL use the partial index of linked reports.
    return [*incident_report_conditions(report_filter), Observation.incident_id.is_not(None)]


def stored_counts(report_filter: ReportFilter, keys: list[str], columns: list[str], counted_only: bool) -> list[tuple]:
    """(*keys, *sums of columns) from the stored counts, for reports not linked to an Incident.

    The stored days are the courthouses' own local days, so the range needs no time-zone bounds.
    Months wholly inside the range read the month rows, the cut months at its ends the day rows;
    a key may so come back twice (the caller adds up). ``counted_only``: only the scope's statuses
    and the chosen court types (incident figures); otherwise every report (reports filed).
    """
    whole, cut = [], []
    for first, last in month_spans(report_filter.date_from, report_filter.date_to):
        inside = report_filter.date_from <= first and last <= report_filter.date_to
        (whole if inside else cut).append(first.strftime("%Y-%m"))
    rows = []
    for table, months in ((report_month_count, whole), (report_day_count, cut)):
        if not months:
            continue
        conditions = [table.c.courthouse_id.in_([c.id for c in report_filter.courthouses]), table.c.month.in_(months)]
        if table is report_day_count:
            conditions += [table.c.day >= report_filter.date_from, table.c.day <= report_filter.date_to]
        if counted_only:
            conditions.append(
                table.c.status == ObservationStatus.CONFIRMED
                if report_filter.confirmed_only
                else table.c.status != ObservationStatus.FALSE_ALARM
            )
            if report_filter.court_types:
                conditions.append(table.c.court_type.in_(report_filter.court_types))
        group = [table.c[key] for key in keys]
        query = select(*group, *[func.sum(table.c[name]) for name in columns]).where(*conditions).group_by(*group)
        rows += [(*row[: len(keys)], *(int(n) for n in row[len(keys) :])) for row in db.session.execute(query)]
    return rows


def linked_incident_cube(report_filter: ReportFilter) -> list[tuple[int, str, int, int]]:
    """(courthouse_id, month, severity, Incidents): each Incident once, at its first counted report."""
    per_incident = (
        select(
            func.min(Observation.courthouse_id).label("courthouse_id"),
            func.min(Observation.observed_at).label("at"),
            func.max(_severity()).label("severity"),
        )
        .where(*_linked_conditions(report_filter))
        .group_by(Observation.incident_id)
        .subquery()
    )
    month = report_filter.month_bucket(per_incident.c.at, per_incident.c.courthouse_id)
    query = select(per_incident.c.courthouse_id, month.label("month"), per_incident.c.severity, func.count()).group_by(
        per_incident.c.courthouse_id, month, per_incident.c.severity
    )
    return [tuple(row) for row in db.session.execute(query)]


def linked_report_rows(report_filter: ReportFilter) -> list[tuple]:
    """(report id, incident id, courthouse id, observed_at, action, court type, role, warrant, agency)
    for every counted report linked to an Incident: one row per agency (agency None when it has none).

    Linked reports are few (a partial index holds them), so a caller that needs several breakdowns
    of them (the open data: a cube and four value tables, month by month) reads them once and
    counts in Python rather than asking five grouped queries.
    """
    query = (
        select(
            Observation.id,
            Observation.incident_id,
            Observation.courthouse_id,
            Observation.observed_at,
            Observation.action,
            Observation.court_type,
            Observation.target_role,
            Observation.warrant,
            ObservationAgency.agency,
        )
        .select_from(Observation)
        .outerjoin(ObservationAgency, ObservationAgency.observation_id == Observation.id)
        .where(*_linked_conditions(report_filter))
    )
    return [tuple(row) for row in db.session.execute(query)]


def linked_incidents_by(report_filter: ReportFilter, column, join_agency: bool = False, by_month: bool = False) -> dict:
    """value -> (Incidents, of which with an arrest or attempt) among linked reports.

    ``by_month``: keyed by (month, value) instead, each month counted as if asked for alone (an
    Incident with reports in two months counts in both), in one query rather than one a month.
    """
    serious = Observation.action.in_(SERIOUS_ACTIONS)
    keys = [column]
    if by_month:
        keys.insert(0, report_filter.month_bucket(Observation.observed_at, Observation.courthouse_id))
    query = (
        select(
            *keys,
            func.count(func.distinct(Observation.incident_id)),
            func.count(func.distinct(case((serious, Observation.incident_id), else_=None))),
        )
        .where(*_linked_conditions(report_filter))
        .group_by(*keys)
    )
    if join_agency:
        query = query.select_from(Observation).outerjoin(
            ObservationAgency, ObservationAgency.observation_id == Observation.id
        )
    return {
        (tuple(key) if by_month else key[0]): (int(total), int(serious_count))
        for *key, total, serious_count in db.session.execute(query)
    }


def _present_signup():
    return and_(
        ShiftSignup.no_show.is_(False),
        or_(ShiftSignup.checked_in_at.is_not(None), ShiftSignup.status == SignupStatus.CLAIMED),
    )


def shift_coverage(report_filter: ReportFilter) -> list[tuple[int, str, int, int]]:
    """(courthouse_id, month, observation shifts scheduled, shifts staffed)."""
    month = report_filter.month_bucket(Shift.starts_at, Shift.courthouse_id)
    staffed = exists().where(ShiftSignup.shift_id == Shift.id, _present_signup())
    query = (
        select(Shift.courthouse_id, month, func.count(), func.coalesce(func.sum(case((staffed, 1), else_=0)), 0))
        .where(
            Shift.kind == ShiftKind.OBSERVATION,
            Shift.status != ShiftStatus.CANCELLED,
            report_filter.window(Shift.starts_at, Shift.courthouse_id),
        )
        .group_by(Shift.courthouse_id, month)
    )
    return [tuple(row) for row in db.session.execute(query)]


def hours_coverage(report_filter: ReportFilter) -> list[tuple[int, str, float]]:
    """(courthouse_id, month, volunteer hours from check-in to check-out) on observation shifts."""
    month = report_filter.month_bucket(Shift.starts_at, Shift.courthouse_id)
    query = (
        select(
            Shift.courthouse_id, month, func.sum(hours_between(ShiftSignup.checked_in_at, ShiftSignup.checked_out_at))
        )
        .join(Shift, Shift.id == ShiftSignup.shift_id)
        .where(
            Shift.kind == ShiftKind.OBSERVATION,
            Shift.status != ShiftStatus.CANCELLED,
            ShiftSignup.no_show.is_(False),
            ShiftSignup.checked_in_at.is_not(None),
            ShiftSignup.checked_out_at > ShiftSignup.checked_in_at,
            report_filter.window(Shift.starts_at, Shift.courthouse_id),
        )
        .group_by(Shift.courthouse_id, month)
    )
    return [(c, m, float(h or 0)) for c, m, h in db.session.execute(query)]


def _epoch_total(column):
    """The sum of a timestamp column as days: moves when any single row's moment changes."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.total(func.julianday(column))
    return func.coalesce(func.sum(func.extract("epoch", column)), 0)


def _utc_superset(report_filter: ReportFilter) -> tuple[datetime, datetime]:
    """UTC bounds that hold every courthouse's local window, whatever its zone (UTC-12 to UTC+14)."""
    after = datetime.combine(report_filter.date_from - timedelta(days=1), time(), UTC)
    return after, datetime.combine(report_filter.date_to + timedelta(days=2), time(), UTC)


def _row_aggregates(table):
    """How many rows, the sum of their ids (a deleted row and a new one never cancel out), and the
    latest and the total of their ``updated_at`` (every ORM or Core update sets it; the total also
    moves when a host with a slower clock updates an older row)."""
    return (
        func.count(),
        func.coalesce(func.sum(table.id), 0),
        func.max(table.updated_at),
        _epoch_total(table.updated_at),
    )


def linked_fingerprint(report_filter: ReportFilter) -> tuple:
    """A validator of every row linked_report_rows can read, from the small partial index of linked reports.

    Over every linked report observed within a day of the period (any status, action or
    courthouse: a superset) the row aggregates and the sum of their Incidents, and over their
    agencies how many and whose (an edit of a report's agencies also sets its ``updated_at``).
    """
    after, before = _utc_superset(report_filter)
    linked = and_(
        Observation.incident_id.is_not(None), Observation.observed_at >= after, Observation.observed_at < before
    )
    reports = select(*_row_aggregates(Observation), func.coalesce(func.sum(Observation.incident_id), 0)).where(linked)
    agencies = (
        select(func.count(), func.coalesce(func.sum(ObservationAgency.observation_id), 0))
        .join(Observation, Observation.id == ObservationAgency.observation_id)
        .where(linked)
    )
    reports, agencies = reports.subquery(), agencies.subquery()
    row = db.session.execute(select(reports, agencies).select_from(reports).join(agencies, true())).one()
    return tuple(str(value) for value in row)


class utc_day(FunctionElement):  # noqa: N801  (reads like the SQL function it renders)
    """'YYYY-MM-DD' of a stored moment in UTC: SQLite keeps UTC moments as ISO text, so a prefix."""

    type = String()
    inherit_cache = True
    name = "utc_day"


@compiles(utc_day)
def _utc_day_postgresql(element, compiler, **kw):
    (moment,) = list(element.clauses)
    return f"to_char(({compiler.process(moment, **kw)}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"


@compiles(utc_day, "sqlite")
def _utc_day_sqlite(element, compiler, **kw):
    (moment,) = list(element.clauses)
    return f"substr({compiler.process(moment, **kw)}, 1, 10)"


def _month_segments(report_filter: ReportFilter) -> tuple[list[str], dict[str, list[int]]]:
    """UTC segments of the period such that each month's local window, in any zone, lies in three.

    Around each month boundary B (UTC midnight), the edge [B - 1 day, B + 1 day) holds every
    zone's local midnight (UTC+14 to UTC-12), as ``_utc_superset`` does at the period's ends; between
    two edges lies the month's interior. Month i is edge i, interior i and edge i + 1, so a change in
    a month's interior touches that month alone, and one near a boundary the two months around it.
    Returns (the UTC days on which segments 1, 2, ... begin, month -> its three segment numbers).
    """
    spans = list(month_spans(report_filter.date_from, report_filter.date_to))
    starts = [first for first, _last in spans] + [spans[-1][1] + timedelta(days=1)]
    boundaries = []
    for index, day in enumerate(starts):
        if index:
            boundaries.append((day - timedelta(days=1)).isoformat())
        if index < len(starts) - 1:
            boundaries.append((day + timedelta(days=1)).isoformat())
    months = report_filter.months()
    return boundaries, {month: [2 * i, 2 * i + 1, 2 * i + 2] for i, month in enumerate(months)}


def coverage_fingerprints(report_filter: ReportFilter) -> dict[str, tuple]:
    """month -> a validator of every row shift_coverage and hours_coverage can read for that month.

    The row aggregates (``_row_aggregates``) of every shift starting within a day of the month
    (a superset of any courthouse's local window), whatever its kind or status, and of their
    sign-ups, read per UTC day from two covering indexes and added up here per segment of
    ``_month_segments`` (a CASE per row in SQL cost four times as much): a change in one month
    leaves the other months' validators as they were, so their stored coverage can be read back.
    """
    boundaries, segments_of = _month_segments(report_filter)
    after, before = _utc_superset(report_filter)
    window = and_(Shift.starts_at >= after, Shift.starts_at < before)
    day = utc_day(Shift.starts_at)
    shifts = select(day, *_row_aggregates(Shift)).where(window).group_by(day)
    signups = (
        select(day, *_row_aggregates(ShiftSignup))
        .join(Shift, Shift.id == ShiftSignup.shift_id)
        .where(window)
        .group_by(day)
    )
    found: dict[tuple[str, int], list] = {}
    for kind, query in (("shifts", shifts), ("signups", signups)):
        for shift_day, count, ids, latest, total in sorted(db.session.execute(query)):
            key = (kind, bisect_right(boundaries, shift_day))
            known = found.setdefault(key, [0, 0, latest, 0.0])
            known[0], known[1], known[3] = known[0] + count, known[1] + int(ids), known[3] + float(total)
            known[2] = max(known[2], latest)
    return {
        month: tuple(
            tuple(str(value) for value in found.get((kind, n), ())) for n in numbers for kind in ("shifts", "signups")
        )
        for month, numbers in segments_of.items()
    }
