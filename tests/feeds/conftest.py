"""Feed test helpers: shifts made through the shifts services, tokens, and two independent parsers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import vobject

from courtwatch.db import db
from courtwatch.feeds import services as feed_services
from courtwatch.feeds.models import FeedScope
from courtwatch.shifts import services as shift_services

BASE_URL = "https://cw.example.org"


@pytest.fixture
def test_config(test_config):
    return {**test_config, "BASE_URL": BASE_URL}


@pytest.fixture
def make_shift(app, make_courthouse):
    """make_shift(days=3, hour=9, courthouse=None, kind="observation", **kw): a shift at hour:00 local."""

    def make(
        days: float = 3,
        hour: int = 9,
        *,
        courthouse=None,
        kind: str = "observation",
        hours: int = 4,
        start: datetime | None = None,
        **values,
    ):
        courthouse = courthouse or make_courthouse()
        if start is None:
            local_day = (datetime.now(UTC) + timedelta(days=days)).astimezone(courthouse.zone).date()
            start = datetime(local_day.year, local_day.month, local_day.day, hour, tzinfo=courthouse.zone)
        start = start.astimezone(UTC)
        shift = shift_services.create_shift(
            None, courthouse=courthouse, kind=kind, starts_at=start, ends_at=start + timedelta(hours=hours), **values
        )
        db.session.commit()
        return shift

    return make


@pytest.fixture
def make_token(app):
    """make_token(user, scope=..., courthouse=...) -> plaintext token (committed)."""

    def make(user, scope: str = FeedScope.VOLUNTEER, courthouse=None, label: str = "phone"):
        _token, plaintext = feed_services.create_token(user, label=label, scope=scope, courthouse=courthouse)
        db.session.commit()
        return plaintext

    return make


def feed_path(plaintext: str) -> str:
    return f"/feeds/{plaintext}.ics"


def parse_both(body: bytes) -> icalendar.Calendar:
    """Parse with icalendar and, independently, with vobject (validating); return icalendar's view."""
    text = body.decode("utf-8")
    vobject.readOne(text, validate=True)
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0"
    assert "PRODID" in calendar
    assert calendar["METHOD"] == "PUBLISH"
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line
    return calendar


def vobject_events(body: bytes) -> dict[str, object]:
    calendar = vobject.readOne(body.decode("utf-8"), validate=True)
    return {event.uid.value: event for event in getattr(calendar, "vevent_list", [])}


def events_by_uid(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def fetch(client, plaintext: str, **kwargs):
    db.session.expire_all()
    return client.get(feed_path(plaintext), **kwargs)
