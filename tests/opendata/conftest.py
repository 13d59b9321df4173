"""A small campaign for the open-data tests, with a canary in every free-text field.

Figures (confirmed incidents, each courthouse's local time):

* Alpha (Suffolk County, Boston), January 2025: 6 sightings and 1 arrest (the arrest is the small
  count; its row total 7 and the sightings 6 would give it away without a complement).
  February: one Incident of two confirmed reports (an attempted arrest with 3 agents and a sighting
  with 6 agents: one incident, "attempted_arrest", band "5-9").
* Beta (Worcester County, Boston), February 2025: 5 sightings and 4 arrests.
* Gamma (Suffolk County, Chicago), January 2025: 3 sightings.
* Not counted: an unverified arrest, a false alarm, a "nothing observed" report.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from courtwatch.db import db
from courtwatch.observations.models import Incident, Observation, ObservationAgency
from courtwatch.opendata.settings import update_settings
from courtwatch.shifts.models import Shift, ShiftSignup

BOSTON, CHICAGO = ZoneInfo("America/New_York"), ZoneInfo("America/Chicago")
CANARY = "CANARY"
_keys = itertools.count(1)


def at(text: str, zone=BOSTON) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def report(
    courthouse,
    when,
    action,
    *,
    status="confirmed",
    incident=None,
    agencies=("ice_ero",),
    reporter=None,
    agent_count=2,
    **extra,
):
    number = next(_keys)
    values = {
        "narrative": f"{CANARY}-narrative {number}",
        "courtroom": f"{CANARY}-room",
        "markings": f"{CANARY}-mark",
        "badges_seen": f"{CANARY}-badge",
        "vehicles": f"{CANARY}-van plate XYZ{number}",
        "court_staff_involvement": f"{CANARY}-staff",
        "verification_note": f"{CANARY}-note",
        "original_narrative": f"{CANARY}-original",
        "area": "hallway",
        "target_role": "defendant",
        "warrant": "administrative",
        "court_type": "criminal",
        **extra,
    }
    observation = Observation(
        courthouse_id=courthouse.id,
        observed_at=when,
        status=status,
        action=action,
        incident_id=incident.id if incident else None,
        agents_present="yes" if action != "none" else "no",
        agent_count=agent_count if action != "none" else None,
        reporter_id=reporter.id if reporter else None,
        idempotency_key=f"od-{number}",
        content_hash=f"{number:064d}",
        **values,
    )
    observation.agencies = [ObservationAgency(agency=a) for a in agencies]
    db.session.add(observation)
    db.session.flush()
    return observation


@pytest.fixture
def campaign(app, make_courthouse, make_user):
    alpha = make_courthouse(name="Alpha Courthouse", short_name="Alpha", slug="alpha", county="Suffolk County")
    beta = make_courthouse(name="Beta Courthouse", short_name="Beta", slug="beta", county="Worcester County")
    gamma = make_courthouse(
        name="Gamma Courthouse", short_name="Gamma", slug="gamma", county="Suffolk County", timezone="America/Chicago"
    )
    reporter = make_user(name=f"{CANARY} Reporter", email="canary.reporter@example.org")
    for day in range(6):
        report(alpha, at(f"2025-01-{10 + day} 09:15"), "sighting", reporter=reporter)
    report(
        alpha,
        at("2025-01-21 10:40"),
        "arrest",
        reporter=reporter,
        agent_count=1,
        target_role="victim_survivor",
        warrant="none_shown",
        court_type="family",
    )
    incident = Incident(courthouse_id=alpha.id, occurred_at=at("2025-02-03 09:00"), summary=f"{CANARY}-incident")
    db.session.add(incident)
    db.session.flush()
    report(
        alpha,
        at("2025-02-03 09:00"),
        "attempted_arrest",
        incident=incident,
        agent_count=3,
        agencies=("ice_ero", "local_police"),
    )
    report(alpha, at("2025-02-03 09:05"), "sighting", incident=incident, agent_count=6, agencies=("hsi",))
    for day in range(5):
        report(beta, at(f"2025-02-{10 + day} 11:00"), "sighting")
    for day in range(4):
        report(beta, at(f"2025-02-{17 + day} 11:00"), "arrest")
    for day in range(3):
        report(gamma, at(f"2025-01-{16 + day} 08:00", CHICAGO), "sighting")
    report(alpha, at("2025-01-22 09:00"), "arrest", status="unverified")
    report(alpha, at("2025-01-23 09:00"), "arrest", status="false_alarm")
    report(alpha, at("2025-01-24 09:00"), "none", agencies=(), nothing_observed=True)
    volunteer = make_user(name=f"{CANARY} Volunteer")
    for day, hours in ((10, 3), (21, 4)):
        add_watched_shift(alpha, at(f"2025-01-{day} 08:30"), hours, volunteer)
    db.session.commit()
    return {"alpha": alpha, "beta": beta, "gamma": gamma, "incident": incident, "reporter": reporter}


@pytest.fixture
def published(app, campaign):
    """The campaign publishes every table, embeddable by one partner site."""
    update_settings(None, enabled=True, frame_ancestors="https://news.example.org")
    db.session.commit()
    return campaign


PERIOD = {"from": "2025-01", "to": "2025-02"}


def add_watched_shift(courthouse, start, hours, volunteer) -> None:
    """A four-hour observation shift at ``start`` that ``volunteer`` claimed and watched ``hours`` of."""
    shift = Shift(
        courthouse_id=courthouse.id,
        kind="observation",
        status="open",
        starts_at=start,
        ends_at=start + timedelta(hours=4),
        capacity=2,
        minimum=1,
    )
    db.session.add(shift)
    db.session.flush()
    db.session.add(
        ShiftSignup(
            shift_id=shift.id,
            user_id=volunteer.id,
            status="claimed",
            checked_in_at=start,
            checked_out_at=start + timedelta(hours=hours),
        )
    )
