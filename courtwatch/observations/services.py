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

"Nothing observed" with other fields filled in is refused until the volunteer confirms
(``NothingObservedConflict``): a stray tap must not turn a half-typed arrest report into a
quiet-day report. Once confirmed, everything else is cleared, so what is stored is one
consistent story; whether coordinators are alerted is decided from what was stored.

Fields that do not apply are cleared here, not only hidden by the page: a report saying "no
agents" never carries an agency, and a sighting never carries a warrant type. The statistics
can then trust every column.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from courtwatch.auth.models import User
from courtwatch.courts.models import Courthouse, CourtType
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.observations import alerts, photos
from courtwatch.observations.models import (
    URGENT_ACTIONS,
    Action,
    Agency,
    AgentsPresent,
    Area,
    Attire,
    Observation,
    ObservationAgency,
    ObservationRevision,
    ObservationStatus,
    TargetRole,
    Warrant,
    YesNoUnknown,
)
from courtwatch.privacy.services import record_event

# How far back a report may be dated: late reports are fine, last year's are a typo.
MAX_AGE_DAYS = 90
# Phones' clocks drift; a report dated a few minutes ahead is not a mistake worth a message.
FUTURE_SLACK = timedelta(minutes=15)
MIN_URGENT_NARRATIVE = 20

AGENT_DETAIL_FIELDS = (
    "agent_count",
    "agencies",
    "attire",
    "markings",
    "badges_seen",
    "vehicles",
    "identified_themselves",
)
ARREST_DETAIL_FIELDS = ("target_role", "warrant", "force_used")
# Every field a report holds, in the order forms and revisions use them.
CONTENT_FIELDS = (
    "courthouse_id",
    "shift_id",
    "observed_at",
    "courtroom",
    "area",
    "court_type",
    "agents_present",
    *AGENT_DETAIL_FIELDS,
    "action",
    *ARREST_DETAIL_FIELDS,
    "court_staff_involvement",
    "narrative",
    "nothing_observed",
)
_CHOICES = {
    "area": Area,
    "court_type": CourtType,
    "agents_present": AgentsPresent,
    "attire": Attire,
    "identified_themselves": YesNoUnknown,
    "action": Action,
    "target_role": TargetRole,
    "warrant": Warrant,
    "force_used": YesNoUnknown,
}
_TEXT_LIMITS = {
    "courtroom": 100,
    "markings": 500,
    "badges_seen": 500,
    "vehicles": 2000,
    "court_staff_involvement": 2000,
    "narrative": 10000,
}


class InvalidReport(DomainError):
    """Several problems at once, so the form can show each next to its field."""

    def __init__(self, errors: list[DomainError]):
        super().__init__(errors[0].message, errors[0].field)
        self.errors = errors


class NothingObservedConflict(DomainError):
    """ "Nothing observed" was chosen while the form says something was observed."""

    def __init__(self, filled: list[str]):
        things = (
            filled[0]
            if len(filled) == 1
            else _("%(first)s and %(last)s", first=", ".join(filled[:-1]), last=filled[-1])
        )
        super().__init__(
            _("You filled in %(things)s. Send as nothing observed and lose them?", things=things),
            field="nothing_observed",
        )
        self.filled = filled


class IdempotencyConflict(DomainError):
    """The key was used before for a report with different content."""

    def __init__(self, message: str, observation: Observation):
        super().__init__(message)
        self.observation = observation


# ---------------------------------------------------------------- normalising and rules
OBSERVED_TEXT_FIELDS = ("markings", "badges_seen", "vehicles", "court_staff_involvement", "narrative")


def filled_beyond_nothing(raw: dict[str, Any]) -> list[str]:
    """What a "nothing observed" send would throw away, in words for the confirmation question."""
    filled = []
    agents = (
        raw.get("agents_present") in (AgentsPresent.YES, AgentsPresent.UNSURE)
        or raw.get("agent_count")
        or raw.get("agencies")
        or raw.get("attire")
        or raw.get("identified_themselves")
    )
    if agents:
        filled.append(_("agents"))
    action = raw.get("action")
    if action == Action.ARREST:
        filled.append(_("an arrest"))
    elif action == Action.ATTEMPTED_ARREST:
        filled.append(_("an attempted arrest"))
    elif action == Action.SIGHTING:
        filled.append(_("a sighting"))
    if any(_text(raw.get(name)) for name in OBSERVED_TEXT_FIELDS):
        filled.append(_("a description"))
    return filled


def _text(value: Any) -> str:
    return str(value or "").replace("\r\n", "\n").strip()


def normalise_values(raw: dict[str, Any], courthouse: Courthouse | None) -> dict[str, Any]:
    """The report as stored: strings trimmed, inapplicable fields cleared, time in UTC."""
    values: dict[str, Any] = {name: raw.get(name) for name in CONTENT_FIELDS}
    for name in _TEXT_LIMITS:
        values[name] = _text(values[name])
    for name in _CHOICES:
        values[name] = values[name] or None
    values["agencies"] = sorted(set(raw.get("agencies") or []))
    values["nothing_observed"] = bool(values["nothing_observed"])
    observed = raw.get("observed_local")
    if observed is not None and courthouse is not None:
        values["observed_at"] = observed.replace(tzinfo=courthouse.zone).astimezone(UTC)
    if values["nothing_observed"]:
        values.update(
            agents_present=AgentsPresent.NO.value,
            action=Action.NONE.value,
            **{name: "" for name in OBSERVED_TEXT_FIELDS},
        )
    if values["agents_present"] == AgentsPresent.NO:
        values.update(
            agent_count=None,
            agencies=[],
            attire=None,
            markings="",
            badges_seen="",
            vehicles="",
            identified_themselves=None,
        )
    if values["action"] not in URGENT_ACTIONS:
        values.update(target_role=None, warrant=None, force_used=None)
    return values


def rule_errors(
    values: dict[str, Any], courthouse: Courthouse | None, now: datetime | None = None
) -> list[DomainError]:
    """Every problem with a normalised report, each naming its field (forms show them all)."""
    errors: list[DomainError] = []
    if courthouse is None:
        errors.append(DomainError(_("Choose the courthouse."), field="courthouse_id"))
    errors += _time_errors(values.get("observed_at"), now or utcnow())
    errors += _form_errors(values)
    if not values.get("nothing_observed"):
        errors += _sighting_errors(values)
    return errors


def _time_errors(observed_at: datetime | None, now: datetime) -> list[DomainError]:
    if observed_at is None:
        return [DomainError(_("Enter the date and time you saw this."), field="observed_time")]
    if observed_at > now + FUTURE_SLACK:
        return [DomainError(_("This time is in the future. Enter when you saw it."), field="observed_time")]
    if observed_at < now - timedelta(days=MAX_AGE_DAYS):
        return [
            DomainError(
                _("Reports can be filed up to %(days)d days later. Check the date.", days=MAX_AGE_DAYS),
                field="observed_date",
            )
        ]
    return []


def _form_errors(values: dict[str, Any]) -> list[DomainError]:
    """Answers outside the offered choices and texts over their limits (a tampered form)."""
    errors = [
        DomainError(_("Choose one of the options."), field=name)
        for name, enum in _CHOICES.items()
        if values.get(name) is not None and values[name] not in set(enum)
    ]
    if any(agency not in set(Agency) for agency in values.get("agencies") or []):
        errors.append(DomainError(_("Choose one of the options."), field="agencies"))
    errors += [
        DomainError(_("At most %(n)d characters.", n=limit), field=name)
        for name, limit in _TEXT_LIMITS.items()
        if len(values.get(name) or "") > limit
    ]
    return errors


def _sighting_errors(values: dict[str, Any]) -> list[DomainError]:
    """What a report of something seen must say; an arrest or attempt must say more."""
    errors: list[DomainError] = []
    if not values.get("agents_present"):
        errors.append(
            DomainError(_("Say whether you saw immigration agents (yes, no or unsure)."), field="agents_present")
        )
    if not values.get("action"):
        errors.append(DomainError(_("Choose what happened (or None)."), field="action"))
    elif values["action"] != Action.NONE and values.get("agents_present") == AgentsPresent.NO:
        errors.append(
            DomainError(
                _("You reported a sighting or an arrest: were agents present (yes or unsure)?"), field="agents_present"
            )
        )
    count = values.get("agent_count")
    if count is not None and not 1 <= count <= 200:
        errors.append(DomainError(_("Enter a number of agents between 1 and 200."), field="agent_count"))
    if values.get("action") in URGENT_ACTIONS:
        if not values.get("target_role"):
            errors.append(DomainError(_("Choose the targeted person's role (or Unknown)."), field="target_role"))
        if not values.get("warrant"):
            errors.append(DomainError(_("Choose which warrant was shown (or Unknown)."), field="warrant"))
        if len(values.get("narrative") or "") < MIN_URGENT_NARRATIVE:
            errors.append(
                DomainError(
                    _("Describe what you saw yourself: how many, what they did, where, uniforms, time, equipment."),
                    field="narrative",
                )
            )
    return errors


def content_hash(values: dict[str, Any]) -> str:
    canonical = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items()}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str).encode()).hexdigest()


def _courthouse(courthouse_id) -> Courthouse | None:
    if not courthouse_id:
        return None
    courthouse = db.session.get(Courthouse, int(courthouse_id))
    return courthouse if courthouse is not None and courthouse.active else None


def _valid_shift_id(shift_id, courthouse: Courthouse | None) -> int | None:
    """A shift link is kept only when it is a shift at the chosen courthouse (else dropped)."""
    if not shift_id or courthouse is None:
        return None
    try:
        from courtwatch.shifts.models import Shift
    except ImportError:  # the shifts area is optional for this one
        return None
    shift = db.session.get(Shift, int(shift_id))
    return shift.id if shift is not None and shift.courthouse_id == courthouse.id else None


def prepare(
    raw: dict[str, Any], now: datetime | None = None
) -> tuple[dict[str, Any], Courthouse | None, list[DomainError]]:
    """Normalise a submission and list its problems, without writing anything."""
    courthouse = _courthouse(raw.get("courthouse_id"))
    values = normalise_values(raw, courthouse)
    values["courthouse_id"] = courthouse.id if courthouse else None
    values["shift_id"] = _valid_shift_id(raw.get("shift_id"), courthouse)
    return values, courthouse, rule_errors(values, courthouse, now)


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
    if observation.action in URGENT_ACTIONS:  # what was stored, not what the form said
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
    if observation.action in URGENT_ACTIONS and before["action"] not in URGENT_ACTIONS:
        alerts.alert_coordinators(observation)
    db.session.flush()
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
