"""The emails the shifts area sends, composed in one place so that none can leak a name.

Every notice (``templates/email/shift_*.txt``, the shift lines in ``_shift.txt``) is built only from the shift (courthouse, time, courtroom, meeting point) and never
from the hearing's title or case number or the accompaniment request: those can hold the
accompanied person's name. Each notice has a dedupe key, so it is queued at most once even when
two processes (two ``send-due`` runs, a retried request) try at the same moment.
"""

from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import select

from courtwatch.auth.models import Role, User
from courtwatch.db import db
from courtwatch.notify.messages import calendar_day, clock_time, external_url, render_email
from courtwatch.notify.preferences import queue_for_person, render_sms
from courtwatch.notify.services import Attachment, queue_email
from courtwatch.shifts.models import LIVE_SIGNUP_STATUSES, Shift, ShiftSignup


def _calendar_attachment(shift: Shift) -> list[Attachment]:
    from courtwatch.feeds.builders import single_shift_calendar  # written by the feeds area

    return [
        Attachment(
            filename=f"shift-{shift.id}.ics",
            content_type="text/calendar; method=PUBLISH",
            content=single_shift_calendar(shift),
        )
    ]


def _send(
    user: User,
    key: str,
    kind: str,
    shift: Shift,
    *,
    urgent: bool = False,
    attach: bool = False,
    not_before=None,
    **context,
) -> bool:
    """Render ``kind`` (templates/email/) in the recipient's language and queue it once per key."""
    subject, body = render_email(kind, user.locale, shift=shift, **context)
    attachments = _calendar_attachment(shift) if attach else None
    return (
        queue_email(
            user.email, subject, body, dedupe_key=key, urgent=urgent, attachments=attachments, not_before=not_before
        )
        is not None
    )


def queue_claim_confirmation(signup: ShiftSignup, user: User, assigned: bool = False) -> None:
    shift = signup.shift
    _send(user, f"shift-confirm-{signup.id}-{shift.sequence}", "shift_confirmed", shift, attach=True, assigned=assigned)


def queue_promotion_notice(signup: ShiftSignup) -> None:
    user = db.session.get(User, signup.user_id)
    _send(user, f"shift-promoted-{signup.id}", "shift_promoted", signup.shift, urgent=True, attach=True)


def queue_first_offer(offer, user: User, shift: Shift, previous: Shift) -> None:
    """Last time's volunteer is asked first (``offers``): the new shift, the day of the last one."""
    _send(user, f"shift-offer-{offer.id}", "shift_offer", shift, urgent=True, offer=offer, previous=previous)


def queue_removal_notice(signup: ShiftSignup) -> None:
    user = db.session.get(User, signup.user_id)
    _send(user, f"shift-removed-{signup.id}", "shift_removed", signup.shift, urgent=True)


def _people_on(shift: Shift) -> list[tuple[ShiftSignup, User]]:
    rows = db.session.execute(
        select(ShiftSignup, User)
        .join(User, User.id == ShiftSignup.user_id)
        .where(ShiftSignup.shift_id == shift.id, ShiftSignup.status.in_(LIVE_SIGNUP_STATUSES))
    )
    return [tuple(row) for row in rows]


def queue_change_notices(shift: Shift, reason: str) -> None:
    """Time, place or status changed: everyone claimed or waiting hears it (keyed by SEQUENCE)."""
    for _signup, user in _people_on(shift):
        _send(
            user,
            f"shift-change-{shift.id}-{shift.sequence}-{user.id}",
            "shift_changed",
            shift,
            urgent=True,
            reason=reason,
        )


def queue_cancel_notices(shift: Shift, reason: str = "", closure: str | None = None) -> None:
    for _signup, user in _people_on(shift):
        _send(
            user,
            f"shift-cancel-{shift.id}-{shift.sequence}-{user.id}",
            "shift_cancelled",
            shift,
            urgent=True,
            reason=reason,
            closure=closure,
        )


def queue_reminder(signup: ShiftSignup, user: User, hours: int) -> bool:
    shift = signup.shift
    # The start time is part of the key: a shift that moved earns a fresh reminder.
    key = f"shift-reminder-{signup.id}-{hours}h-{shift.starts_at:%Y%m%dT%H%M}"
    return _send(user, key, "shift_reminder", shift, hours=hours)


def queue_attendance_ask(signup: ShiftSignup, user: User, token: str) -> int:
    """ "Still coming?" with Yes and Release links, on the channels the volunteer chose for
    reminders; the push notification opens the page offering both."""
    shift = signup.shift
    links = {
        "yes_url": external_url("shift_confirm.answer", token=token, answer="yes"),
        "release_url": external_url("shift_confirm.answer", token=token, answer="release"),
    }
    subject, body = render_email("shift_confirm_ask", user.locale, shift=shift, **links)
    zone = shift.courthouse.zone
    with force_locale(user.locale or "en"):
        when = f"{calendar_day(shift.starts_at, zone, 'medium')} {clock_time(shift.starts_at, zone)}"
    courthouse = shift.courthouse.short_name or shift.courthouse.name
    sms = render_sms("confirm_ask", user.locale, courthouse=courthouse, time=when, **links)
    messages = queue_for_person(
        user,
        "reminder",
        subject=subject,
        body_text=body,
        sms_text=sms,
        link=external_url("shift_confirm.choose", token=token),
        # The start time is part of the key: a shift that moved is asked about again.
        dedupe_key=f"shift-confirm-ask-{signup.id}-{shift.starts_at:%Y%m%dT%H%M}",
    )
    return 1 if messages else 0


def coordinators() -> list[User]:
    """Who hears "please release me": the coordinators, or the admins when there is none."""
    people = list(
        db.session.scalars(select(User).where(User.status == "active", User.role == Role.COORDINATOR).order_by(User.id))
    )
    return people or list(
        db.session.scalars(select(User).where(User.status == "active", User.role == Role.ADMIN).order_by(User.id))
    )


def queue_release_request(signup: ShiftSignup, user: User) -> None:
    for coordinator in coordinators():
        _send(
            coordinator,
            f"shift-release-request-{signup.id}-{coordinator.id}",
            "release_request",
            signup.shift,
            urgent=True,
            person=user,
        )
