"""Daily report counts: what the summary page reads instead of a million reports.

The summary's breakdowns used to scan every report in the range, six times (1.4 s for a year of
a million reports). This table holds, per courthouse, *local* calendar day, court type and status,
how many reports there were and how the reports that are not linked to an Incident split by
action, role, warrant and agency. A year is then a few thousand grouped rows, whatever the number
of reports. Reports linked to an Incident are not counted here: an Incident's action, courthouse
and month depend on which of its reports the filter keeps, so the summary counts those (few)
reports live (see summaries.py).

The table is kept exact by recounting, never by adding deltas: after every flush that adds or
changes a report (or its agencies), the courthouse-days it touched are counted again from the
reports table, in the same transaction. So a later fix to a report, a verification or a link to an
Incident can never leave the counts drifting. On PostgreSQL two transactions recounting the same
courthouse would each miss the other's uncommitted report; a transaction-scoped advisory lock per
courthouse makes the second wait and recount after the first commits (SQLite has one writer at a
time already). ``flask reports recount`` rebuilds the whole table, e.g. after a bulk load.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    and_,
    case,
    delete,
    event,
    exists,
    func,
    inspect,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from courtwatch.courts.models import Courthouse
from courtwatch.db import Base, UTCDateTime
from courtwatch.observations.models import (
    URGENT_ACTIONS,
    Action,
    Agency,
    Observation,
    ObservationAgency,
    TargetRole,
    Warrant,
)
from courtwatch.reports.filters import bucket, local_midnight, month_spans

INCIDENT_ACTIONS = (Action.SIGHTING, Action.ATTEMPTED_ARREST, Action.ARREST)
SERIOUS_ACTIONS = URGENT_ACTIONS  # arrests and attempted arrests: the "of which" columns
ACTION_COLUMNS = {Action.SIGHTING: "sightings", Action.ATTEMPTED_ARREST: "attempted_arrests", Action.ARREST: "arrests"}
# The many-valued breakdowns: one column a value (None: "not recorded") and one for the serious part.
DIMENSIONS = {"role": list(TargetRole), "warrant": list(Warrant), "agency": list(Agency)}
# Report attributes that move a report between counts; a change to anything else needs no recount.
COUNTED_ATTRIBUTES = (
    "courthouse_id",
    "observed_at",
    "court_type",
    "status",
    "action",
    "incident_id",
    "incident",
    "target_role",
    "warrant",
    "nothing_observed",
)
NO_COURT_TYPE = ""
ADVISORY_LOCK_SPACE = 7_301  # first key of pg_advisory_xact_lock(int, int): "report counts"


def value_column(dimension: str, value: str | None, serious: bool = False) -> str:
    return f"{dimension}_{value or 'unrecorded'}{'_serious' if serious else ''}"


def _dimension_columns() -> list[str]:
    return [
        value_column(dimension, value, serious)
        for dimension, values in DIMENSIONS.items()
        for value in [*values, None]
        for serious in (False, True)
    ]


COUNT_COLUMNS = ["reports", "nothing_observed", *ACTION_COLUMNS.values(), *_dimension_columns()]


def _counts_table(name: str, *day_column: Column) -> Table:
    # The key's order is the summary's GROUP BY (courthouse, month, court type, status), then the
    # day: the database sums the rows in index order instead of sorting thousands of wide rows first.
    return Table(
        name,
        Base.metadata,
        Column("courthouse_id", ForeignKey("courthouse.id"), primary_key=True),
        Column("month", String(7), primary_key=True),  # "YYYY-MM": what "by month" groups on
        Column("court_type", String(40), primary_key=True),  # "" when the report gives none
        Column("status", String(20), primary_key=True),
        *day_column,
        *[Column(column, Integer, nullable=False, default=0) for column in COUNT_COLUMNS],
    )


report_day_count = _counts_table("report_day_count", Column("day", Date, primary_key=True))  # courthouse's local day
# The same counts summed per month: a range of whole months (five years: 60 x courthouses x a
# dozen rows) reads these; only the cut months at its ends read day rows.
report_month_count = _counts_table("report_month_count")


# ---------------------------------------------------------------------------- counting
def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@cache
def _aggregates() -> tuple:
    """One expression per COUNT_COLUMNS entry, over the reports of one group.

    Built once per process: they are constants (SQL expressions are immutable), and building the
    43 of them cost more than the recount query itself on every flush that touched a report."""
    unlinked = and_(Observation.incident_id.is_(None), Observation.action.in_(INCIDENT_ACTIONS))
    serious = Observation.action.in_(SERIOUS_ACTIONS)
    expressions = [func.count(), _count_if(Observation.nothing_observed.is_(True))]
    expressions += [_count_if(and_(unlinked, Observation.action == action)) for action in ACTION_COLUMNS]
    matchers = {
        "role": lambda value: Observation.target_role.is_(None) if value is None else Observation.target_role == value,
        "warrant": lambda value: Observation.warrant.is_(None) if value is None else Observation.warrant == value,
        "agency": lambda value: (
            ~exists().where(ObservationAgency.observation_id == Observation.id)
            if value is None
            else exists().where(ObservationAgency.observation_id == Observation.id, ObservationAgency.agency == value)
        ),
    }
    for dimension, values in DIMENSIONS.items():
        for value in [*values, None]:
            matches = matchers[dimension](value)
            expressions += [_count_if(and_(unlinked, matches)), _count_if(and_(unlinked, serious, matches))]
    return tuple(expressions)


def recount(connection: Connection, courthouse_id: int, zone: ZoneInfo, first_day: date, last_day: date) -> int:
    """Count the courthouse's reports on these local days again; returns the rows written."""
    days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    start, end = local_midnight(first_day, zone), local_midnight(last_day + timedelta(days=1), zone)
    day_index = bucket(
        Observation.observed_at, [local_midnight(day, zone) for day in days[1:]], [literal(n) for n in range(len(days))]
    )
    court_type = func.coalesce(Observation.court_type, NO_COURT_TYPE)
    query = (
        select(day_index, court_type, Observation.status, *_aggregates())
        .where(
            Observation.courthouse_id == courthouse_id, Observation.observed_at >= start, Observation.observed_at < end
        )
        .group_by(day_index, court_type, Observation.status)
    )
    rows = [
        {
            "courthouse_id": courthouse_id,
            "day": days[index],
            "month": days[index].strftime("%Y-%m"),
            "court_type": kind,
            "status": status,
            **dict(zip(COUNT_COLUMNS, counts, strict=True)),
        }
        for index, kind, status, *counts in connection.execute(query)
    ]
    connection.execute(
        delete(report_day_count).where(
            report_day_count.c.courthouse_id == courthouse_id,
            report_day_count.c.month.between(first_day.strftime("%Y-%m"), last_day.strftime("%Y-%m")),
            report_day_count.c.day >= first_day,
            report_day_count.c.day <= last_day,
        )
    )
    if rows:
        connection.execute(report_day_count.insert(), rows)
    _sum_months(connection, courthouse_id, sorted({day.strftime("%Y-%m") for day in days}))
    return len(rows)


@cache
def _month_sums() -> tuple:
    return tuple(func.sum(report_day_count.c[name]) for name in COUNT_COLUMNS)


def _sum_months(connection: Connection, courthouse_id: int, months: list[str]) -> None:
    """Rewrite the courthouse's month rows from its day rows."""
    day, month = report_day_count.c, report_month_count.c
    connection.execute(delete(report_month_count).where(month.courthouse_id == courthouse_id, month.month.in_(months)))
    keys = (day.courthouse_id, day.month, day.court_type, day.status)
    connection.execute(
        report_month_count.insert().from_select(
            [*(key.name for key in keys), *COUNT_COLUMNS],
            select(*keys, *_month_sums())
            .where(day.courthouse_id == courthouse_id, day.month.in_(months))
            .group_by(*keys),
        )
    )


def recount_courthouse(connection: Connection, courthouse_id: int, zone: ZoneInfo) -> int:
    """Every day of one courthouse, a month at a time (e.g. after its time zone changed)."""
    for table in (report_day_count, report_month_count):
        connection.execute(delete(table).where(table.c.courthouse_id == courthouse_id))
    # type_coerce: MIN/MAX keep the column's UTC type, so SQLite's naive text comes back aware.
    earliest, latest = connection.execute(
        select(
            type_coerce(func.min(Observation.observed_at), UTCDateTime),
            type_coerce(func.max(Observation.observed_at), UTCDateTime),
        ).where(Observation.courthouse_id == courthouse_id)
    ).one()
    if earliest is None:
        return 0
    first, last = (moment.astimezone(zone).date() for moment in (earliest, latest))
    return sum(recount(connection, courthouse_id, zone, start, end) for start, end in month_spans(first, last))


def recount_all(connection: Connection) -> int:
    """Rebuild the whole table from the reports; returns the rows written."""
    connection.execute(delete(report_day_count))
    connection.execute(delete(report_month_count))
    return sum(
        recount_courthouse(connection, courthouse_id, ZoneInfo(zone_name))
        for courthouse_id, zone_name in connection.execute(select(Courthouse.id, Courthouse.timezone))
    )


# ---------------------------------------------------------------------------- keeping it exact
def _changed(instance, names) -> bool:
    state = inspect(instance)
    return any(state.attrs[name].history.has_changes() for name in names)


def _before_and_now(instance, name: str) -> set:
    history = inspect(instance).attrs[name].history
    return {value for value in (*history.deleted, getattr(instance, name)) if value is not None}


def _touched(session: Session) -> tuple[set, set, set]:
    """(courthouse_id, UTC moment) pairs, report ids whose agencies changed, re-zoned courthouses."""
    moments, report_ids, courthouses = set(), set(), set()
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, Observation):
            if instance in session.dirty and not _changed(instance, COUNTED_ATTRIBUTES):
                continue
            # Where the report was before this flush and where it is now (the same place, mostly).
            places, times = (_before_and_now(instance, name) for name in ("courthouse_id", "observed_at"))
            moments.update((place, moment) for place in places for moment in times)
        elif isinstance(instance, ObservationAgency):
            report_ids.add(instance.observation_id)
        elif isinstance(instance, Courthouse) and instance in session.dirty and _changed(instance, ("timezone",)):
            courthouses.add(instance.id)
    return moments, report_ids, courthouses


@event.listens_for(Session, "after_flush")
def _recount_after_flush(session: Session, _flush_context) -> None:
    moments, report_ids, rezoned = _touched(session)
    if not (moments or report_ids or rezoned):
        return
    connection = session.connection()
    if report_ids:
        moments |= {
            tuple(row)
            for row in connection.execute(
                select(Observation.courthouse_id, Observation.observed_at).where(Observation.id.in_(report_ids))
            )
        }
    courthouse_ids = {courthouse_id for courthouse_id, _moment in moments} | rezoned
    zones = {
        courthouse_id: ZoneInfo(zone_name)
        for courthouse_id, zone_name in connection.execute(
            select(Courthouse.id, Courthouse.timezone).where(Courthouse.id.in_(courthouse_ids))
        )
    }
    if connection.dialect.name == "postgresql":
        for courthouse_id in sorted(courthouse_ids):  # one order everywhere: no lock cycles
            connection.execute(select(func.pg_advisory_xact_lock(ADVISORY_LOCK_SPACE, courthouse_id)))
    for courthouse_id in sorted(rezoned):
        recount_courthouse(connection, courthouse_id, zones[courthouse_id])
    days = defaultdict(set)
    for courthouse_id, moment in moments:
        if courthouse_id not in rezoned and moment is not None:
            days[courthouse_id].add(moment.astimezone(zones[courthouse_id]).date())
    for courthouse_id, local_days in sorted(days.items()):
        for day in sorted(local_days):
            recount(connection, courthouse_id, zones[courthouse_id], day, day)
