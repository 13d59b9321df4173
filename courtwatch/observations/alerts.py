"""The urgent notice coordinators get when a report describes an arrest or an attempted arrest.

Coordinators may need to send people to the courthouse or call a lawyer within minutes, so the
message is queued as urgent for every active coordinator and admin in the same transaction as
the report. It names the courthouse, the place in it and the local time, and links to the
report. It never names the reporter (mailboxes are forwarded, phones are seized) and never
carries the narrative, which may describe the targeted person.
"""

from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import select

from courtwatch.auth.models import AccountStatus, Role, User
from courtwatch.db import db
from courtwatch.notify.messages import render_email
from courtwatch.notify.services import queue_email
from courtwatch.observations.models import ACTION_LABELS, AREA_LABELS, Observation


def _recipients() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_([Role.COORDINATOR, Role.ADMIN]), User.status == AccountStatus.ACTIVE)
            .order_by(User.id)
        )
    )


def compose_alert(observation: Observation, locale: str | None) -> tuple[str, str]:
    """``templates/email/observation_alert.*``: what, where and when, never who or the narrative."""
    with force_locale(locale or "en"):
        action = str(ACTION_LABELS[observation.action])
        place = ", ".join(
            p for p in (str(AREA_LABELS[observation.area]) if observation.area else "", observation.courtroom) if p
        )
    return render_email("observation_alert", locale, observation=observation, action=action, place=place)


def alert_coordinators(observation: Observation) -> int:
    """Queue one urgent message per coordinator/admin; each at most once per report."""
    queued = 0
    for person in _recipients():
        subject, body = compose_alert(observation, person.locale)
        if queue_email(
            person.email, subject, body, urgent=True, dedupe_key=f"observation-alert:{observation.id}:{person.id}"
        ):
            queued += 1
    return queued
