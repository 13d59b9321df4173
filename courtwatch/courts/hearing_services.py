"""Hearing rules shared by every way a hearing changes (imports, coordinators' edits).

Other areas react to hearing changes through the ``hearing_changed`` signal (the shifts area
moves or cancels the accompaniment shift and tells its volunteers), so this module never imports
them. Receivers run inside the same transaction as the change, after it is flushed.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from courtwatch import signals
from courtwatch.courts.hearing_models import AccompanimentRequest, Hearing, HearingChange, HearingStatus
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.privacy.services import record_event


def notify_hearing_hooks(hearing: Hearing, event: str, change: HearingChange | None = None) -> None:
    """Send ``hearing_changed`` (events listed in ``courtwatch.signals``) once the change is flushed."""
    db.session.flush()
    signals.send(signals.hearing_changed, hearing=hearing, event=event, change=change)


def get_hearing(hearing_id: int) -> Hearing:
    hearing = db.session.get(Hearing, hearing_id)
    if hearing is None:
        raise NotFound(_("No such hearing."))
    return hearing


# ---------------------------------------------------------------- browsing and accompaniment
# (coordinators only; see hearing_views). The accompaniment request never enters an audit
# detail, a log line or a hook payload: events name the hearing, not the person.
DAY_LIMIT = 500
REQUEST_LIMITS = {"person_label": 60, "language": 60, "meeting_notes": 2000, "private_notes": 4000}


def hearings_on_day(courthouse, day) -> list[Hearing]:
    """The courthouse's hearings on a local calendar day (bounded)."""
    start = datetime.combine(day, time(0), tzinfo=courthouse.zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=courthouse.zone)
    query = (select(Hearing).where(Hearing.courthouse_id == courthouse.id, Hearing.starts_at >= start,
                                   Hearing.starts_at < end)
             .order_by(Hearing.starts_at, Hearing.courtroom, Hearing.id).limit(DAY_LIMIT))
    return list(db.session.scalars(query))


def next_scheduled_hearing(courthouse_id: int | None = None, *, after: datetime | None = None) -> Hearing | None:
    """The soonest scheduled hearing from now on, so the hearings page opens where there is work."""
    query = (select(Hearing).where(Hearing.status == HearingStatus.SCHEDULED,
                                   Hearing.starts_at >= (after or utcnow()))
             .order_by(Hearing.starts_at, Hearing.id).limit(1))
    if courthouse_id is not None:
        query = query.where(Hearing.courthouse_id == courthouse_id)
    return db.session.scalar(query)


def hearing_history(hearing: Hearing) -> list[HearingChange]:
    return list(db.session.scalars(select(HearingChange).where(HearingChange.hearing_id == hearing.id)
                                   .order_by(HearingChange.id.desc()).limit(50)))


def set_accompaniment_needed(actor, hearing: Hearing, needed: bool) -> None:
    if hearing.needs_accompaniment == needed:
        return
    if needed and hearing.is_cancelled:
        raise DomainError(_("This hearing is cancelled."))
    hearing.needs_accompaniment = needed
    record_event(actor, "hearing.accompaniment_needed" if needed else "hearing.accompaniment_not_needed", hearing)
    notify_hearing_hooks(hearing, "accompaniment_needed" if needed else "accompaniment_not_needed")


def accompaniment_purge_after(hearing: Hearing):
    return hearing.starts_at + timedelta(days=int(current_app.config["ACCOMPANIMENT_PURGE_DAYS"]))


def save_accompaniment_request(actor, hearing: Hearing, *, person_label: str, language: str = "",
                               interpreter_booked: bool = False, meeting_notes: str = "",
                               private_notes: str = "") -> AccompanimentRequest:
    values = {"person_label": (person_label or "").strip(), "language": (language or "").strip(),
              "meeting_notes": (meeting_notes or "").strip(), "private_notes": (private_notes or "").strip()}
    if not values["person_label"]:
        raise DomainError(_("Give a first name or initials."), field="person_label")
    for name, limit in REQUEST_LIMITS.items():
        if len(values[name]) > limit:
            raise DomainError(_("Keep this under %(limit)s characters.", limit=limit), field=name)
    request_row = hearing.accompaniment_request
    created = request_row is None
    if created:
        request_row = AccompanimentRequest(hearing_id=hearing.id, purge_after=accompaniment_purge_after(hearing))
        hearing.accompaniment_request = request_row
    for name, value in values.items():
        setattr(request_row, name, value)
    request_row.interpreter_booked = bool(interpreter_booked)
    request_row.purge_after = accompaniment_purge_after(hearing)
    db.session.flush()
    record_event(actor, "accompaniment_request.created" if created else "accompaniment_request.updated",
                 object_type="accompaniment_request", object_id=request_row.id, hearing=hearing.id)
    if not hearing.needs_accompaniment and not hearing.is_cancelled:
        set_accompaniment_needed(actor, hearing, True)
    return request_row


def delete_accompaniment_request(actor, hearing: Hearing) -> None:
    request_row = hearing.accompaniment_request
    if request_row is None:
        return
    record_event(actor, "accompaniment_request.deleted", object_type="accompaniment_request",
                 object_id=request_row.id, hearing=hearing.id)
    hearing.accompaniment_request = None
    db.session.flush()
