"""Filing and changing observation reports: the rules that keep the evidence exact and single.

``submit_observation`` is idempotent per (reporter, key): the phone may send the same report
several times on a bad connection, and the first one wins. A later send with the same key and
the *same* content returns the stored report; with *different* content it is refused
(``IdempotencyConflict``), because silently keeping either version would lose something the
volunteer typed. Photos are not part of the content hash: a resend without the photos (a draft
cannot keep files) is still the same report.

Photos on a resend (the rule): a resend of the same report (same key, same content) that
carries photos attaches them when the stored copy has none, since the first copy's photos were
lost on the way (the connection dropped during the upload, or the volunteer sent the text first
to be quick). When the stored copy already has photos, the resend's photos are not added: they
are the same photos sent again, and adding them would double the evidence. Later photos go
through "Amend".

What a report must say, and how it is normalised, is in ``rules`` (pure, no writes); this
module writes what those rules accept, keeps revisions, and reads reports back. Whether
coordinators are alerted is decided from what was stored.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from courtwatch import signals
from courtwatch.auth.models import User
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.observations import alerts, photos
from courtwatch.observations.models import (
    URGENT_ACTIONS,
    Observation,
    ObservationAgency,
    ObservationRevision,
    ObservationStatus,
)

# The rules live in ``rules``; callers keep reaching them as ``services.X``.
from courtwatch.observations.rules import (  # noqa: F401
    AGENT_DETAIL_FIELDS,
    ARREST_DETAIL_FIELDS,
    CONTENT_FIELDS,
    FUTURE_SLACK,
    MAX_AGE_DAYS,
    MIN_URGENT_NARRATIVE,
    InvalidReport,
    NothingObservedConflict,
    content_hash,
    filled_beyond_nothing,
    normalise_values,
    prepare,
    rule_errors,
)
from courtwatch.privacy.services import record_event


class IdempotencyConflict(DomainError):
    """The key was used before for a report with different content."""

    def __init__(self, message: str, observation: Observation):
        super().__init__(message)
        self.observation = observation


# ---------------------------------------------------------------- writing
def _apply(observation: Observation, values: dict[str, Any]) -> None:
    for name in CONTENT_FIELDS:
        if name != "agencies":
            setattr(observation, name, values[name])
    wanted = set(values["agencies"])
    observation.agencies = [a for a in observation.agencies if a.agency in wanted] + [
        ObservationAgency(agency=a) for a in sorted(wanted - set(observation.agency_list))
    ]


def find_by_key(reporter: User, key: str) -> Observation | None:
    return db.session.scalar(
        select(Observation).where(Observation.reporter_id == reporter.id, Observation.idempotency_key == key)
    )


def _resend(existing: Observation, digest: str, uploads=()) -> tuple[Observation, bool]:
    if existing.content_hash != digest:
        raise IdempotencyConflict(
            _(
                "This report was already received with different content, so this version was not "
                "saved. Open the stored report and use \u201cAmend\u201d to change it."
            ),
            existing,
        )
    if not existing.photos:  # the rule in the module docstring: photos lost on the first send
        processed = photos.process_uploads(uploads, already=0)
        if processed:
            photos.store_photos(existing, processed)
            record_event(existing.reporter, "observation.photos_on_resend", existing, photos_added=len(processed))
    return existing, False


def submit_observation(
    reporter: User,
    raw: dict[str, Any],
    idempotency_key: str,
    uploads=(),
    now: datetime | None = None,
    nothing_confirmed: bool = False,
) -> tuple[Observation, bool]:
    """Store a report once per (reporter, key); returns (report, created).

    ``nothing_confirmed``: the volunteer answered yes to "send as nothing observed and lose them?".
    """
    key = (idempotency_key or "").strip()
    if not 8 <= len(key) <= 64:
        raise DomainError(_("This form is missing its report number. Reload the page; your draft is kept."))
    values, courthouse, errors = prepare(raw, now)
    digest = content_hash(values)
    existing = find_by_key(reporter, key)
    if existing is not None:
        return _resend(existing, digest, uploads)
    if raw.get("nothing_observed") and not nothing_confirmed and (filled := filled_beyond_nothing(raw)):
        raise NothingObservedConflict(filled)
    if errors:
        raise InvalidReport(errors)
    processed = photos.process_uploads(uploads, already=0)
    observation = Observation(
        reporter_id=reporter.id, idempotency_key=key, content_hash=digest, status=ObservationStatus.UNVERIFIED
    )
    _apply(observation, values)
    # The photos are stored first: the report's transaction is then under way when the savepoint
    # below opens (SQLite's driver would commit a savepoint that opened it), so a photo that cannot
    # be stored (a full database) leaves no report behind either.
    stored = photos.store_photos(observation, processed)
    try:
        with db.session.begin_nested():  # a concurrent resend may have won the race
            db.session.add(observation)
    except IntegrityError:
        photos.discard_photos(stored)
        existing = find_by_key(reporter, key)
        if existing is None:
            raise
        return _resend(existing, digest)
    record_event(
        reporter,
        "observation.submit",
        observation,
        reported_action=observation.action,
        courthouse_id=observation.courthouse_id,
    )
    db.session.flush()
    db.session.refresh(observation, ["action"])
    # An alert raised for the report tells coordinators itself, with the report's link: one
    # message each, not an alert and a report notice about the same arrest.
    alerted = any(signals.send(signals.observation_stored, observation=observation))
    if observation.action in URGENT_ACTIONS and not alerted:  # what was stored, not what the form said
        alerts.alert_coordinators(observation)
    return observation, True


def _jsonable(value):
    return value.isoformat() if isinstance(value, datetime) else value


def update_observation(
    editor: User, observation: Observation, raw: dict[str, Any], uploads=(), now: datetime | None = None
) -> dict[str, list]:
    """A reporter's amendment or a coordinator's edit; keeps what changed in a revision."""
    kind = "amend" if editor.id == observation.reporter_id and not editor.is_staff else "edit"
    if kind == "amend" and not can_amend(editor, observation, now):
        raise DomainError(_("The time to amend this report has passed. Ask a coordinator."))
    raw = {**raw, "shift_id": raw.get("shift_id", observation.shift_id)}
    values, _courthouse_row, errors = prepare(raw, now)
    if errors:
        raise InvalidReport(errors)
    processed = photos.process_uploads(uploads, already=len(observation.photos))
    before = {
        name: (observation.agency_list if name == "agencies" else getattr(observation, name)) for name in CONTENT_FIELDS
    }
    changes = {
        name: [_jsonable(before[name]), _jsonable(values[name])]
        for name in CONTENT_FIELDS
        if before[name] != values[name]
    }
    if not changes and not processed:
        return {}
    if "narrative" in changes and kind == "edit" and observation.original_narrative is None:
        observation.original_narrative = before["narrative"]
    _apply(observation, values)
    observation.updated_at = utcnow()
    if kind == "amend":
        observation.amended_at = utcnow()
    if changes:
        observation.revisions.append(ObservationRevision(editor_id=editor.id, kind=kind, changes=changes))
    photos.store_photos(observation, processed)
    record_event(editor, f"observation.{kind}", observation, fields=sorted(changes), photos_added=len(processed))
    if kind == "amend" and changes and observation.status != ObservationStatus.UNVERIFIED:
        # The reporter changed a verified report: it needs a fresh look.
        record_event(
            editor,
            "observation.verify",
            observation,
            from_status=observation.status,
            to_status=ObservationStatus.UNVERIFIED.value,
            note="amended by the reporter",
        )
        observation.status = ObservationStatus.UNVERIFIED
    db.session.flush()
    alerted = any(signals.send(signals.observation_stored, observation=observation))
    if observation.action in URGENT_ACTIONS and before["action"] not in URGENT_ACTIONS and not alerted:
        alerts.alert_coordinators(observation)
    return changes


# ---------------------------------------------------------------- reading
def can_amend(user: User, observation: Observation, now: datetime | None = None) -> bool:
    if observation.reporter_id != user.id:
        return False
    hours = int(current_app.config["OBSERVATION_AMEND_HOURS"])
    return (now or utcnow()) < observation.created_at + timedelta(hours=hours)


def amend_deadline(observation: Observation) -> datetime:
    return observation.created_at + timedelta(hours=int(current_app.config["OBSERVATION_AMEND_HOURS"]))


def get_visible_observation(user: User, observation_id: int) -> Observation:
    """The report if this user may read it; NotFound otherwise, so guessed ids reveal nothing."""
    observation = db.session.get(Observation, observation_id)
    if observation is None or not (user.is_staff or observation.reporter_id == user.id):
        raise NotFound(_("No such report."))
    return observation


def list_my_observations(user: User, page: int = 1, per_page: int = 20):
    query = (
        select(Observation)
        .where(Observation.reporter_id == user.id)
        .options(selectinload(Observation.photos))
        .order_by(Observation.created_at.desc(), Observation.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def count_unverified() -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(Observation).where(Observation.status == ObservationStatus.UNVERIFIED)
        )
        or 0
    )


def count_mine(user: User) -> int:
    return (
        db.session.scalar(select(func.count()).select_from(Observation).where(Observation.reporter_id == user.id)) or 0
    )
