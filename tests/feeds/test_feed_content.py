"""What volunteers' and coordinators' calendars show: times across DST, moves, cancellations, releases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from courtwatch.auth.models import Role
from courtwatch.db import db
from courtwatch.feeds.models import FeedScope
from courtwatch.shifts import claims
from courtwatch.shifts import services as shift_services
from courtwatch.shifts.models import ShiftSignup, SignupStatus
from tests.feeds.conftest import BASE_URL, events_by_uid, fetch, parse_both, vobject_events


def count_queries(client, plaintext: str) -> int:
    statements = []

    def record(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert fetch(client, plaintext).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def _next_dst_change(zone, after: datetime) -> datetime:
    """The first day after ``after`` (a date at noon UTC) when the zone's UTC offset differs."""
    day = after.replace(hour=12, minute=0, second=0, microsecond=0)
    offset = day.astimezone(zone).utcoffset()
    for _ in range(400):
        day += timedelta(days=1)
        if day.astimezone(zone).utcoffset() != offset:
            return day
    raise AssertionError("no DST change within 400 days")


def test_nine_oclock_stays_nine_oclock_across_dst_in_two_zones(
    client, make_courthouse, make_shift, make_token, volunteer
):
    east = make_courthouse(name="Brooklyn Criminal Court", timezone="America/New_York")
    west = make_courthouse(name="Los Angeles Superior Court", timezone="America/Los_Angeles")
    change = _next_dst_change(east.zone, datetime.now(UTC) + timedelta(days=2))
    expected = {}
    for courthouse in (east, west):
        for delta in (-2, +2):  # two days before and two days after the change
            day = (change + timedelta(days=delta)).date()
            local_nine = datetime(day.year, day.month, day.day, 9, tzinfo=courthouse.zone)
            shift = make_shift(courthouse=courthouse, start=local_nine, hours=2)
            claims.claim_shift(volunteer, shift.id)
            expected[f"shift-{shift.id}@cw.example.org"] = (courthouse.timezone, local_nine.astimezone(UTC))
    db.session.commit()
    # The two sides of the change really are different UTC instants for the same wall-clock time.
    assert len({utc.time() for _zone, utc in expected.values()}) == 4

    response = fetch(client, make_token(volunteer))
    assert response.status_code == 200
    calendar = parse_both(response.data)
    events = events_by_uid(calendar)
    assert set(events) == set(expected)
    assert {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")} == {"America/New_York", "America/Los_Angeles"}
    for uid, (tzid, utc_start) in expected.items():
        start = events[uid]["DTSTART"]
        assert start.params["TZID"] == tzid
        assert start.to_ical().endswith(b"T090000")
        assert start.dt.astimezone(UTC) == utc_start
        assert f"DTSTART;TZID={tzid}:".encode() in response.data
    # vobject resolves the TZID through the VTIMEZONE blocks in the file, independently of zoneinfo.
    for uid, event_ in vobject_events(response.data).items():
        assert event_.dtstart.value.astimezone(UTC) == expected[uid][1]
        assert event_.dtstart.value.hour == 9


def test_claimed_shift_content(client, make_courthouse, make_shift, make_token, volunteer):
    courthouse = make_courthouse(
        name="Queens Criminal Court",
        street_address="125-01 Queens Blvd",
        city="Kew Gardens",
        state="NY",
        postal_code="11415",
    )
    shift = make_shift(courthouse=courthouse, meeting_point="Front steps, by the flagpole; blue scarf")
    claims.claim_shift(volunteer, shift.id)
    db.session.commit()
    response = fetch(client, make_token(volunteer))
    calendar = parse_both(response.data)
    assert str(calendar["X-WR-CALNAME"])
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.data
    assert b"X-PUBLISHED-TTL:PT1H" in response.data
    (ev,) = calendar.walk("VEVENT")
    assert str(ev["UID"]) == f"shift-{shift.id}@cw.example.org"
    assert str(ev["SUMMARY"]) == "Observation — Queens Criminal Court"
    assert str(ev["LOCATION"]) == "Queens Criminal Court, 125-01 Queens Blvd, Kew Gardens, NY 11415"
    assert "Front steps, by the flagpole; blue scarf" in str(ev["DESCRIPTION"])
    assert f"{BASE_URL}/shifts/{shift.id}" in str(ev["DESCRIPTION"])
    assert str(ev["STATUS"]) == "CONFIRMED"
    assert "DTSTAMP" in ev and "DTEND" in ev
    # Escaping is the library's: the comma and semicolon are escaped on the wire.
    assert b"flagpole\\; blue scarf" in response.data


def test_moved_shift_keeps_uid_and_raises_sequence(client, make_shift, make_token, volunteer):
    shift = make_shift(days=5)
    claims.claim_shift(volunteer, shift.id)
    db.session.commit()
    token = make_token(volunteer)
    before = events_by_uid(parse_both(fetch(client, token).data))
    uid = f"shift-{shift.id}@cw.example.org"
    old_sequence = int(before[uid]["SEQUENCE"])

    shift_services.move_shift(
        shift, shift.starts_at + timedelta(hours=1), shift.ends_at + timedelta(hours=1), "The hearing moved."
    )
    db.session.commit()
    after = events_by_uid(parse_both(fetch(client, token).data))
    assert list(after) == [uid]
    assert int(after[uid]["SEQUENCE"]) > old_sequence
    assert after[uid]["DTSTART"].dt == before[uid]["DTSTART"].dt + timedelta(hours=1)


def test_cancelled_shift_is_published_as_cancelled(client, coordinator, make_shift, make_token, volunteer):
    shift = make_shift(days=4)
    claims.claim_shift(volunteer, shift.id)
    db.session.commit()
    token = make_token(volunteer)
    coordinator_token = make_token(coordinator, scope=FeedScope.ALL)
    first = events_by_uid(parse_both(fetch(client, token).data))
    uid = f"shift-{shift.id}@cw.example.org"

    shift_services.cancel_shift(coordinator, shift)
    db.session.commit()
    for plaintext in (token, coordinator_token):
        body = fetch(client, plaintext).data
        ev = events_by_uid(parse_both(body))[uid]
        assert str(ev["STATUS"]) == "CANCELLED"
        assert int(ev["SEQUENCE"]) > int(first[uid]["SEQUENCE"])
        assert vobject_events(body)[uid].status.value == "CANCELLED"

    # A month later the cancellation has reached every calendar; the event drops out.
    shift.cancelled_at = datetime.now(UTC) - timedelta(days=31)
    db.session.commit()
    assert uid not in events_by_uid(parse_both(fetch(client, token).data))
    assert uid not in events_by_uid(parse_both(fetch(client, coordinator_token).data))


def test_released_claim_shows_cancelled_and_reclaim_confirms_again(client, make_shift, make_token, volunteer):
    shift = make_shift(days=6)
    claims.claim_shift(volunteer, shift.id)
    db.session.commit()
    token = make_token(volunteer)
    uid = f"shift-{shift.id}@cw.example.org"
    sequences = [int(events_by_uid(parse_both(fetch(client, token).data))[uid]["SEQUENCE"])]

    claims.release_shift(volunteer, shift.id)
    db.session.commit()
    released = events_by_uid(parse_both(fetch(client, token).data))[uid]
    assert str(released["STATUS"]) == "CANCELLED"
    sequences.append(int(released["SEQUENCE"]))

    claims.claim_shift(volunteer, shift.id)
    db.session.commit()
    again = events_by_uid(parse_both(fetch(client, token).data))[uid]
    assert str(again["STATUS"]) == "CONFIRMED"
    sequences.append(int(again["SEQUENCE"]))
    assert sequences == sorted(set(sequences)), sequences  # strictly rising

    claims.release_shift(volunteer, shift.id)
    db.session.commit()
    for signup in db.session.query(ShiftSignup).filter_by(shift_id=shift.id):
        signup.released_at = datetime.now(UTC) - timedelta(days=31)
    db.session.commit()
    assert uid not in events_by_uid(parse_both(fetch(client, token).data))


def test_window_and_waitlist(client, make_courthouse, make_shift, make_token, make_user, volunteer):
    courthouse = make_courthouse()
    recent = make_shift(days=-10, courthouse=courthouse)
    old = make_shift(days=-40, courthouse=courthouse)
    for shift in (recent, old):  # past shifts cannot be claimed any more; the rows are history
        db.session.add(ShiftSignup(shift_id=shift.id, user_id=volunteer.id, status=SignupStatus.CLAIMED))
    full = make_shift(days=3, courthouse=courthouse, capacity=1)
    claims.claim_shift(make_user(), full.id)
    claims.claim_shift(volunteer, full.id, waitlist=True)
    db.session.commit()
    uids = set(events_by_uid(parse_both(fetch(client, make_token(volunteer)).data)))
    assert uids == {f"shift-{recent.id}@cw.example.org"}


def test_coordinator_feeds_show_staffing_in_one_query_per_feed(
    client, coordinator, make_courthouse, make_shift, make_token, make_user
):
    queens = make_courthouse(name="Queens Criminal Court")
    bronx = make_courthouse(name="Bronx Hall of Justice")
    volunteers = [make_user() for _ in range(2)]
    watched = make_shift(courthouse=queens, capacity=2, days=2)
    claims.claim_shift(volunteers[0], watched.id)
    make_shift(courthouse=bronx, days=2)
    db.session.commit()
    queens_token = make_token(coordinator, scope=FeedScope.COURTHOUSE, courthouse=queens)
    all_token = make_token(coordinator, scope=FeedScope.ALL)

    queens_feed = parse_both(fetch(client, queens_token).data)
    assert str(queens_feed["X-WR-CALNAME"]) == "Courtwatch: Queens Criminal Court"
    assert [str(e["SUMMARY"]) for e in queens_feed.walk("VEVENT")] == ["Observation — Queens Criminal Court (1/2)"]
    all_feed = parse_both(fetch(client, all_token).data)
    assert sorted(str(e["SUMMARY"]) for e in all_feed.walk("VEVENT")) == [
        "Observation — Bronx Hall of Justice (0/2)",
        "Observation — Queens Criminal Court (1/2)",
    ]

    few = count_queries(client, all_token)
    for day in range(3, 30):
        shift = make_shift(courthouse=queens if day % 2 else bronx, days=day)
        claims.claim_shift(volunteers[day % 2], shift.id)
    db.session.commit()
    assert count_queries(client, all_token) == few  # no query per shift


def test_volunteer_feed_has_no_query_per_shift(client, make_courthouse, make_shift, make_token, volunteer):
    courthouses = [make_courthouse() for _ in range(3)]
    claims.claim_shift(volunteer, make_shift(days=2, courthouse=courthouses[0]).id)
    db.session.commit()
    plaintext = make_token(volunteer)
    fetch(client, plaintext)  # the first fetch also records last_fetched_at (one UPDATE)
    few = count_queries(client, plaintext)
    for day in range(3, 15):
        shift = make_shift(days=day, courthouse=courthouses[day % 3])
        claims.claim_shift(volunteer, shift.id)
        if day % 4 == 0:
            claims.release_shift(volunteer, shift.id)
    db.session.commit()
    assert len(parse_both(fetch(client, plaintext).data).walk("VEVENT")) == 13
    assert count_queries(client, plaintext) == few


def test_coordinator_feed_stops_when_role_is_taken_away(client, admin, coordinator, make_token):
    from courtwatch.auth import services as auth_services

    plaintext = make_token(coordinator, scope=FeedScope.ALL)
    own = make_token(coordinator)
    assert fetch(client, plaintext).status_code == 200
    auth_services.change_role(admin, coordinator, Role.VOLUNTEER)
    db.session.commit()
    assert fetch(client, plaintext).status_code == 404
    assert fetch(client, own).status_code == 200  # their own shifts are still theirs
