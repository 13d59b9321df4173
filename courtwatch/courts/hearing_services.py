"""Hearing rules shared by every way a hearing changes (imports, coordinators' edits).

Other areas react to hearing changes through the ``hearing_changed`` signal (the shifts area
moves or cancels the accompaniment shift and tells its volunteers), so this module never imports
them. Receivers run inside the same transaction as the change, after it is flushed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from courtwatch import signals
from courtwatch.courts.hearing_models import AccompanimentRequest, Hearing, HearingChange, HearingStatus
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.privacy.keys import new_data_key_row, seal
from courtwatch.privacy.models import AuditEvent
from courtwatch.privacy.services import record_event


def notify_hearing_hooks(hearing: Hearing, event: str, change: HearingChange | None = None) -> None:
    """Send ``hearing_changed`` (events listed in ``courtwatch.signals``) once the change is flushed."""
    db.session.flush()
    signals.send(signals.hearing_changed, hearing=hearing, event=event, change=change)


# ---------------------------------------------------------------- hearing state
# The one place that changes a hearing's state (cancel, move, reinstate) and its purge date:
# imports and coordinators' edits both call these, so the rules are written once.
def accompaniment_purge_after(hearing: Hearing):
    """Accompanied people's details go this many days after the hearing."""
    return hearing.starts_at + timedelta(days=int(current_app.config["ACCOMPANIMENT_PURGE_DAYS"]))


def hearing_is_past(hearing: Hearing, now: datetime | None = None) -> bool:
    """Over by now: history only (a date-only hearing is past once its local day is over)."""
    end = hearing.starts_at + timedelta(days=1) if hearing.all_day else hearing.starts_at
    return end < (now or utcnow())


def _record_change(hearing: Hearing, kind: str, old_value: str, new_value: str) -> HearingChange:
    change = HearingChange(hearing_id=hearing.id, kind=kind, old_value=old_value[:200], new_value=new_value[:200])
    db.session.add(change)
    notify_hearing_hooks(hearing, kind, change)
    return change


def cancel_hearing(hearing: Hearing) -> None:
    if hearing.status == HearingStatus.CANCELLED:
        return
    hearing.status = HearingStatus.CANCELLED
    hearing.cancelled_at = utcnow()
    _record_change(hearing, "cancelled", HearingStatus.SCHEDULED, HearingStatus.CANCELLED)


def reinstate_hearing(hearing: Hearing) -> None:
    if hearing.status != HearingStatus.CANCELLED:
        return
    hearing.status = HearingStatus.SCHEDULED
    hearing.cancelled_at = None
    _record_change(hearing, "reinstated", HearingStatus.CANCELLED, HearingStatus.SCHEDULED)


def move_hearing(hearing: Hearing, old_starts_at: datetime) -> None:
    """The hearing's starts_at was set to a new time: move the purge date and tell the hooks."""
    if hearing.accompaniment_request is not None:
        hearing.accompaniment_request.purge_after = accompaniment_purge_after(hearing)
    _record_change(hearing, "moved", old_starts_at.isoformat(), hearing.starts_at.isoformat())


def change_hearing_room(hearing: Hearing, old_room: str) -> None:
    _record_change(hearing, "room_changed", old_room or "", hearing.courtroom or "")


def set_hearing_time(actor, hearing: Hearing, local_time: time) -> None:
    """A coordinator gives a "time unknown" hearing (or any hearing) its time, in the courthouse's zone."""
    local_day = hearing.courthouse.local(hearing.starts_at).date()
    old = hearing.starts_at
    hearing.starts_at = datetime.combine(local_day, local_time, tzinfo=hearing.courthouse.zone).astimezone(UTC)
    hearing.all_day = False
    if hearing.ends_at is not None and hearing.ends_at <= hearing.starts_at:
        hearing.ends_at = None
    record_event(actor, "hearing.time_set", hearing)
    move_hearing(hearing, old)


def get_hearing(hearing_id: int) -> Hearing:
    hearing = db.session.get(Hearing, hearing_id)
    if hearing is None:
        raise NotFound(_("No such hearing."))
    return hearing


# ---------------------------------------------------------------- browsing and accompaniment
# (coordinators only; see hearing_views). The accompaniment request never enters an audit
# detail, a log line or a hook payload: events name the hearing, not the person.
DAY_LIMIT = 500
REQUEST_LIMITS = {"person_label": 60, "language": 60, "meeting_notes": 2000, "private_notes": 4000, "contact": 200}
# "Maria", "José-Luis", "O'Neil" (one word of up to 20 letters) or initials: "J. K.", "JK", "J.K.".
PERSON_LABEL = re.compile(r"^(?:[^\W\d_](?:[^\W\d_]|['’-]){0,19}|(?:[^\W\d_]\.?\s?){1,3})$")


def person_label_problem(label: str) -> str | None:
    """Why a label is more than a first name or initials (None when it is fine)."""
    if any(ch.isdigit() for ch in label):
        return _("No numbers here: not an A-number, case number or phone number. A first name or initials only.")
    if not PERSON_LABEL.match(label) or sum(ch.isalpha() for ch in label) > 20:
        return _("Only a first name (one word) or initials, such as \u201cMaria\u201d or \u201cJ. K.\u201d.")
    return None


def sealed_hearing_columns(title: str, case_number: str, notes: str) -> dict:
    """Column values for a hearing written in bulk (imports): a new data key and the sealed fields."""
    if not (title or case_number or notes):
        return {
            "data_key": None,
            "data_key_id": None,
            "sealed_title": None,
            "sealed_case_number": None,
            "sealed_notes": None,
        }
    key = new_data_key_row()
    return {
        "data_key": key,
        "data_key_id": key["id"],
        "sealed_title": seal(key["id"], "hearing.title", title, key["wrapped"]),
        "sealed_case_number": seal(key["id"], "hearing.case_number", case_number, key["wrapped"]),
        "sealed_notes": seal(key["id"], "hearing.notes", notes, key["wrapped"]),
    }


def hearings_on_day(courthouse, day) -> list[Hearing]:
    """The courthouse's hearings on a local calendar day (bounded)."""
    start = datetime.combine(day, time(0), tzinfo=courthouse.zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=courthouse.zone)
    query = (
        select(Hearing)
        .where(Hearing.courthouse_id == courthouse.id, Hearing.starts_at >= start, Hearing.starts_at < end)
        .order_by(Hearing.starts_at, Hearing.courtroom, Hearing.id)
        .limit(DAY_LIMIT)
    )
    return list(db.session.scalars(query))


def next_scheduled_hearing(courthouse_id: int | None = None, *, after: datetime | None = None) -> Hearing | None:
    """The soonest scheduled hearing from now on, so the hearings page opens where there is work."""
    query = (
        select(Hearing)
        .where(Hearing.status == HearingStatus.SCHEDULED, Hearing.starts_at >= (after or utcnow()))
        .order_by(Hearing.starts_at, Hearing.id)
        .limit(1)
    )
    if courthouse_id is not None:
        query = query.where(Hearing.courthouse_id == courthouse_id)
    return db.session.scalar(query)


def hearing_history(hearing: Hearing) -> list[HearingChange]:
    return list(
        db.session.scalars(
            select(HearingChange)
            .where(HearingChange.hearing_id == hearing.id)
            .order_by(HearingChange.id.desc())
            .limit(50)
        )
    )


def set_accompaniment_needed(actor, hearing: Hearing, needed: bool) -> None:
    if hearing.needs_accompaniment == needed:
        return
    if needed and hearing.is_cancelled:
        raise DomainError(_("This hearing is cancelled."))
    if needed and hearing_is_past(hearing):
        raise DomainError(_("This hearing is in the past: it is kept as history only."))
    hearing.needs_accompaniment = needed
    record_event(actor, "hearing.accompaniment_needed" if needed else "hearing.accompaniment_not_needed", hearing)
    notify_hearing_hooks(hearing, "accompaniment_needed" if needed else "accompaniment_not_needed")


def save_accompaniment_request(
    actor,
    hearing: Hearing,
    *,
    person_label: str,
    language: str = "",
    interpreter_booked: bool = False,
    meeting_notes: str = "",
    private_notes: str = "",
    contact: str = "",
) -> AccompanimentRequest:
    values = {
        "person_label": " ".join((person_label or "").split()),
        "language": (language or "").strip(),
        "meeting_notes": (meeting_notes or "").strip(),
        "private_notes": (private_notes or "").strip(),
        "contact": (contact or "").strip(),
    }
    if not values["person_label"]:
        raise DomainError(_("Give a first name or initials."), field="person_label")
    for name, limit in REQUEST_LIMITS.items():
        if len(values[name]) > limit:
            raise DomainError(_("Keep this under %(limit)s characters.", limit=limit), field=name)
    problem = person_label_problem(values["person_label"])
    if problem:
        raise DomainError(problem, field="person_label")
    request_row = hearing.accompaniment_request
    created = request_row is None
    if created:
        request_row = AccompanimentRequest(hearing=hearing, purge_after=accompaniment_purge_after(hearing))
        db.session.add(request_row)
    for name, value in values.items():
        setattr(request_row, name, value)
    request_row.interpreter_booked = bool(interpreter_booked)
    request_row.purge_after = accompaniment_purge_after(hearing)
    db.session.flush()
    record_event(
        actor,
        "accompaniment_request.created" if created else "accompaniment_request.updated",
        object_type="accompaniment_request",
        object_id=request_row.id,
        hearing=hearing.id,
    )
    if not hearing.needs_accompaniment and not hearing.is_cancelled:
        set_accompaniment_needed(actor, hearing, True)
    # The language asked for travels to the shift ("Needs my language"); the hook carries no name.
    notify_hearing_hooks(hearing, "request_saved")
    return request_row


# ---------------------------------------------------------------- openings of a person's details
# Every time anyone (a volunteer who goes, a coordinator) is shown an accompanied person's
# details, the audit trail gets a row naming who and when; coordinators see the list on the request.
DETAILS_OPENED = "accompaniment.details_opened"
OPENINGS_SHOWN = 100


def record_details_opened(actor, hearing: Hearing, **detail) -> None:
    record_event(actor, DETAILS_OPENED, object_type="hearing", object_id=hearing.id, **detail)


def details_openings(hearing: Hearing) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.action == DETAILS_OPENED,
                AuditEvent.object_type == "hearing",
                AuditEvent.object_id == hearing.id,
            )
            .order_by(AuditEvent.id.desc())
            .limit(OPENINGS_SHOWN)
        )
    )


def has_opened_details(user_id: int, hearing_id: int) -> bool:
    return (
        db.session.scalar(
            select(AuditEvent.id)
            .where(
                AuditEvent.action == DETAILS_OPENED,
                AuditEvent.actor_id == user_id,
                AuditEvent.object_type == "hearing",
                AuditEvent.object_id == hearing_id,
            )
            .limit(1)
        )
        is not None
    )


def delete_accompaniment_request(actor, hearing: Hearing) -> None:
    request_row = hearing.accompaniment_request
    if request_row is None:
        return
    record_event(
        actor,
        "accompaniment_request.deleted",
        object_type="accompaniment_request",
        object_id=request_row.id,
        hearing=hearing.id,
    )
    hearing.accompaniment_request = None
    db.session.flush()
