"""A small fixed data set whose figures are computed by hand in the tests (see the comments).

Three courthouses in two time zones, the range January to March 2025 in each courthouse's local
time. Reports sit on purpose at the edges: one just before midnight local on 31 March (1 April in
UTC: counted), one late on 31 December local (1 January in UTC: not counted), and an Incident
whose first report is 31 January local (1 February in UTC: a January incident).
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from courtwatch.db import db
from courtwatch.observations.models import Incident, Observation, ObservationAgency
from courtwatch.shifts.models import Shift, ShiftSignup

NEW_YORK = ZoneInfo("America/New_York")
_keys = itertools.count(1)


def at(text: str, zone=NEW_YORK) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def report(
    courthouse,
    when,
    *,
    status="confirmed",
    action="none",
    incident=None,
    role=None,
    warrant=None,
    court_type=None,
    agencies=(),
    nothing=False,
    reporter=None,
    **extra,
):
    number = next(_keys)
    observation = Observation(
        courthouse_id=courthouse.id,
        observed_at=when,
        status=status,
        action=action,
        incident_id=incident.id if incident else None,
        target_role=role,
        warrant=warrant,
        court_type=court_type,
        nothing_observed=nothing,
        reporter_id=reporter.id if reporter else None,
        agents_present="yes" if action != "none" else "no",
        idempotency_key=f"key-{number}",
        content_hash=f"{number:064d}",
        **extra,
    )
    observation.agencies = [ObservationAgency(agency=a) for a in agencies]
    db.session.add(observation)
    db.session.flush()
    return observation


def incident(courthouse, when):
    row = Incident(courthouse_id=courthouse.id, occurred_at=when)
    db.session.add(row)
    db.session.flush()
    return row


def shift(courthouse, start, hours=4, *, kind="observation", status="open"):
    row = Shift(
        courthouse_id=courthouse.id,
        kind=kind,
        status=status,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        capacity=2,
        minimum=1,
    )
    db.session.add(row)
    db.session.flush()
    return row


def signup(shift_row, user, *, status="claimed", checked_in=None, checked_out=None, no_show=False):
    row = ShiftSignup(
        shift_id=shift_row.id,
        user_id=user.id,
        status=status,
        checked_in_at=checked_in,
        checked_out_at=checked_out,
        no_show=no_show,
    )
    db.session.add(row)
    db.session.flush()
    return row


def build(make_courthouse, make_user):
    """Returns a dict of the named rows; the expected figures are in tests/reports/test_summaries.py."""
    a = make_courthouse(
        name="Alpha Courthouse",
        short_name="Alpha",
        slug="alpha",
        county="Suffolk County",
        court_types=["criminal", "family"],
    )
    b = make_courthouse(
        name="Beta Courthouse", short_name="Beta", slug="beta", county="Worcester County", court_types=["family"]
    )
    c = make_courthouse(
        name="Gamma Courthouse",
        short_name="Gamma",
        slug="gamma",
        county="Cook County",
        timezone="America/Chicago",
        state="IL",
        city="Chicago",
    )
    reporter = make_user(name="Rita Reporter", email="rita@example.org")
    v1 = make_user(name="Val One", email="val1@example.org")
    v2 = make_user(name="Val Two", email="val2@example.org")
    v3 = make_user(name="Val Three", email="val3@example.org")

    rows = {"alpha": a, "beta": b, "gamma": c, "reporter": reporter, "v1": v1, "v2": v2, "v3": v3}
    rows["r1"] = report(
        a,
        at("2025-01-10 09:00"),
        action="arrest",
        role="defendant",
        warrant="administrative",
        court_type="criminal",
        agencies=("ice_ero", "local_police"),
        reporter=reporter,
        narrative='=HYPERLINK("http://evil.example")',
        vehicles="Grey van, plate ABC123",
    )
    i1 = rows["i1"] = incident(a, at("2025-02-05 10:00"))
    rows["r2"] = report(
        a,
        at("2025-02-05 10:00"),
        action="arrest",
        incident=i1,
        role="victim_survivor",
        warrant="none_shown",
        court_type="family",
        agencies=("ice_ero",),
        reporter=reporter,
    )
    rows["r3"] = report(
        a,
        at("2025-02-05 10:05"),
        status="unverified",
        action="attempted_arrest",
        incident=i1,
        role="victim_survivor",
        warrant="none_shown",
        court_type="family",
        agencies=("ice_ero", "hsi"),
    )
    rows["r4"] = report(
        a,
        at("2025-03-01 09:30"),
        status="unverified",
        action="sighting",
        court_type="criminal",
        role="unknown",
        warrant="unknown",
    )
    rows["r5"] = report(a, at("2025-03-02 09:30"), status="false_alarm", action="arrest", court_type="criminal")
    rows["r6"] = report(a, at("2025-01-20 09:00"), nothing=True)
    rows["r7"] = report(a, at("2025-03-31 23:30"), action="sighting")  # 1 April in UTC
    rows["r8"] = report(a, at("2024-12-31 22:00"), action="arrest", court_type="criminal")  # 1 January in UTC
    i2 = rows["i2"] = incident(a, at("2025-01-31 23:00"))
    rows["r9"] = report(
        a,
        at("2025-01-31 23:00"),
        action="sighting",
        incident=i2,
        role="unknown",
        warrant="unknown",
        court_type="criminal",
    )  # 1 February in UTC
    rows["r10"] = report(
        a,
        at("2025-02-01 00:30"),
        action="sighting",
        incident=i2,
        role="unknown",
        warrant="unknown",
        court_type="criminal",
    )
    rows["r11"] = report(
        b,
        at("2025-02-14 11:00"),
        action="attempted_arrest",
        role="family_litigant",
        warrant="judicial",
        court_type="family",
        agencies=("cbp",),
    )
    rows["r12"] = report(b, at("2025-02-15 09:00"), status="unverified", nothing=True)

    s1 = shift(a, at("2025-01-10 08:30"))
    signup(s1, v1, checked_in=at("2025-01-10 08:30"), checked_out=at("2025-01-10 12:00"))  # 3.5 h
    s2 = shift(a, at("2025-02-05 08:30"))
    signup(s2, v2)  # claimed, never checked in: staffed, no hours
    s3 = shift(a, at("2025-03-03 08:30"))
    signup(s3, v1, no_show=True)  # not staffed
    s4 = shift(a, at("2025-03-04 08:30"), status="cancelled")
    signup(s4, v2, checked_in=at("2025-03-04 08:30"), checked_out=at("2025-03-04 12:30"))  # ignored
    s5 = shift(a, at("2025-03-05 09:00"), hours=2, kind="accompaniment")
    signup(s5, v1, checked_in=at("2025-03-05 09:00"), checked_out=at("2025-03-05 11:00"))  # 2 h, hours page only
    s6 = shift(b, at("2025-02-14 08:30"))
    signup(s6, v2, checked_in=at("2025-02-14 09:00"), checked_out=at("2025-02-14 10:15"))  # 1.25 h
    signup(s6, v3, status="released")
    s7 = shift(a, at("2024-12-31 20:00"), hours=3)  # before the range in local time (1 January UTC)
    signup(s7, v3, checked_in=at("2024-12-31 20:00"), checked_out=at("2024-12-31 23:00"))
    db.session.commit()
    return rows
