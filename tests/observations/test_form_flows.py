"""The report form as volunteers hit it: stray taps on "Nothing observed", resends with photos,
and the time the form starts with, in courthouses on both sides of the date line."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from courtwatch.auth.models import Role
from courtwatch.db import db
from courtwatch.notify.models import OutboxMessage
from courtwatch.observations.models import Observation, ObservationPhoto
from tests.conftest import TEST_PASSWORD
from tests.observations.conftest import arrest_form, jpeg_bytes, report_form
from tests.support.browser import PHONE


def _stored() -> list[Observation]:
    db.session.expire_all()
    return list(db.session.scalars(select(Observation)))


def _urgent_mail() -> int:
    """Urgent messages about a report: one per coordinator (the alert, or the report notice when
    no alert was raised), never both."""
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.urgent.is_(True)))


# ---------------------------------------------------------------- "Nothing observed" after typing
def test_nothing_observed_over_a_half_typed_arrest_asks_first_and_keeps_everything(
    volunteer_client, court, coordinator
):
    data = arrest_form(court, nothing_observed="y")
    response = volunteer_client.post("/observations/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "You filled in agents, an arrest and a description. Send as nothing observed and lose them?" in html
    assert "Yes, send as nothing observed" in html
    assert "Three agents in ICE vests handcuffed a man" in html  # what was typed comes back
    assert _stored() == []


def test_confirmed_nothing_observed_stores_one_consistent_quiet_report(volunteer_client, court, coordinator):
    data = arrest_form(court, nothing_observed="confirm")
    response = volunteer_client.post("/observations/new", data=data)
    assert response.status_code == 302
    (report,) = _stored()
    assert report.nothing_observed and report.action == "none" and report.agents_present == "no"
    assert report.narrative == "" and report.vehicles == "" and report.target_role is None
    assert _urgent_mail() == 0  # decided from what was stored: a quiet day alerts nobody


def test_nothing_observed_on_an_empty_form_sends_at_once(volunteer_client, court):
    data = report_form(
        court,
        agents_present=None,
        agent_count=None,
        agencies=None,
        attire=None,
        markings=None,
        vehicles=None,
        identified_themselves=None,
        action=None,
        narrative=None,
        nothing_observed="y",
    )
    response = volunteer_client.post("/observations/new", data=data)
    assert response.status_code == 302
    (report,) = _stored()
    assert report.nothing_observed


def test_an_arrest_alerts_coordinators_from_the_stored_report(volunteer_client, court, coordinator):
    response = volunteer_client.post("/observations/new", data=arrest_form(court))
    assert response.status_code == 302
    assert _stored()[0].action == "arrest"
    assert _urgent_mail() == 1


# ---------------------------------------------------------------- photos on a resend
def test_a_resend_with_photos_attaches_them_when_the_first_copy_had_none(volunteer_client, court):
    data = report_form(court)
    assert volunteer_client.post("/observations/new", data=dict(data)).status_code == 302
    assert _stored()[0].photos == []
    again = dict(
        data,
        photos=[
            (io.BytesIO(jpeg_bytes()), "IMG_1.JPG", "image/jpeg"),
            (io.BytesIO(jpeg_bytes(color=(0, 90, 0))), "IMG_2.JPG", "image/jpeg"),
        ],
    )
    response = volunteer_client.post("/observations/new", data=again)
    assert response.status_code == 302
    (report,) = _stored()
    assert len(report.photos) == 2


def test_a_resend_does_not_double_photos_the_first_copy_had(volunteer_client, court):
    first = dict(report_form(court), photos=[(io.BytesIO(jpeg_bytes()), "IMG_1.JPG", "image/jpeg")])
    key = first["idempotency_key"]
    assert volunteer_client.post("/observations/new", data=first).status_code == 302
    again = dict(
        report_form(court, idempotency_key=key), photos=[(io.BytesIO(jpeg_bytes()), "IMG_1.JPG", "image/jpeg")]
    )
    again.update({k: v for k, v in first.items() if k != "photos"})
    assert volunteer_client.post("/observations/new", data=again).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ObservationPhoto)) == 1


# ---------------------------------------------------------------- the time the form starts with
ZONES = ["America/Los_Angeles", "Pacific/Auckland", "Pacific/Honolulu"]


@pytest.mark.parametrize("zone", ZONES)
def test_the_form_opened_from_a_courthouse_starts_at_its_local_time(volunteer_client, make_courthouse, zone):
    courthouse = make_courthouse(timezone=zone)
    make_courthouse(timezone="America/New_York")  # a second zone, so no single zone is assumed
    html = volunteer_client.get(f"/observations/new?courthouse={courthouse.id}").get_data(as_text=True)
    local = datetime.now(UTC).astimezone(courthouse.zone)
    assert f'value="{local:%Y-%m-%d}"' in html
    shown = datetime.strptime(html.split('id="observed_time"')[1].split('value="')[1][:5], "%H:%M")
    minutes = lambda t: t.hour * 60 + t.minute  # noqa: E731
    assert abs(minutes(shown) - minutes(local)) % (24 * 60) <= 2


@pytest.mark.browser
@pytest.mark.parametrize("zone", ["Pacific/Auckland", "America/Los_Angeles"])
def test_the_form_from_the_menu_uses_the_phones_time_then_the_courthouses(
    chromium, live_server, make_user, make_courthouse, zone
):
    """Opened from the menu with no courthouse: the phone's time. Choosing one: that courthouse's time.
    Sent straight away, it is not "in the future" (it was, in UTC, west of Greenwich)."""
    volunteer = make_user(Role.VOLUNTEER)
    honolulu = make_courthouse(name="Honolulu District Court", timezone="Pacific/Honolulu")
    make_courthouse(name="Auckland District Court", timezone="Pacific/Auckland")
    context = chromium.new_context(
        viewport=PHONE, base_url=live_server.url, locale="en-US", timezone_id=zone, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email", exact=True).fill(volunteer.email)
        page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/")
        page.goto("/observations/new")
        phone_now = page.evaluate("""() => { const d = new Date(); const p = n => String(n).padStart(2, '0');
            return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()); }""")
        assert page.locator("#observed_date").input_value() == phone_now
        page.locator("#courthouse_id").select_option(str(honolulu.id))
        honolulu_now = datetime.now(UTC).astimezone(honolulu.zone)
        assert page.locator("#observed_date").input_value() == f"{honolulu_now:%Y-%m-%d}"
        assert page.locator("#observed_time").input_value()[:2] == f"{honolulu_now:%H}" or honolulu_now.minute == 59
        page.get_by_role("button", name="Nothing observed — send now").click()
        page.wait_for_url(re.compile(r"/observations/\d+$"))
        assert "future" not in page.content()
    finally:
        context.close()
    (report,) = _stored()
    assert report.nothing_observed and report.courthouse_id == honolulu.id
    assert abs((report.observed_at - datetime.now(UTC)).total_seconds()) < 180


@pytest.mark.browser
def test_a_stray_nothing_observed_tap_in_the_browser_asks_and_keeps_the_report(phone, make_user, court):
    volunteer = make_user(Role.VOLUNTEER)
    page = phone.new_page()
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(volunteer.email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    page.goto(f"/observations/new?courthouse={court.id}")
    assert not page.locator("#discard-draft").is_visible()  # nothing typed yet: nothing to discard
    page.locator('input[name="agents_present"][value="yes"]').check()
    page.locator('input[name="action"][value="arrest"]').check()
    page.locator("#narrative").fill("Two agents grabbed a man by the elevators and took him outside.")
    page.get_by_role("button", name="Nothing observed — send now").click()
    question = page.locator(".obs-nothing-question")
    question.wait_for(state="visible")
    assert "Send as nothing observed and lose them?" in question.inner_text()
    assert page.locator("#narrative").input_value().startswith("Two agents grabbed")
    assert _stored() == []


@pytest.mark.browser
def test_no_signal_message_appears_beside_the_send_button(phone, make_user, court):
    volunteer = make_user(Role.VOLUNTEER)
    page = phone.new_page()
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(volunteer.email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    page.goto(f"/observations/new?courthouse={court.id}")
    page.locator('input[name="agents_present"][value="no"]').check()
    page.locator('input[name="action"][value="none"]').check()
    phone.set_offline(True)
    button = page.get_by_role("button", name="Send report")
    button.scroll_into_view_if_needed()
    button.click()
    status = page.get_by_text("No signal: the report is kept on this phone")
    status.wait_for(state="visible")
    assert status.is_visible()
    status_box, button_box = status.bounding_box(), button.bounding_box()
    assert abs(status_box["y"] - button_box["y"]) < PHONE["height"] / 2  # on screen with the button
    phone.set_offline(False)
