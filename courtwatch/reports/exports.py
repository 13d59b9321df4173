"""Report-level rows for the staff exports: one row per report, read in batches, never all at once.

Memory: the rows come from the database in batches (``yield_per``: a server-side cursor on
PostgreSQL) and are written out one by one by spreadsheets.py (CSV lines, or a write-only XLSX).

Streaming: the body is produced after the view has returned and the request's session has been
committed and closed (under gunicorn, the request context is popped before the first chunk). So
everything taken from the request (courthouse zones and names, labels, links) is read into plain
values before the response starts, and the rows are read through a session of the export's own
(``ExportSession``), which the generator opens and closes.

Privacy: report-level exports leave out the reporter, free text (narratives and descriptions can
name people) and photos unless the coordinator ticks "personal data". Nothing from an
accompaniment request is ever selected here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError

from courtwatch.auth.models import User
from courtwatch.courts.models import COURT_TYPE_LABELS
from courtwatch.db import db
from courtwatch.observations.models import (
    ACTION_LABELS,
    AGENCY_LABELS,
    AGENTS_PRESENT_LABELS,
    AREA_LABELS,
    ATTIRE_LABELS,
    OBSERVATION_STATUS_LABELS,
    TARGET_ROLE_LABELS,
    WARRANT_LABELS,
    YES_NO_UNKNOWN_LABELS,
    Observation,
    ObservationAgency,
    ObservationPhoto,
)
from courtwatch.reports.filters import ReportFilter
from courtwatch.reports.queries import status_condition

BATCH_SIZE = 2000


# ---------------------------------------------------------------------------- report-level rows
def _resolved(labels: dict) -> dict:
    """Lazy labels translated once per export, not once per row (a million rows)."""
    resolved = {str(key): str(label) for key, label in labels.items()}
    resolved[None] = resolved[""] = ""
    return resolved


def _photo_url_builder():
    """Absolute links to the observations area's photo page, or None when it has no such page."""
    adapter = current_app.url_map.bind("localhost", script_name="/")
    base = current_app.config.get("BASE_URL", "").rstrip("/")
    try:
        adapter.build("observations.photo", {"observation_id": 1, "photo_id": 1})
    except BuildError:
        return None
    return lambda observation_id, photo_id: (
        base + adapter.build("observations.photo", {"observation_id": observation_id, "photo_id": photo_id})
    )


def report_header(personal: bool) -> list[str]:
    header = [
        _("Report"),
        _("Incident"),
        _("Observed (courthouse local time)"),
        _("Observed (UTC)"),
        _("Courthouse"),
        _("County"),
        _("Court type"),
        _("Courtroom"),
        _("Area"),
        _("Agents present"),
        _("Number of agents"),
        _("Agencies"),
        _("Attire"),
        _("Identified themselves"),
        _("Action"),
        _("Role of the person targeted"),
        _("Warrant shown"),
        _("Force used"),
        _("Nothing observed"),
        _("Status"),
    ]
    if personal:
        header += [
            _("Reporter"),
            _("Reporter email"),
            _("Markings"),
            _("Badges seen"),
            _("Vehicles"),
            _("Court staff involvement"),
            _("Narrative"),
            _("Photos"),
            _("Photo links"),
        ]
    return header


def report_query(report_filter: ReportFilter, personal: bool):
    agencies = (
        select(func.aggregate_strings(ObservationAgency.agency, " "))
        .where(ObservationAgency.observation_id == Observation.id)
        .correlate(Observation)
        .scalar_subquery()
    )
    columns = [
        Observation.id,
        Observation.incident_id,
        Observation.observed_at,
        Observation.courthouse_id,
        Observation.court_type,
        Observation.courtroom,
        Observation.area,
        Observation.agents_present,
        Observation.agent_count,
        agencies,
        Observation.attire,
        Observation.identified_themselves,
        Observation.action,
        Observation.target_role,
        Observation.warrant,
        Observation.force_used,
        Observation.nothing_observed,
        Observation.status,
    ]
    if personal:
        photo_ids = (
            select(func.aggregate_strings(cast(ObservationPhoto.id, String), " "))
            .where(ObservationPhoto.observation_id == Observation.id)
            .correlate(Observation)
            .scalar_subquery()
        )
        columns += [
            User.name,
            User.email,
            Observation.markings,
            Observation.badges_seen,
            Observation.vehicles,
            Observation.court_staff_involvement,
            Observation.narrative,
            photo_ids,
        ]
    start, end = report_filter.overall_bounds()
    # Read the index on observed_at in order, so rows stream out at once with no sort of the whole
    # range first: "courthouse_id + 0" keeps the planner off the courthouse/date index (which
    # returns rows courthouse by courthouse), and there is no join to courthouse (the filter
    # already holds the few courthouses; a join could become the outer loop).
    query = (
        select(*columns)
        .where(
            Observation.observed_at >= start,
            Observation.observed_at < end,
            report_filter.window(Observation.observed_at, Observation.courthouse_id + 0),
            status_condition(report_filter),
        )
        .order_by(Observation.observed_at, Observation.id)
    )
    if report_filter.court_types:
        query = query.where(Observation.court_type.in_(report_filter.court_types))
    if personal:
        query = query.outerjoin(User, User.id == Observation.reporter_id)
    return query.execution_options(yield_per=BATCH_SIZE)


class ExportSession:
    """A session of the export's own on the app's engine, opened by the streamed body itself.

    The request's session is closed before the body is produced under a real server; this one
    lives exactly as long as the export, and ends with the audit event that says whether the file
    went out (``finish``).
    """

    def __init__(self):
        self.engine = db.engine  # read now, while the app context is certainly there
        self.session: Session | None = None

    def __enter__(self) -> Session:
        self.session = Session(self.engine)
        return self.session

    def __exit__(self, *exc_info):
        self.session.close()


def report_rows(
    report_filter: ReportFilter, personal: bool, export_session: ExportSession | None = None
) -> Iterator[list]:
    """The header, then one list per report, fetched in batches; times in the courthouse's zone.

    Everything taken from the request is read here, before the generator starts; the rows come
    through ``export_session`` when the body is streamed (the request's session by default).
    """
    zones = {c.id: ZoneInfo(c.timezone) for c in report_filter.courthouses}
    places = {c.id: (c.name, c.county) for c in report_filter.courthouses}
    photo_url = _photo_url_builder() if personal else None
    yes, no = _("yes"), _("no")
    labels = tuple(
        _resolved(table)
        for table in (
            COURT_TYPE_LABELS,
            AREA_LABELS,
            AGENTS_PRESENT_LABELS,
            AGENCY_LABELS,
            ATTIRE_LABELS,
            YES_NO_UNKNOWN_LABELS,
            ACTION_LABELS,
            TARGET_ROLE_LABELS,
            WARRANT_LABELS,
            OBSERVATION_STATUS_LABELS,
        )
    )
    header = report_header(personal)
    query = report_query(report_filter, personal)
    return _report_rows(header, query, zones, places, photo_url, (yes, no), labels, export_session)


def _report_rows(
    header, query, zones, places, photo_url: Callable | None, yes_no, labels, export_session: ExportSession | None
) -> Iterator[list]:
    yes, no = yes_no
    court_types, areas, present_labels, agency_labels, attires, answers, actions, roles, warrants, statuses = labels
    yield header
    session = export_session.session if export_session is not None else db.session
    result = session.execute(query)
    for row in result:
        (
            report_id,
            incident_id,
            observed_at,
            courthouse_id,
            court_type,
            courtroom,
            area,
            present,
            agent_count,
            agency_codes,
            attire,
            identified,
            action,
            role,
            warrant,
            force,
            nothing,
            status,
            *private,
        ) = row
        courthouse, county = places[courthouse_id]
        agency_names = "; ".join(agency_labels.get(code, code) for code in sorted((agency_codes or "").split()))
        local = observed_at.astimezone(zones[courthouse_id]).replace(tzinfo=None, second=0, microsecond=0)
        values = [
            report_id,
            incident_id,
            local,
            observed_at.astimezone(UTC).replace(microsecond=0),
            courthouse,
            county,
            court_types.get(court_type, court_type),
            courtroom,
            areas.get(area, area),
            present_labels.get(present, present),
            agent_count,
            agency_names,
            attires.get(attire, attire),
            answers.get(identified, identified),
            actions.get(action, action),
            roles.get(role, role),
            warrants.get(warrant, warrant),
            answers.get(force, force),
            yes if nothing else no,
            statuses.get(status, status),
        ]
        if private:
            *texts, photo_ids = private
            ids = (photo_ids or "").split()
            links = " ".join(photo_url(report_id, int(p)) for p in sorted(ids, key=int)) if photo_url else ""
            values += [*texts, len(ids), links]
        yield values
