"""The emails the shifts area sends, composed in one place so that none can leak a name.

Every notice is built only from the shift (courthouse, time, courtroom, meeting point) and never
from the hearing's title or case number or the accompaniment request: those can hold the
accompanied person's name. Each notice has a dedupe key, so it is queued at most once even when
two processes (two ``send-due`` runs, a retried request) try at the same moment.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from courtwatch.auth.models import User
from courtwatch.db import db
from courtwatch.home.templating import local_datetime, local_time
from courtwatch.notify.services import Attachment, queue_email
from courtwatch.shifts.models import LIVE_SIGNUP_STATUSES, Shift, ShiftKind, ShiftSignup


def _kind_label(shift: Shift) -> str:
    return _("Accompaniment") if shift.kind == ShiftKind.ACCOMPANIMENT else _("Court watch (observation)")


def describe_shift(shift: Shift) -> str:
    """The lines every notice carries: what, where, when, where to meet, and the link."""
    courthouse = shift.courthouse
    zone = courthouse.zone
    lines = [
        _("Shift: %(kind)s", kind=_kind_label(shift)),
        _("Courthouse: %(name)s", name=courthouse.name),
        _("Address: %(address)s", address=courthouse.address_line),
        _("When: %(start)s – %(end)s (%(zone)s)", start=local_datetime(shift.starts_at, zone, "full"),
          end=local_time(shift.ends_at, zone), zone=courthouse.timezone),
    ]
    if shift.hearing is not None and shift.hearing.courtroom:
        lines.append(_("Courtroom: %(room)s", room=shift.hearing.courtroom))
    lines.append(_("Meeting point: %(place)s", place=shift.meeting_point or _("not set yet")))
    base = current_app.config["BASE_URL"].rstrip("/")
    lines.append(_("Shift page: %(url)s", url=f"{base}/shifts/{shift.id}"))
    return "\n".join(lines)


def _calendar_attachment(shift: Shift) -> list[Attachment]:
    from courtwatch.feeds.builders import single_shift_calendar  # written by the feeds area

    return [Attachment(filename=f"shift-{shift.id}.ics", content_type="text/calendar; method=PUBLISH",
                       content=single_shift_calendar(shift))]


def _send(user: User, key: str, subject_body, *, urgent: bool = False, attach: Shift | None = None,
          not_before=None) -> bool:
    with force_locale(user.locale or "en"):
        subject, body = subject_body()
        attachments = _calendar_attachment(attach) if attach is not None else None
    return queue_email(user.email, subject, body, dedupe_key=key, urgent=urgent,
                       attachments=attachments, not_before=not_before) is not None


def queue_claim_confirmation(signup: ShiftSignup, user: User, assigned: bool = False) -> None:
    shift = signup.shift

    def compose():
        intro = (_("A coordinator put you on this shift.") if assigned
                 else _("You claimed this shift. Thank you!"))
        return (_("Shift confirmed: %(title)s", title=shift.short_title),
                f"{intro}\n\n{describe_shift(shift)}\n\n"
                + _("The attached file adds it to your calendar. If you cannot go, release it "
                    "from the shift page as early as you can."))

    _send(user, f"shift-confirm-{signup.id}-{shift.sequence}", compose, attach=shift)


def queue_promotion_notice(signup: ShiftSignup) -> None:
    shift = signup.shift
    user = db.session.get(User, signup.user_id)

    def compose():
        return (_("You are in: %(title)s", title=shift.short_title),
                _("A place freed up and you were next on the waitlist, so the shift is now yours.")
                + f"\n\n{describe_shift(shift)}\n\n"
                + _("If you cannot go, release it from the shift page so the next person gets it."))

    _send(user, f"shift-promoted-{signup.id}", compose, urgent=True, attach=shift)


def queue_removal_notice(signup: ShiftSignup) -> None:
    shift = signup.shift
    user = db.session.get(User, signup.user_id)

    def compose():
        return (_("You were taken off a shift: %(title)s", title=shift.short_title),
                _("A coordinator took you off this shift. You do not need to go.")
                + f"\n\n{describe_shift(shift)}")

    _send(user, f"shift-removed-{signup.id}", compose, urgent=True)


def _people_on(shift: Shift) -> list[tuple[ShiftSignup, User]]:
    rows = db.session.execute(select(ShiftSignup, User).join(User, User.id == ShiftSignup.user_id).where(
        ShiftSignup.shift_id == shift.id, ShiftSignup.status.in_(LIVE_SIGNUP_STATUSES)))
    return [tuple(row) for row in rows]


def queue_change_notices(shift: Shift, reason: str) -> None:
    """Time, place or status changed: everyone claimed or waiting hears it (keyed by SEQUENCE)."""
    for _signup, user in _people_on(shift):
        def compose(user=user):
            return (_("Shift changed: %(title)s", title=shift.short_title),
                    f"{reason}\n\n" + _("The shift now is:") + f"\n{describe_shift(shift)}")

        _send(user, f"shift-change-{shift.id}-{shift.sequence}-{user.id}", compose, urgent=True)


def queue_cancel_notices(shift: Shift, reason: str = "") -> None:
    for _signup, user in _people_on(shift):
        def compose(user=user):
            return (_("Shift cancelled: %(title)s", title=shift.short_title),
                    _("This shift is cancelled. You do not need to go.")
                    + (f"\n{reason}" if reason else "") + f"\n\n{describe_shift(shift)}")

        _send(user, f"shift-cancel-{shift.id}-{shift.sequence}-{user.id}", compose, urgent=True)


def queue_reminder(signup: ShiftSignup, user: User, hours: int) -> bool:
    shift = signup.shift
    # The start time is part of the key: a shift that moved earns a fresh reminder.
    key = f"shift-reminder-{signup.id}-{hours}h-{shift.starts_at:%Y%m%dT%H%M}"

    def compose():
        return (_("Reminder: %(title)s", title=shift.short_title),
                _("Your shift starts in about %(hours)s hours.", hours=hours)
                + f"\n\n{describe_shift(shift)}\n\n"
                + _("On the day, tap \u201cI'm here\u201d on the shift page when you arrive."))

    return _send(user, key, compose)


def queue_release_request(signup: ShiftSignup, user: User) -> None:
    from courtwatch.shifts.services import coordinators

    shift = signup.shift
    base = current_app.config["BASE_URL"].rstrip("/")
    for coordinator in coordinators():
        def compose():
            return (_("Release request: %(title)s", title=shift.short_title),
                    _("%(name)s (%(email)s) holds this shift but cannot go, and it is too close to "
                      "the start to release it themselves.", name=user.name, email=user.email)
                    + f"\n\n{describe_shift(shift)}\n\n"
                    + _("Roster: %(url)s", url=f"{base}/coordinator/shifts/{shift.id}"))

        _send(coordinator, f"shift-release-request-{signup.id}-{coordinator.id}", compose, urgent=True)
