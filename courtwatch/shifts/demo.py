"""Demo shifts for `flask demo load`: weekly observation patterns, accompaniment shifts for a few
made-up hearings, and sign-ups so every screen has something to show (volunteer1-4 each hold
upcoming shifts, some shifts are short of people, one has a waitlist).

Sign-ups are written directly rather than through ``claim_shift`` so loading the demo does not
fill the outbox with confirmations nobody asked for.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from courtwatch.auth.services import get_or_create_training
from courtwatch.courts.hearing_models import AccompanimentRequest, Hearing
from courtwatch.courts.hearing_services import notify_hearing_hooks
from courtwatch.db import db, utcnow
from courtwatch.shifts.claims import overlapping_claim
from courtwatch.shifts.models import Shift, ShiftSignup, SignupStatus
from courtwatch.shifts.patterns import generate_shifts, save_pattern

PATTERNS = [
    # slug, weekdays, start, end, capacity, minimum, training, language, meeting point
    (
        "boston-immigration",
        "12345",
        time(8, 30),
        time(12, 30),
        3,
        2,
        "Court watch training",
        None,
        "Front steps, Government Center side",
    ),
    ("bmc-east-boston", "24", time(8, 30), time(12, 0), 2, 2, None, "es", "Bus stop across Meridian St"),
    ("chelmsford-immigration", "13", time(9, 0), time(13, 0), 2, 1, None, None, "Lobby, by the elevators"),
]

HEARINGS = [
    # slug, days ahead, local start, courtroom, first name, language
    ("bmc-central", 3, time(9, 0), "Courtroom 11", "Maria", "Spanish"),
    ("suffolk-probate-family", 5, time(10, 30), "Session 4", "J. K.", "Haitian Creole"),
    ("chelsea-district", 8, time(9, 0), "Room 2", "Samir", "Arabic"),
    ("boston-immigration", 11, time(13, 0), "Floor 9, Courtroom C", "Lucía", "Spanish"),
]


def _seat(shift: Shift, user, status: str = SignupStatus.CLAIMED) -> bool:
    if status == SignupStatus.CLAIMED and (
        shift.claimed_count >= shift.capacity or overlapping_claim(user.id, shift) is not None
    ):
        return False
    db.session.add(ShiftSignup(shift=shift, user_id=user.id, status=status))
    if status == SignupStatus.CLAIMED:
        shift.claimed_count += 1
    db.session.flush()
    return True


def _hearing(courthouse, days_ahead: int, at: time, courtroom: str, label: str, language: str) -> Hearing:
    local_day = courthouse.local(utcnow()).date() + timedelta(days=days_ahead)
    while local_day.isoweekday() > 5:
        local_day += timedelta(days=1)
    starts = datetime.combine(local_day, at, tzinfo=courthouse.zone)
    hearing = Hearing(
        courthouse=courthouse,
        courthouse_id=courthouse.id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        title="Demo hearing",
        courtroom=courtroom,
        court_type="criminal",
        needs_accompaniment=True,
    )
    request_row = AccompanimentRequest(
        hearing=hearing,
        person_label=label,
        language=language,
        meeting_notes="Will wear a green scarf; prefers to meet outside.",
        purge_after=starts + timedelta(days=30),
    )
    db.session.add_all([hearing, request_row])
    db.session.flush()
    notify_hearing_hooks(hearing, "accompaniment_needed")
    return hearing


def load_demo_shifts(context: dict) -> None:
    courthouses = context["courthouses"]
    _patterns_and_hearings(courthouses, context["coordinator"])
    _seat_volunteers(courthouses, context["volunteers"])


def _patterns_and_hearings(courthouses: dict, coordinator) -> None:
    for slug, days, start, end, capacity, minimum, training, language, meeting in PATTERNS:
        if slug not in courthouses:
            continue
        save_pattern(
            coordinator,
            None,
            courthouse=courthouses[slug],
            weekdays=days,
            start_time=start,
            end_time=end,
            capacity=capacity,
            minimum=minimum,
            training_id=get_or_create_training(training).id if training else None,
            language=language,
            meeting_point=meeting,
        )
    generate_shifts(horizon_days=28)
    for slug, days_ahead, at, room, label, language in HEARINGS:
        if slug in courthouses:
            _hearing(courthouses[slug], days_ahead, at, room, label, language)


def _seat_volunteers(courthouses: dict, volunteers: list) -> None:
    def upcoming(slug: str, kind: str) -> list[Shift]:
        courthouse = courthouses.get(slug)
        if courthouse is None:
            return []
        return list(
            db.session.scalars(
                select(Shift)
                .where(Shift.courthouse_id == courthouse.id, Shift.kind == kind, Shift.starts_at > utcnow())
                .order_by(Shift.starts_at)
            )
        )

    ana, ben, carla, dmitri, esperanza, _farah, gabriel = volunteers[:7]
    boston = upcoming("boston-immigration", "observation")
    east = upcoming("bmc-east-boston", "observation")
    chelmsford = upcoming("chelmsford-immigration", "observation")
    accompaniments = [
        s
        for slug in ("bmc-central", "suffolk-probate-family", "chelsea-district", "boston-immigration")
        for s in upcoming(slug, "accompaniment")
    ]
    for shift in boston[0:6:2]:
        _seat(shift, ana)
    for shift in boston[1:8:2]:
        _seat(shift, dmitri)
    if chelmsford:
        _seat(chelmsford[0], ben)
    for shift in chelmsford[1:3]:
        _seat(shift, carla)
    if accompaniments:
        _seat(accompaniments[0], ben)  # fully staffed pair
        _seat(accompaniments[0], carla)
    if len(accompaniments) > 1:
        _seat(accompaniments[1], gabriel)  # one of two: under-staffed
    if east:
        # A full shift with a waitlist.
        _seat(east[0], ana)
        _seat(east[0], esperanza)
        _seat(east[0], gabriel, SignupStatus.WAITLISTED)
