"""Keeping accompaniment shifts in step with their hearings (the ``hearing_changed`` signal).

The shift keeps its identity when its hearing moves (same id, so the same calendar UID, with
SEQUENCE + 1); a cancelled hearing cancels the shift instead of deleting it, so volunteers
are told and their feeds show it as cancelled. Notices name only courthouse, time, room and
meeting point (see ``notices``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from courtwatch.auth.languages import language_code
from courtwatch.courts.hearing_models import Hearing, HearingChange
from courtwatch.courts.hearing_services import hearing_is_past
from courtwatch.db import db
from courtwatch.shifts import notices, services
from courtwatch.shifts.models import Shift, ShiftKind, ShiftStatus

DEFAULT_MEETING_POINT = "Main entrance"
DEFAULT_LENGTH = timedelta(hours=3)


def shift_for_hearing(hearing: Hearing) -> Shift | None:
    return db.session.scalar(select(Shift).where(Shift.hearing_id == hearing.id))


def accompaniment_times(hearing: Hearing) -> tuple[datetime, datetime]:
    lead = timedelta(minutes=int(current_app.config["ACCOMPANIMENT_LEAD_MINUTES"]))
    ends = (
        hearing.ends_at
        if hearing.ends_at and hearing.ends_at > hearing.starts_at
        else hearing.starts_at + DEFAULT_LENGTH
    )
    return hearing.starts_at - lead, ends


def requested_language(hearing: Hearing) -> str | None:
    """The language asked on the accompaniment request (else the docket's), as a shift language code."""
    request_row = hearing.accompaniment_request
    return language_code(request_row.language if request_row and request_row.language else hearing.language)


def ensure_accompaniment_shift(hearing: Hearing) -> Shift | None:
    """Create the hearing's accompaniment shift, or reopen it if it was cancelled.

    None for a hearing whose time is unknown (a date-only docket row: a shift would start at
    23:15 the day before) or that is over: a coordinator sets the time first.
    """
    if hearing.all_day or hearing_is_past(hearing):
        return None
    shift = shift_for_hearing(hearing)
    starts_at, ends_at = accompaniment_times(hearing)
    if shift is None:
        return services.create_shift(
            None,
            courthouse=hearing.courthouse,
            kind=ShiftKind.ACCOMPANIMENT,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=2,
            minimum=2,
            language=requested_language(hearing),
            meeting_point=DEFAULT_MEETING_POINT,
            hearing_id=hearing.id,
        )
    services.move_shift(shift, starts_at, ends_at, _("The hearing moved, so the shift moved with it."))
    if shift.status == ShiftStatus.CANCELLED and not hearing.is_cancelled:
        services.reopen_shift(None, shift, _("The shift is on again."))
    return shift


def on_hearing_event(hearing: Hearing, event: str, change: HearingChange | None) -> None:
    if event == "accompaniment_needed":
        if not hearing.is_cancelled:
            ensure_accompaniment_shift(hearing)
        return
    shift = shift_for_hearing(hearing)
    if shift is None:
        if event in ("moved", "reinstated") and hearing.needs_accompaniment and not hearing.is_cancelled:
            ensure_accompaniment_shift(hearing)  # a time set on a "time unknown" hearing
        return
    if event == "request_saved":
        shift.language = requested_language(hearing)
    else:
        _follow_hearing_change(hearing, shift, event)


def _follow_hearing_change(hearing: Hearing, shift: Shift, event: str) -> None:
    """Move, cancel, reopen or re-announce the shift of a hearing that changed."""
    if event in ("accompaniment_not_needed", "cancelled"):
        reason = (
            _("The hearing was cancelled.")
            if event == "cancelled"
            else _("Accompaniment is no longer needed for this hearing.")
        )
        services.cancel_shift(None, shift, reason)
    elif event == "moved":
        starts_at, ends_at = accompaniment_times(hearing)
        services.move_shift(shift, starts_at, ends_at, _("The hearing moved, so the shift moved with it."))
    elif event == "room_changed":
        shift.sequence += 1
        db.session.flush()
        if shift.status == ShiftStatus.OPEN:
            notices.queue_change_notices(shift, _("The courtroom changed."))
    elif event == "reinstated" and hearing.needs_accompaniment:
        ensure_accompaniment_shift(hearing)
