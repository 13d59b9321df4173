"""Raising an alert, telling people, their answers, and widening the circle when nobody answers.

Every message is queued through the outbox in the caller's transaction (an alert whose report
rolls back tells nobody). Texts carry the courthouse, area, time, action and agent count, never a
name: phones are seized and messages forwarded. Who is going (first names) is on the dispatch
page, behind a login.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from courtwatch.auth.models import AccountStatus, Role, User
from courtwatch.courts.models import Courthouse
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError
from courtwatch.notify.messages import clock_time, external_url, render_email
from courtwatch.notify.preferences import queue_for_crowd, render_sms
from courtwatch.observations.models import ACTION_LABELS, AREA_LABELS, URGENT_ACTIONS, AgentsPresent, Observation
from courtwatch.rapid import oncall
from courtwatch.rapid.models import (
    ETA_PRESETS,
    LAST_LEVEL,
    LEVEL_COUNTY,
    LEVEL_FIRST,
    Alert,
    AlertOptIn,
    AlertRecipient,
    AlertResponse,
    AlertSource,
    ResponseStatus,
    Verification,
)


def _staff_and_responders() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(
                User.status == AccountStatus.ACTIVE, User.role.in_([Role.COORDINATOR, Role.ADMIN, Role.RESPONDER])
            )
        )
    )


def _opted_in(courthouse: Courthouse) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(AlertOptIn, AlertOptIn.user_id == User.id)
            .where(AlertOptIn.courthouse_id == courthouse.id, User.status == AccountStatus.ACTIVE)
        )
    )


def circle(alert: Alert, level: int, now: datetime) -> list[User]:
    """Who a level adds (people already alerted are dropped by ``_tell``)."""
    if level == LEVEL_FIRST:
        return oncall.on_call_for(alert.courthouse, now) + _staff_and_responders()
    if level == LEVEL_COUNTY:
        return oncall.on_call_for(alert.courthouse, now, county_only_elsewhere=True)
    return _opted_in(alert.courthouse)


def _labels(alert: Alert) -> dict:
    return {
        "action": str(ACTION_LABELS.get(alert.action, alert.action)),
        "area": str(AREA_LABELS[alert.area]) if alert.area in AREA_LABELS else _("place not given"),
    }


def compose(kind: str, alert: Alert, locale: str | None, **extra) -> tuple[str, str]:
    """``email/alert.*`` or ``email/alert_update.*``: labels in the recipient's language."""
    with force_locale(locale or "en"):
        labels = _labels(alert)
        if "verification" in extra and extra["verification"]:
            extra["verification"] = str(Verification(extra["verification"]).label)
    return render_email(kind, locale, alert=alert, **labels, **extra)


def dispatch_link(alert: Alert) -> str:
    return external_url("rapid.dispatch", alert_id=alert.id)


def _sms_text(alert: Alert, locale: str | None) -> str:
    """ "Courtwatch: agents reported at <courthouse>, <area>, <time>. <link>": no names, a login link."""
    with force_locale(locale or "en"):
        labels = _labels(alert)
        time = clock_time(alert.raised_at, alert.courthouse.zone)
    courthouse = alert.courthouse.short_name or alert.courthouse.name
    return render_sms("alert", locale, courthouse=courthouse, area=labels["area"], time=time, link=dispatch_link(alert))


def report_link(alert: Alert) -> str | None:
    """The report behind an alert, for coordinators: the alert is their one message about it."""
    if alert.observation_id is None:
        return None
    return external_url("observations.detail", observation_id=alert.observation_id)


class _Texts:
    """An alert's texts, rendered once per language (and once more for coordinators, whose email
    also links the report): they carry no names, so 1,000 people need two or three renderings,
    not 1,000."""

    def __init__(self, alert: Alert, kind: str = "alert", **extra) -> None:
        self.alert, self.kind, self.extra = alert, kind, extra
        self._cache: dict[tuple, tuple[str, str, str | None]] = {}

    def for_person(self, person: User) -> tuple[str, str, str | None]:
        staff = person.is_staff and self.kind == "alert"
        key = (person.locale, staff)
        if key not in self._cache:
            extra = dict(self.extra, report_link=report_link(self.alert) if staff else None)
            subject, body = compose(self.kind, self.alert, person.locale, **extra)
            sms = _sms_text(self.alert, person.locale) if self.kind == "alert" else None
            self._cache[key] = (subject, body, sms)
        return self._cache[key]


def _tell(alert: Alert, people: list[User], level: int, now: datetime) -> int:
    already = {r.user_id for r in alert.recipients}
    newcomers = []
    for person in people:
        if person.id not in already:
            already.add(person.id)
            newcomers.append(person)
    for person in newcomers:
        alert.recipients.append(AlertRecipient(user_id=person.id, level=level, alerted_at=now))
    db.session.flush()
    # No dedupe look-ups: the escalation locks the alert, a new alert has no messages yet, and
    # people already told were dropped above, so none of these keys can exist.
    queue_for_crowd(
        newcomers,
        "alert",
        _Texts(alert).for_person,
        link=dispatch_link(alert),
        dedupe_prefix=f"alert:{alert.id}",
        urgent=True,
    )
    return len(newcomers)


def raise_alert(
    courthouse: Courthouse,
    *,
    action: str,
    area: str | None = None,
    agent_count: int | None = None,
    observation: Observation | None = None,
    now: datetime | None = None,
) -> Alert:
    now = now or utcnow()
    alert = Alert(
        courthouse=courthouse,
        observation_id=observation.id if observation else None,
        source=AlertSource.REPORT if observation else AlertSource.BUTTON,
        area=area,
        action=action,
        agent_count=agent_count,
        raised_at=now,
        level=LEVEL_FIRST,
        level_since=now,
    )
    db.session.add(alert)
    db.session.flush()
    _tell(alert, circle(alert, LEVEL_FIRST, now), LEVEL_FIRST, now)
    return alert


def alert_from_report(observation: Observation) -> Alert | None:
    """An alert for a stored report with agents present and an (attempted) arrest; once per report."""
    if observation.agents_present != AgentsPresent.YES or observation.action not in URGENT_ACTIONS:
        return None
    if db.session.scalar(select(Alert.id).where(Alert.observation_id == observation.id)):
        return None
    return raise_alert(
        observation.courthouse,
        action=observation.action,
        area=observation.area,
        agent_count=observation.agent_count,
        observation=observation,
    )


def alert_covers(observation: Observation) -> bool:
    return db.session.scalar(select(Alert.id).where(Alert.observation_id == observation.id)) is not None


# ---------------------------------------------------------------- the dispatch page's actions
def can_see(user: User, alert: Alert) -> bool:
    return user.is_staff or any(r.user_id == user.id for r in alert.recipients)


def _broadcast(alert: Alert, event: str, **extra) -> None:
    """An update to everyone alerted so far (no names: counts only)."""
    going = sum(1 for r in alert.responses if r.status == ResponseStatus.GOING)
    on_scene = sum(1 for r in alert.responses if r.status == ResponseStatus.ON_SCENE)
    people = list(db.session.scalars(select(User).where(User.id.in_([r.user_id for r in alert.recipients]))))
    texts = _Texts(alert, "alert_update", event=event, going=going, on_scene=on_scene, **extra)
    queue_for_crowd(people, "alert", texts.for_person, link=dispatch_link(alert), urgent=True)


def respond(user: User, alert: Alert, status: str, eta_minutes: int | None = None, now: datetime | None = None):
    if not can_see(user, alert):
        raise DomainError(_("You were not alerted about this."))
    if alert.stood_down_at is not None:
        raise DomainError(_("This alert was stood down."))
    if status not in ResponseStatus.labels():
        raise DomainError(_("Choose going or on scene."))
    if status == ResponseStatus.GOING and eta_minutes not in ETA_PRESETS:
        raise DomainError(_("Choose when you will be there."), field="eta")
    response = next((r for r in alert.responses if r.user_id == user.id), None)
    if response is None:
        response = AlertResponse(user_id=user.id)
        alert.responses.append(response)
    response.status = status
    response.eta_minutes = eta_minutes if status == ResponseStatus.GOING else None
    response.updated_at = now or utcnow()
    db.session.flush()
    _broadcast(alert, status, eta=response.eta_minutes)


def stand_down(user: User, alert: Alert, now: datetime | None = None) -> None:
    if not user.is_staff:
        raise DomainError(_("Only coordinators can stand an alert down."))
    if alert.stood_down_at is None:
        alert.stood_down_at = now or utcnow()
        db.session.flush()
        _broadcast(alert, "stand_down")


def verify(user: User, alert: Alert, result: str, now: datetime | None = None) -> None:
    if not user.is_staff:
        raise DomainError(_("Only coordinators can record what was verified."))
    if result not in Verification.labels():
        raise DomainError(_("Choose confirmed, false alarm or unable to verify."), field="result")
    alert.verification = result
    alert.verified_at = now or utcnow()
    db.session.flush()
    _broadcast(alert, "verified", verification=result)


# ---------------------------------------------------------------- escalation
def escalate_due(now: datetime | None = None) -> int:
    """Widen every open alert nobody answered within ALERT_ESCALATION_MINUTES; how many widened."""
    now = now or utcnow()
    wait = timedelta(minutes=int(current_app.config["ALERT_ESCALATION_MINUTES"]))
    open_alerts = db.session.scalars(
        select(Alert)
        .where(Alert.stood_down_at.is_(None), Alert.level < LAST_LEVEL, Alert.level_since <= now - wait)
        .order_by(Alert.id)
        .with_for_update(skip_locked=True, of=Alert)
    ).all()
    widened = 0
    for alert in open_alerts:
        if any(r.status in (ResponseStatus.GOING, ResponseStatus.ON_SCENE) for r in alert.responses):
            continue
        # Skip a level that adds nobody, so an empty county does not cost another N minutes.
        for level in range(alert.level + 1, LAST_LEVEL + 1):
            alert.level, alert.level_since = level, now
            if _tell(alert, circle(alert, level, now), level, now):
                break
        widened += 1
    return widened
