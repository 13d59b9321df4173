"""What a report must say, and the report as stored: normalising and the rules.

Pure checks, no writes: ``prepare`` turns a submission into the stored values and lists every
problem, each naming its field, so the web form, the API and the demo data share one set of
rules. ``services`` writes what these functions accept.

"Nothing observed" with other fields filled in is refused until the volunteer confirms
(``NothingObservedConflict``): a stray tap must not turn a half-typed arrest report into a
quiet-day report. Once confirmed, everything else is cleared, so what is stored is one
consistent story.

Fields that do not apply are cleared here, not only hidden by the page: a report saying "no
agents" never carries an agency, and a sighting never carries a warrant type. The statistics
can then trust every column.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import gettext as _

from courtwatch.courts.models import Courthouse, CourtType
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError
from courtwatch.observations.models import (
    URGENT_ACTIONS,
    Action,
    Agency,
    AgentsPresent,
    Area,
    Attire,
    TargetRole,
    Warrant,
    YesNoUnknown,
)

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
