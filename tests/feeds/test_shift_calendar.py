""" "Add to calendar" for one shift: the .ics download, Google and Outlook links, and the QR code
on the calendar-link page. Times are checked as UTC instants with the process in Auckland."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from courtwatch.courts.hearing_models import Hearing
from courtwatch.courts.hearing_services import save_accompaniment_request
from courtwatch.db import db
from courtwatch.shifts import claims
from courtwatch.shifts.models import Shift
from tests.feeds.conftest import parse_both


@pytest.fixture
def auckland_process(process_zone):
    """The server process in Pacific/Auckland (CI runs PostgreSQL that way): nothing may use it."""
    process_zone("Pacific/Auckland")


@pytest.fixture
def chicago_shift(make_shift, make_courthouse):
    courthouse = make_courthouse(name="Cook County Court", timezone="America/Chicago", street_address="50 W Washington")
    start = datetime(2027, 1, 15, 8, 30, tzinfo=ZoneInfo("America/Chicago"))
    return make_shift(courthouse=courthouse, start=start, hours=4, meeting_point="North doors")


def test_ics_download_is_one_event_at_the_right_instant(auckland_process, volunteer_client, chicago_shift):
    response = volunteer_client.get(f"/shifts/{chicago_shift.id}/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    disposition = response.headers["Content-Disposition"]
    assert (
        disposition.startswith("attachment;") and f'filename="courtwatch-shift-{chicago_shift.id}.ics"' in disposition
    )
    calendar = parse_both(response.data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    # 08:30 in Chicago in January (CST, UTC-6) is 14:30 UTC, whatever the process's zone.
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2027, 1, 15, 14, 30, tzinfo=UTC)
    assert event.decoded("DTEND").astimezone(UTC) == datetime(2027, 1, 15, 18, 30, tzinfo=UTC)
    assert event["DTSTART"].params["TZID"] == "America/Chicago"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
    assert "North doors" in str(event["DESCRIPTION"])


def test_google_and_outlook_links_carry_utc_times(auckland_process, volunteer_client, chicago_shift):
    html = volunteer_client.get(f"/shifts/{chicago_shift.id}/add-to-calendar").get_data(as_text=True)
    google = _href(html, "cal-google")
    outlook = _href(html, "cal-outlook")
    parts = urlsplit(google)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://calendar.google.com/calendar/render"
    query = parse_qs(parts.query)
    assert query["action"] == ["TEMPLATE"]
    assert query["dates"] == ["20270115T143000Z/20270115T183000Z"]
    assert query["text"] == ["Observation — Cook County Court"]
    assert "North doors" in query["details"][0]
    parts = urlsplit(outlook)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://outlook.live.com/calendar/0/deeplink/compose"
    query = parse_qs(parts.query)
    assert query["startdt"] == ["2027-01-15T14:30:00Z"]
    assert query["enddt"] == ["2027-01-15T18:30:00Z"]
    assert query["rru"] == ["addevent"]
    assert f'href="/shifts/{chicago_shift.id}/calendar.ics"' in html


def _href(html: str, element_id: str) -> str:
    import html as html_module
    import re

    match = re.search(rf'id="{element_id}" href="([^"]+)"', html)
    assert match, element_id
    return html_module.unescape(match.group(1))


def test_accompanied_person_never_in_calendar_links(app, volunteer_client, make_courthouse, make_shift):
    """The person's name and meeting notes, and the hearing's caption, stay out of the .ics and both links."""
    courthouse = make_courthouse()
    hearing = Hearing(
        courthouse_id=courthouse.id, starts_at=datetime(2027, 2, 1, 15, tzinfo=UTC), title="People v. Quixote"
    )
    db.session.add(hearing)
    db.session.flush()
    save_accompaniment_request(None, hearing, person_label="Zelda", meeting_notes="Blue bench by the lifts")
    db.session.commit()
    # Saving the request opened the hearing's accompaniment shift (shifts.hearing_hooks).
    shift = db.session.scalar(select(Shift).where(Shift.hearing_id == hearing.id))
    assert shift is not None and shift.kind == "accompaniment"
    bodies = [
        volunteer_client.get(f"/shifts/{shift.id}/calendar.ics").get_data(as_text=True),
        volunteer_client.get(f"/shifts/{shift.id}/add-to-calendar").get_data(as_text=True),
    ]
    for body in bodies:
        for secret in ("Zelda", "Quixote", "Blue bench"):
            assert secret not in body


def test_calendar_link_page_shows_qr_https_link_and_steps(volunteer_client):
    response = volunteer_client.post("/account/calendar/links", data={"label": "phone"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="feed-qr"' in html and "<svg" in html and "<path" in html
    https = _code(html, "feed-https")
    assert https.startswith("https://") and https.endswith(".ics")
    assert 'href="webcal://' in html
    for heading in ("Google Calendar", "Apple Calendar", "Outlook"):
        assert heading in html


def _code(html: str, element_id: str) -> str:
    import re

    match = re.search(rf'<code id="{element_id}"[^>]*>([^<]+)</code>', html)
    assert match, element_id
    return match.group(1)


def test_claimed_shift_page_has_add_to_calendar(volunteer, volunteer_client, chicago_shift):
    claims.claim_shift(volunteer, chicago_shift.id)
    db.session.commit()
    html = volunteer_client.get(f"/shifts/{chicago_shift.id}").get_data(as_text=True)
    assert f'href="/shifts/{chicago_shift.id}/add-to-calendar"' in html
