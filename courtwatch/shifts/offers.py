"""Asking last time's volunteers first, when a case's accompaniment need carries to its next hearing.

The people who went with someone to court are the faces that person knows, so the new shift is
held for them for FIRST_OFFER_HOURS (never more than half the time left before the shift): each
gets an email with a link to claim it, and until the window ends nobody else can claim it. Once
every one of them has claimed or said no, or the window is over, it is open to everyone.

The email names the courthouse and times only, like every shift notice: never the person.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, or_, select

from courtwatch.auth.models import User
from courtwatch.courts.hearing_models import Hearing
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.home.templating import local_datetime
from courtwatch.privacy.services import record_event
from courtwatch.shifts import notices
from courtwatch.shifts.models import Shift, ShiftSignup, ShiftStatus, SignupStatus
from courtwatch.shifts.offer_models import OfferStatus, ShiftOffer


def shift_of(hearing: Hearing) -> Shift | None:
    return db.session.scalar(select(Shift).where(Shift.hearing_id == hearing.id))


def who_went(shift: Shift) -> list[User]:
    """The volunteers who held the shift to the end (not released, removed or marked no-show)."""
    return list(
        db.session.scalars(
            select(User)
            .join(ShiftSignup, ShiftSignup.user_id == User.id)
            .where(
                ShiftSignup.shift_id == shift.id,
                ShiftSignup.status == SignupStatus.CLAIMED,
                ShiftSignup.no_show.is_(False),
            )
            .order_by(ShiftSignup.created_at, ShiftSignup.id)
        )
    )


def offer_window_end(shift: Shift, now: datetime) -> datetime:
    hours = timedelta(hours=float(current_app.config["FIRST_OFFER_HOURS"]))
    return min(now + hours, now + (shift.starts_at - now) / 2)


def offer_to_previous_volunteers(previous: Hearing, hearing: Hearing, now: datetime | None = None) -> list[ShiftOffer]:
    """Hold the new hearing's shift for the volunteers who went to the previous one, and ask them."""
    now = now or utcnow()
    shift, earlier = shift_of(hearing), shift_of(previous)
    if shift is None or earlier is None or shift.status != ShiftStatus.OPEN or shift.starts_at <= now:
        return []
    opens_at = offer_window_end(shift, now)
    offers = []
    for user in who_went(earlier):
        if not user.is_approved:
            continue
        exists = db.session.scalar(
            select(ShiftOffer.id).where(ShiftOffer.shift_id == shift.id, ShiftOffer.user_id == user.id)
        )
        if exists is not None:
            continue
        offer = ShiftOffer(shift_id=shift.id, user_id=user.id, opens_at=opens_at, status=OfferStatus.OFFERED)
        db.session.add(offer)
        db.session.flush()
        notices.queue_first_offer(offer, user, shift, earlier)
        record_event(None, "shift.offered_first", shift, user_id=user.id)
        offers.append(offer)
    return offers


def holding_offers(shift_id: int, now: datetime) -> list[ShiftOffer]:
    """Offers still holding the shift: unanswered and inside their window."""
    return list(
        db.session.scalars(
            select(ShiftOffer).where(
                ShiftOffer.shift_id == shift_id, ShiftOffer.status == OfferStatus.OFFERED, ShiftOffer.opens_at > now
            )
        )
    )


def held_for_others_clause():
    """For the list of shifts I can take (bound values ``now`` and ``user_id``): not held for
    others, i.e. no unanswered first offer is still in its window, or one of them is mine."""
    held = (
        select(ShiftOffer.id)
        .where(
            ShiftOffer.shift_id == Shift.id,
            ShiftOffer.status == OfferStatus.OFFERED,
            ShiftOffer.opens_at > bindparam("now"),
        )
        .exists()
    )
    mine = (
        select(ShiftOffer.id)
        .where(
            ShiftOffer.shift_id == Shift.id,
            ShiftOffer.user_id == bindparam("user_id"),
            ShiftOffer.status == OfferStatus.OFFERED,
        )
        .exists()
    )
    return or_(~held, mine)


def check_first_offer(user: User, shift: Shift, now: datetime) -> None:
    """Refuse a claim while the shift is held for others (claims call this before taking a place)."""
    holding = holding_offers(shift.id, now)
    if not holding or any(offer.user_id == user.id for offer in holding):
        return
    opens_at = min(offer.opens_at for offer in holding)
    raise DomainError(
        _(
            "This shift is offered first to the volunteers who went to this person's last hearing. "
            "It opens to everyone on %(when)s.",
            when=local_datetime(opens_at, shift.courthouse.zone, "short"),
        )
    )


def note_claimed(user: User, shift: Shift, now: datetime) -> None:
    offer = db.session.scalar(
        select(ShiftOffer).where(
            ShiftOffer.shift_id == shift.id, ShiftOffer.user_id == user.id, ShiftOffer.status == OfferStatus.OFFERED
        )
    )
    if offer is not None:
        offer.status = OfferStatus.CLAIMED
        offer.answered_at = now
        db.session.flush()


def get_own_offer(user: User, offer_id: int) -> ShiftOffer:
    offer = db.session.get(ShiftOffer, offer_id)
    if offer is None or offer.user_id != user.id:
        raise NotFound(_("No such offer."))
    return offer


def decline_offer(user: User, offer_id: int, now: datetime | None = None) -> ShiftOffer:
    """ "No thanks": the shift stops waiting for this volunteer (and opens once nobody is left)."""
    offer = get_own_offer(user, offer_id)
    if offer.status == OfferStatus.OFFERED:
        offer.status = OfferStatus.DECLINED
        offer.answered_at = now or utcnow()
        db.session.flush()
        record_event(user, "shift.offer_declined", offer.shift)
    return offer


def my_open_offers(user: User, now: datetime | None = None, limit: int = 5) -> list[ShiftOffer]:
    """Offers waiting for this volunteer's answer (the start page lists them)."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(ShiftOffer)
            .join(Shift, Shift.id == ShiftOffer.shift_id)
            .where(
                ShiftOffer.user_id == user.id,
                ShiftOffer.status == OfferStatus.OFFERED,
                Shift.status == ShiftStatus.OPEN,
                Shift.starts_at > now,
            )
            .order_by(Shift.starts_at)
            .limit(limit)
        )
    )


def is_holding(offer: ShiftOffer, now: datetime | None = None) -> bool:
    return offer.status == OfferStatus.OFFERED and offer.opens_at > (now or utcnow())


# ---------------------------------------------------------------- a case's timeline
def staffing_by_hearing(hearing_ids: list[int]) -> dict[int, list[tuple[str, str, list[str]]]]:
    """For a case's timeline: each hearing's accompaniment shift, its status and who went (first
    names only), in two queries."""
    if not hearing_ids:
        return {}
    shifts = list(db.session.scalars(select(Shift).where(Shift.hearing_id.in_(hearing_ids))))
    if not shifts:
        return {}
    names: dict[int, list[str]] = {}
    rows = db.session.execute(
        select(ShiftSignup.shift_id, User.name)
        .join(User, User.id == ShiftSignup.user_id)
        .where(
            ShiftSignup.shift_id.in_([shift.id for shift in shifts]),
            ShiftSignup.status == SignupStatus.CLAIMED,
            ShiftSignup.no_show.is_(False),
        )
        .order_by(ShiftSignup.created_at, ShiftSignup.id)
    )
    for shift_id, name in rows:
        names.setdefault(shift_id, []).append((name or "").split(" ")[0])
    return {
        shift.hearing_id: [
            (
                _("Accompaniment"),
                _("cancelled") if shift.status == ShiftStatus.CANCELLED else "",
                names.get(shift.id, []),
            )
        ]
        for shift in shifts
    }
