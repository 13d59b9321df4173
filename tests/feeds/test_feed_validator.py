"""Conditional GETs decided before the feed is built, and every kind of change reaching the ETag."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from courtwatch.courts import services as court_services
from courtwatch.db import db, utcnow
from courtwatch.feeds import content, freshness
from courtwatch.feeds import services as feed_services
from courtwatch.feeds.models import FeedScope
from courtwatch.shifts import claims
from courtwatch.shifts import services as shift_services
from tests.feeds.conftest import fetch


@contextmanager
def statements():
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _etag(client, plaintext):
    response = fetch(client, plaintext)
    assert response.status_code == 200
    return response.headers["ETag"], response.data


def _poll(client, plaintext, etag):
    return fetch(client, plaintext, headers={"If-None-Match": etag})


def test_an_unchanged_feed_answers_304_without_building(client, make_shift, make_token, volunteer, coordinator):
    claims.claim_shift(volunteer, make_shift().id)
    db.session.commit()
    for plaintext in (make_token(volunteer), make_token(coordinator, scope=FeedScope.ALL)):
        etag, _body = _etag(client, plaintext)
        with statements() as seen:
            response = _poll(client, plaintext, etag)
        assert response.status_code == 304 and response.data == b""
        assert response.headers["ETag"] == etag
        assert "private" in response.headers["Cache-Control"]
        # The token, one aggregate, the courthouses' shown columns: the feed's own queries never ran.
        assert len(seen) <= 3, seen
        assert not any("ORDER BY shift.starts_at" in statement for statement in seen), seen
        # The 200 carries the validator the 304 was decided on (weak comparison, as RFC 9110 says).
        assert _poll(client, plaintext, "W/" + etag).status_code == 304


class World:
    """Who and what a change is made with."""

    def __init__(self, volunteer, other, coordinator, make_shift):
        self.volunteer, self.other, self.coordinator, self.make_shift = volunteer, other, coordinator, make_shift

    def claimed_shift(self):
        shift = self.make_shift(days=4)
        claims.claim_shift(self.volunteer, shift.id)
        db.session.commit()
        return db.session.get(type(shift), shift.id)


def claim_by_someone_else(world):
    shift = world.make_shift(days=4)
    return lambda: claims.claim_shift(world.other, shift.id)


def cancellation(world):
    shift = world.claimed_shift()
    return lambda: shift_services.cancel_shift(world.coordinator, db.session.get(type(shift), shift.id), "closed")


def time_change(world):
    shift = world.claimed_shift()

    def change():
        shift_ = db.session.get(type(shift), shift.id)
        shift_services.update_shift(
            world.coordinator,
            shift_,
            starts_at=shift_.starts_at + timedelta(hours=1),
            ends_at=shift_.ends_at + timedelta(hours=1),
            capacity=shift_.capacity,
            minimum=shift_.minimum,
            training_id=shift_.training_id,
            language=shift_.language,
            meeting_point=shift_.meeting_point,
            notes=shift_.notes or "",
        )

    return change


def release(world):
    shift = world.claimed_shift()
    return lambda: claims.release_shift(world.volunteer, shift.id)


def deletion(world):
    shift = world.claimed_shift()

    def change():
        shift_ = db.session.get(type(shift), shift.id)
        for signup in list(shift_.signups):
            db.session.delete(signup)
        db.session.delete(shift_)

    return change


def courthouse_renamed(world):
    courthouse = world.claimed_shift().courthouse
    values = {
        "name": courthouse.name + " (annex)",
        "slug": courthouse.slug,
        "timezone": courthouse.timezone,
        "county": courthouse.county,
        "state": courthouse.state,
        "city": courthouse.city,
        "street_address": courthouse.street_address,
        "court_types": ["criminal"],
    }
    return lambda: court_services.update_courthouse(None, courthouse, **values)


# name -> (whose feeds must notice: the volunteer's too, or only the coordinator's; the set-up)
CHANGES = {
    "claim by someone else": (False, claim_by_someone_else),
    "cancellation": (True, cancellation),
    "time change": (True, time_change),
    "release of a sign-up": (True, release),
    "deletion": (True, deletion),
    "courthouse renamed": (True, courthouse_renamed),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_to_a_feed_changes_its_validator(
    change, client, make_shift, make_token, make_user, volunteer, coordinator
):
    volunteers_feed_too, set_up = CHANGES[change]
    make_change = set_up(World(volunteer, make_user(name="Otto Other"), coordinator, make_shift))
    tokens = [make_token(coordinator, scope=FeedScope.ALL)]
    if volunteers_feed_too:
        tokens.append(make_token(volunteer))
    before = {plaintext: _etag(client, plaintext) for plaintext in tokens}
    for plaintext, (etag, _body) in before.items():
        assert _poll(client, plaintext, etag).status_code == 304

    make_change()
    db.session.commit()

    for plaintext, (etag, body) in before.items():
        response = _poll(client, plaintext, etag)
        assert response.status_code == 200, change
        assert response.headers["ETag"] != etag
        assert response.data != body
        # ... and the new validator holds until the next change.
        assert _poll(client, plaintext, response.headers["ETag"]).status_code == 304


def test_time_alone_moves_the_validator_when_the_feed_would_change(app, make_shift, make_token, volunteer):
    """A released shift leaves the volunteer's feed RECENT_DAYS later with no row changing."""
    shift = make_shift(days=2)
    claims.claim_shift(volunteer, shift.id)
    claims.release_shift(volunteer, shift.id)
    db.session.commit()
    token = feed_services.find_token(make_token(volunteer))
    now = utcnow()
    later = now + timedelta(days=content.RECENT_DAYS, hours=1)
    assert any(entry.shift.id == shift.id for entry in content.volunteer_entries(volunteer.id, now))
    assert not any(entry.shift.id == shift.id for entry in content.volunteer_entries(volunteer.id, later))
    assert freshness.feed_validator(token, "en", now) == freshness.feed_validator(token, "en", now + timedelta(hours=1))
    assert freshness.feed_validator(token, "en", now) != freshness.feed_validator(token, "en", later)
    # The language the feed is written in is part of it too.
    assert freshness.feed_validator(token, "en", now) != freshness.feed_validator(token, "es", now)
