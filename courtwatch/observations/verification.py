"""What coordinators do with reports: the review queue, verification, and incidents.

Verification is a status plus a note; every change of status is an audit event carrying
``from_status`` and ``to_status`` so the history (who, when, from -> to) is kept where audits
live, not in a second table that could disagree with it.

An incident is what the numbers count: several volunteers who saw one arrest file several
reports; linking them to one incident makes the summaries count the arrest once. Only reports
at the same courthouse can describe one incident.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from courtwatch.auth.models import User
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.observations.models import ACTION_SEVERITY, Action, Incident, Observation, ObservationStatus
from courtwatch.privacy.services import record_event

REVIEW_PAGE_SIZE = 25


@dataclass
class ReviewFilters:
    courthouse_id: int | None = None
    action: str | None = None
    status: str | None = None
    incident_id: int | None = None

    def query(self):
        query = select(Observation)
        if self.courthouse_id:
            query = query.where(Observation.courthouse_id == self.courthouse_id)
        if self.action in set(Action):
            query = query.where(Observation.action == self.action)
        if self.status in set(ObservationStatus):
            query = query.where(Observation.status == self.status)
        if self.incident_id:
            query = query.where(Observation.incident_id == self.incident_id)
        return query


def review_page(filters: ReviewFilters, page: int = 1, per_page: int = REVIEW_PAGE_SIZE):
    """Newest first; reporters, photos and agencies loaded in a fixed number of queries."""
    query = (
        filters.query()
        .options(
            selectinload(Observation.reporter), selectinload(Observation.photos), selectinload(Observation.incident)
        )
        .order_by(Observation.created_at.desc(), Observation.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def verify_observation(coordinator: User, observation: Observation, status: str, note: str) -> None:
    if status not in set(ObservationStatus):
        raise DomainError(_("Choose one of the options."), field="status")
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say how you checked this report (who saw it, what confirms it)."), field="note")
    if len(note) > 2000:
        raise DomainError(_("At most %(n)d characters.", n=2000), field="note")
    previous = observation.status
    observation.status = status
    observation.verification_note = note
    observation.verified_by_id = coordinator.id
    observation.verified_at = utcnow()
    record_event(coordinator, "observation.verify", observation, from_status=previous, to_status=status, note=note)
    db.session.flush()


def status_history(observation: Observation) -> list[dict]:
    """The verification events for one report, oldest first (read back from the audit log)."""
    from courtwatch.privacy.models import AuditEvent

    events = db.session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.object_type == Observation.__tablename__,
            AuditEvent.object_id == observation.id,
            AuditEvent.action == "observation.verify",
        )
        .order_by(AuditEvent.id)
    )
    history = []
    for event in events:
        detail = json.loads(event.detail or "{}")
        history.append(
            {
                "at": event.created_at,
                "actor": event.actor,
                "from_status": detail.get("from_status"),
                "to_status": detail.get("to_status"),
                "note": detail.get("note", ""),
            }
        )
    return history


def get_incident(incident_id: int) -> Incident:
    incident = db.session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(_("No such incident."))
    return incident


def incident_action(incident: Incident) -> str:
    """The most serious action among an incident's reports (what the incident counts as)."""
    actions = [o.action for o in incident.observations] or [Action.NONE]
    return max(actions, key=lambda a: ACTION_SEVERITY[Action(a)])


def link_observations(
    coordinator: User, observation_ids: list[int], incident_id: int | None = None, summary: str = ""
) -> Incident:
    """Put these reports into one incident (a new one, or an existing one at the same courthouse)."""
    ids = sorted({int(i) for i in observation_ids})
    observations = list(db.session.scalars(select(Observation).where(Observation.id.in_(ids))))
    if not observations or (len(observations) < 2 and incident_id is None):
        raise DomainError(_("Choose at least two reports to link, or one report and an incident."))
    incident = get_incident(incident_id) if incident_id else None
    courthouses = {o.courthouse_id for o in observations} | ({incident.courthouse_id} if incident else set())
    if len(courthouses) > 1:
        raise DomainError(_("Only reports from the same courthouse can describe one incident."))
    summary = (summary or "").strip()[:2000]
    if incident is None:
        incident = Incident(
            courthouse_id=observations[0].courthouse_id,
            occurred_at=min(o.observed_at for o in observations),
            summary=summary,
            created_by_id=coordinator.id,
        )
        db.session.add(incident)
        db.session.flush()
    elif summary:
        incident.summary = summary
    moved_from = sorted({o.incident_id for o in observations if o.incident_id and o.incident_id != incident.id})
    for observation in observations:
        observation.incident_id = incident.id
    incident.occurred_at = min([incident.occurred_at, *(o.observed_at for o in observations)])
    db.session.flush()
    db.session.expire(incident, ["observations"])
    record_event(coordinator, "incident.link", incident, observation_ids=ids, moved_from=moved_from)
    return incident


def unlink_observation(coordinator: User, observation: Observation) -> None:
    if observation.incident_id is None:
        return
    record_event(coordinator, "incident.unlink", observation, incident_id=observation.incident_id)
    observation.incident_id = None
    db.session.flush()


def recent_incidents(courthouse_id: int | None = None, limit: int = 20) -> list[Incident]:
    """Incidents a coordinator may add reports to (newest first, bounded)."""
    query = select(Incident).order_by(Incident.occurred_at.desc()).limit(limit)
    if courthouse_id:
        query = query.where(Incident.courthouse_id == courthouse_id)
    return list(db.session.scalars(query))
