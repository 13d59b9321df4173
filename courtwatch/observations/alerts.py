"""The urgent notice coordinators get when a report describes an arrest or an attempted arrest.

Coordinators may need to send people to the courthouse or call a lawyer within minutes, so the
message is queued as urgent for every active coordinator and admin in the same transaction as
the report. It names the courthouse, the place in it and the local time, and links to the
report. It never names the reporter (mailboxes are forwarded, phones are seized) and never
carries the narrative, which may describe the targeted person.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from courtwatch.auth.models import AccountStatus, Role, User
from courtwatch.db import db
from courtwatch.notify.services import queue_email
from courtwatch.observations.models import ACTION_LABELS, AREA_LABELS, Observation


def _recipients() -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.role.in_([Role.COORDINATOR, Role.ADMIN]),
                           User.status == AccountStatus.ACTIVE).order_by(User.id)))


def _message(observation: Observation) -> tuple[str, str]:
    courthouse = observation.courthouse
    local = courthouse.local(observation.observed_at)
    action = str(ACTION_LABELS[observation.action])
    place = ", ".join(p for p in (str(AREA_LABELS[observation.area]) if observation.area else "",
                                  observation.courtroom) if p) or _("place not given")
    when = local.strftime("%Y-%m-%d %H:%M")
    subject = _("URGENT: %(action)s at %(court)s, %(time)s", action=action, court=courthouse.short_name
                or courthouse.name, time=local.strftime("%H:%M"))
    link = f"{current_app.config['BASE_URL'].rstrip('/')}/observations/{observation.id}"
    lines = [
        _("A volunteer reported: %(action)s.", action=action),
        "",
        _("Courthouse: %(name)s", name=courthouse.name),
        _("Address: %(address)s", address=courthouse.address_line),
        _("Where: %(place)s", place=place),
        _("When: %(when)s (%(zone)s)", when=when, zone=courthouse.timezone),
    ]
    if observation.agent_count:
        lines.append(_("Agents seen: %(n)d", n=observation.agent_count))
    lines += ["", _("Open the report (log in first): %(link)s", link=link), "",
              _("This message does not name the reporter on purpose. Do not forward it outside "
                "the coordination team.")]
    return subject, "\n".join(lines)


def alert_coordinators(observation: Observation) -> int:
    """Queue one urgent message per coordinator/admin; each at most once per report."""
    queued = 0
    for person in _recipients():
        with force_locale(person.locale or "en"):
            subject, body = _message(observation)
        if queue_email(person.email, subject, body, urgent=True,
                       dedupe_key=f"observation-alert:{observation.id}:{person.id}"):
            queued += 1
    return queued
