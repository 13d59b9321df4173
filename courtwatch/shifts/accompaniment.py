"""Need-to-know for accompaniment: who may learn an accompanied person's details, and when.

Claiming an accompaniment shift reveals nothing about the person. Their details (first name or
initials, language, meeting notes) open to a volunteer only when all of these hold:

* the volunteer holds a claimed place on the shift and has done the accompaniment training
  (or a coordinator waived it for this shift);
* a coordinator confirmed the pairing, or marked the volunteer as trusted;
* the volunteer is not paused (see below);
* the hearing is at most DETAILS_REVEAL_HOURS away.

Every opening is written to the audit trail (who, when, which hearing) and listed to coordinators
on the hearing's page. A volunteer who releases accompaniment shifts after seeing the details
RELEASE_FLAG_COUNT times within RELEASE_FLAG_DAYS is paused: they see no further details until
a coordinator clears the pause. That is what stops a harvester who claims, reads and releases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from courtwatch.auth.models import Training, User
from courtwatch.auth.services import has_training
from courtwatch.courts.hearing_services import has_opened_details, record_details_opened
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.privacy.models import AuditEvent
from courtwatch.privacy.services import record_event
from courtwatch.shifts.models import Shift, ShiftKind, ShiftSignup, SignupStatus

RELEASED_AFTER_OPENING = "accompaniment.released_after_details"


# ---------------------------------------------------------------- the training requirement
def accompaniment_training() -> Training:
    """The training named by ACCOMPANIMENT_TRAINING, created the first time it is needed."""
    name = str(current_app.config["ACCOMPANIMENT_TRAINING"])
    training = db.session.scalar(select(Training).where(Training.name == name))
    if training is None:
        training = Training(name=name, description=_("Required for every accompaniment shift."))
        db.session.add(training)
        db.session.flush()
    return training


def required_training_id(shift: Shift) -> int | None:
    """The training a volunteer needs to claim the shift; accompaniment always needs one unless waived."""
    if shift.training_id is not None:
        return shift.training_id
    if shift.kind == ShiftKind.ACCOMPANIMENT and not shift.training_waived:
        return accompaniment_training().id
    return None


def set_training_waived(actor: User, shift: Shift, waived: bool) -> None:
    """A coordinator lets untrained volunteers claim this one accompaniment shift (or stops that)."""
    if shift.kind != ShiftKind.ACCOMPANIMENT:
        raise DomainError(_("Only accompaniment shifts require the accompaniment training."))
    if shift.training_waived == waived:
        return
    shift.training_waived = waived
    shift.training_id = None if waived else accompaniment_training().id
    db.session.flush()
    record_event(actor, "shift.training_waived" if waived else "shift.training_required", shift)


# ---------------------------------------------------------------- who sees the person, and when
@dataclass(frozen=True)
class Disclosure:
    visible: bool
    message: str = ""  # for the volunteer: why not yet, and what happens next
    opens_at: datetime | None = None


def disclosure(user: User, shift: Shift, signup: ShiftSignup | None, now: datetime | None = None) -> Disclosure:
    now = now or utcnow()
    if shift.kind != ShiftKind.ACCOMPANIMENT or shift.hearing is None:
        return Disclosure(False)
    if user.is_staff:
        return Disclosure(True)
    if signup is None or signup.status != SignupStatus.CLAIMED or shift.is_cancelled:
        return Disclosure(False)
    if not shift.training_waived and not has_training(user, accompaniment_training().id):
        return Disclosure(
            False, _("The person's details are only for volunteers who have done the accompaniment training.")
        )
    if user.details_paused_at is not None:
        return Disclosure(
            False, _("A coordinator needs to talk with you before you see accompanied people's details again.")
        )
    if signup.details_confirmed_at is None and not user.details_trusted:
        return Disclosure(
            False,
            _(
                "A coordinator will confirm you for this accompaniment; then you will "
                "see who you are meeting, close to the hearing."
            ),
        )
    opens_at = shift.hearing.starts_at - timedelta(hours=int(current_app.config["DETAILS_REVEAL_HOURS"]))
    if now < opens_at:
        return Disclosure(
            False,
            _(
                "You will see who you are meeting from %(hours)s hours before the hearing.",
                hours=int(current_app.config["DETAILS_REVEAL_HOURS"]),
            ),
            opens_at,
        )
    return Disclosure(True)


def open_details(
    user: User, shift: Shift, signup: ShiftSignup | None, now: datetime | None = None
) -> tuple[Disclosure, dict | None]:
    """The person's details if this user may see them now; the opening is recorded."""
    state = disclosure(user, shift, signup, now)
    request_row = shift.hearing.accompaniment_request if state.visible else None
    if request_row is None:
        return state, None
    record_details_opened(user, shift.hearing, shift=shift.id)
    return state, {
        "person_label": request_row.person_label,
        "language": request_row.language,
        "meeting_notes": request_row.meeting_notes,
    }


def note_release(user: User, shift: Shift, now: datetime | None = None) -> bool:
    """Called when a volunteer releases a shift; pauses them when they keep releasing after looking.

    Returns True when this release paused the volunteer."""
    now = now or utcnow()
    if shift.kind != ShiftKind.ACCOMPANIMENT or shift.hearing_id is None or user.is_staff:
        return False
    if not has_opened_details(user.id, shift.hearing_id):
        return False
    record_event(user, RELEASED_AFTER_OPENING, shift, hearing=shift.hearing_id)
    db.session.flush()
    since = now - timedelta(days=int(current_app.config["RELEASE_FLAG_DAYS"]))
    count = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == RELEASED_AFTER_OPENING, AuditEvent.actor_id == user.id, AuditEvent.created_at >= since
        )
    )
    if count >= int(current_app.config["RELEASE_FLAG_COUNT"]) and user.details_paused_at is None:
        user.details_paused_at = now
        record_event(None, "accompaniment.volunteer_paused", user, releases=count)
        return True
    return False


# ---------------------------------------------------------------- coordinators' decisions
def confirm_pairing(actor: User, signup_id: int, confirmed: bool = True, now: datetime | None = None) -> ShiftSignup:
    signup = db.session.get(ShiftSignup, signup_id)
    if signup is None or signup.status != SignupStatus.CLAIMED or signup.shift.kind != ShiftKind.ACCOMPANIMENT:
        raise NotFound(_("No such sign-up."))
    signup.details_confirmed_at = (now or utcnow()) if confirmed else None
    signup.details_confirmed_by_id = actor.id if confirmed else None
    db.session.flush()
    record_event(
        actor,
        "accompaniment.pairing_confirmed" if confirmed else "accompaniment.pairing_unconfirmed",
        signup.shift,
        user_id=signup.user_id,
    )
    return signup


def set_details_trusted(actor: User, volunteer: User, trusted: bool) -> None:
    if volunteer.details_trusted == trusted:
        return
    volunteer.details_trusted = trusted
    db.session.flush()
    record_event(actor, "accompaniment.trusted" if trusted else "accompaniment.untrusted", volunteer)


def clear_pause(actor: User, volunteer: User) -> None:
    if volunteer.details_paused_at is None:
        return
    volunteer.details_paused_at = None
    db.session.flush()
    record_event(actor, "accompaniment.pause_cleared", volunteer)


def paused_volunteers(limit: int = 50) -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.details_paused_at.is_not(None)).order_by(User.details_paused_at.desc()).limit(limit)
        )
    )
