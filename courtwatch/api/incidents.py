"""De-identified incident rows for partner organisations: one row per verified incident.

The query selects only the columns a row may hold (never the narrative, the reporter, the
courtroom, photos, vehicles or the time of day), so nothing else can slip into an answer by a
template or serializer change. The counting rules are the summaries': an unlinked confirmed
report of a sighting, attempted arrest or arrest is one incident; an Incident (several linked
reports) is one row described by its confirmed reports in the period, dated by the first of them,
with the most serious action and that report's role, warrant and court type.

Rows are paged by a keyset cursor (moment, kind, id): a partner can pull a year of a large
campaign page by page, and each page is an index range, not an OFFSET scan.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, type_coerce

from courtwatch.courts.models import Courthouse
from courtwatch.db import UTCDateTime, db
from courtwatch.errors import DomainError
from courtwatch.observations.models import ACTION_SEVERITY, Observation, ObservationAgency, ObservationStatus
from courtwatch.opendata.publication import Period
from courtwatch.reports.filters import SCOPE_CONFIRMED, resolve_filter

INCIDENT_ACTION_VALUES = ("sighting", "attempted_arrest", "arrest")
MAX_LIMIT, DEFAULT_LIMIT = 5000, 1000
ROW_COLUMNS = (
    "id",
    "date",
    "date_precision",
    "courthouse",
    "courthouse_name",
    "county",
    "action",
    "agencies",
    "agent_count_band",
    "target_role",
    "warrant_shown",
    "court_type",
)
REPORT_KIND, INCIDENT_KIND = "r", "i"


@dataclass
class Cursor:
    moment: datetime
    kind: str
    id: int

    def encode(self) -> str:
        text = f"{self.moment.astimezone(UTC).isoformat()}|{self.kind}|{self.id}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str | None) -> Cursor | None:
        if not value:
            return None
        try:
            text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            moment, kind, number = text.split("|")
            cursor = cls(datetime.fromisoformat(moment), kind, int(number))
            if cursor.moment.tzinfo is None or kind not in (REPORT_KIND, INCIDENT_KIND):
                raise ValueError
            return cursor
        except ValueError:
            raise DomainError(_('This page link is not valid; start again without "after".'), field="after") from None

    def after(self, moment_column, kind: str, id_column):
        """(moment, kind, id) > this cursor, for rows of one kind."""
        if kind > self.kind:
            return moment_column >= self.moment
        if kind < self.kind:
            return moment_column > self.moment
        return or_(moment_column > self.moment, and_(moment_column == self.moment, id_column > self.id))


def agent_count_band(count: int | None) -> str:
    if not count or count < 1:
        return "unknown"
    if count == 1:
        return "1"
    return "2-4" if count <= 4 else "5-9" if count <= 9 else "10+"


def opaque_id(kind: str, number: int) -> str:
    """Stable between pulls (so coalitions can merge and de-duplicate), meaningless outside this server."""
    key = hashlib.sha256(("partner-row:" + current_app.secret_key).encode()).digest()
    return hmac.new(key, f"{kind}{number}".encode(), hashlib.sha256).hexdigest()[:20]


def _confirmed_incident_reports(report_filter, in_time_order: bool = False):
    # ``column || ''``: the same test, but the planner no longer reads the one-column status or action
    # index (most reports share a few values) and sorts; it walks the time index in order and stops early.
    # In time order: ``courthouse_id + 0`` too, so the time index is walked rather than each courthouse's range.
    courthouse = Observation.courthouse_id + 0 if in_time_order else Observation.courthouse_id
    return [
        report_filter.window(Observation.observed_at, courthouse),
        Observation.status.concat("") == ObservationStatus.CONFIRMED.value,
        Observation.action.concat("").in_(INCIDENT_ACTION_VALUES),
    ]


def _report_rows(report_filter, cursor: Cursor | None, limit: int) -> list[tuple]:
    query = (
        select(
            Observation.id,
            Observation.observed_at,
            Observation.courthouse_id,
            Observation.action,
            Observation.agent_count,
            Observation.target_role,
            Observation.warrant,
            Observation.court_type,
        )
        .where(*_confirmed_incident_reports(report_filter, in_time_order=True), (Observation.incident_id + 0).is_(None))
        .order_by(Observation.observed_at, Observation.id)
        .limit(limit + 1)
    )
    if cursor:
        query = query.where(cursor.after(Observation.observed_at, REPORT_KIND, Observation.id))
    return [(REPORT_KIND, *row, None) for row in db.session.execute(query)]  # agencies: read for the page only


def _incident_rows(report_filter, cursor: Cursor | None, limit: int, horizon: datetime | None) -> list[tuple]:
    """Incidents after the cursor, first-dated no later than ``horizon`` (past it they cannot be on this page)."""
    first = type_coerce(func.min(Observation.observed_at), UTCDateTime)  # aware on SQLite too
    query = (
        select(Observation.incident_id, first)
        .where(*_confirmed_incident_reports(report_filter), Observation.incident_id.is_not(None))
        .group_by(Observation.incident_id)
        .order_by(first, Observation.incident_id)
        .limit(limit + 1)
    )
    if cursor:
        query = query.having(cursor.after(first, INCIDENT_KIND, Observation.incident_id))
    if horizon is not None:
        query = query.having(first <= horizon)
    firsts = [tuple(row) for row in db.session.execute(query)]
    if not firsts:
        return []
    # By incident id (its index), then the period's bounds in Python: with the time window in SQL the
    # planner would scan the whole year of one courthouse index range for a thousand ids.
    bounds = {c.id: report_filter.bounds(c.timezone) for c in report_filter.courthouses}
    reports = [
        report
        for report in db.session.execute(
            select(
                Observation.id,
                Observation.incident_id,
                Observation.observed_at,
                Observation.courthouse_id,
                Observation.action,
                Observation.agent_count,
                Observation.target_role,
                Observation.warrant,
                Observation.court_type,
            )
            .where(
                Observation.incident_id.in_([incident_id for incident_id, _m in firsts]),
                Observation.status.concat("") == ObservationStatus.CONFIRMED.value,
                Observation.action.concat("").in_(INCIDENT_ACTION_VALUES),
            )
            .order_by(Observation.observed_at, Observation.id)
        )
        if report.courthouse_id in bounds
        and bounds[report.courthouse_id][0] <= report.observed_at < bounds[report.courthouse_id][1]
    ]
    by_incident, agencies = defaultdict(list), defaultdict(set)
    for report in reports:
        by_incident[report.incident_id].append(report)
    incident_of = {report.id: report.incident_id for report in reports}
    if incident_of:
        for observation_id, agency in db.session.execute(
            select(ObservationAgency.observation_id, ObservationAgency.agency).where(
                ObservationAgency.observation_id.in_(list(incident_of))
            )
        ):
            agencies[incident_of[observation_id]].add(agency)
    rows = []
    for incident_id, moment in firsts:
        described = by_incident[incident_id]
        leading = max(described, key=lambda r: (ACTION_SEVERITY[r.action], -r.observed_at.timestamp()))
        counts = [r.agent_count for r in described if r.agent_count]
        rows.append(
            (
                INCIDENT_KIND,
                incident_id,
                moment,
                described[0].courthouse_id,
                leading.action,
                max(counts) if counts else None,
                leading.target_role,
                leading.warrant,
                leading.court_type,
                agencies[incident_id],
            )
        )
    return rows


def incident_page(
    period: Period, precision: str, *, limit: int = DEFAULT_LIMIT, after: str | None = None
) -> tuple[list[dict], str | None]:
    """One page of rows, oldest first, and the cursor of the next page (None on the last)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise DomainError(_("Choose a limit from 1 to %(n)d.", n=MAX_LIMIT), field="limit")
    cursor = Cursor.decode(after)
    report_filter = resolve_filter(date_from=period.first_day, date_to=period.last_day, scope=SCOPE_CONFIRMED)
    reports = _report_rows(report_filter, cursor, limit)
    horizon = reports[-1][2] if len(reports) > limit else None
    merged = sorted(
        reports + _incident_rows(report_filter, cursor, limit, horizon), key=lambda row: (row[2], row[0], row[1])
    )
    page, more = merged[:limit], len(merged) > limit
    courthouses = {c.id: c for c in report_filter.courthouses}
    agencies = defaultdict(set)
    report_ids = [row[1] for row in page if row[0] == REPORT_KIND]
    if report_ids:
        for observation_id, agency in db.session.execute(
            select(ObservationAgency.observation_id, ObservationAgency.agency).where(
                ObservationAgency.observation_id.in_(report_ids)
            )
        ):
            agencies[observation_id].add(agency)
    rows = [
        _row(row, courthouses[row[3]], sorted(row[9] if row[0] == INCIDENT_KIND else agencies[row[1]]), precision)
        for row in page
    ]
    next_cursor = Cursor(page[-1][2], page[-1][0], page[-1][1]).encode() if more and page else None
    return rows, next_cursor


def _row(row: tuple, courthouse: Courthouse, agencies: list[str], precision: str) -> dict:
    kind, number, moment, _courthouse_id, action, agent_count, role, warrant, court_type, _agencies = row
    day = moment.astimezone(ZoneInfo(courthouse.timezone)).date()
    if precision == "week":
        day -= timedelta(days=day.weekday())
    return {
        "id": opaque_id(kind, number),
        "date": day.isoformat(),
        "date_precision": precision,
        "courthouse": courthouse.slug,
        "courthouse_name": courthouse.name,
        "county": courthouse.county or "",
        "action": action,
        "agencies": agencies,
        "agent_count_band": agent_count_band(agent_count),
        "target_role": role,
        "warrant_shown": warrant,
        "court_type": court_type,
    }
