"""On a phone (Chromium, 360x740): a report typed with no signal is kept, sent once, never doubled.

Playwright's offline mode cuts the network for the whole browser context, as a courthouse
basement does. The server must end up with exactly one report even after a forced resend of
the same payload, and a report must survive an expired session
(kept in the phone's queue, sent once the volunteer is back).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from courtwatch.db import db
from courtwatch.observations.models import Observation
from tests.conftest import TEST_PASSWORD
from tests.support.browser import PHONE

pytestmark = pytest.mark.browser

NARRATIVE = "Two men in plain clothes with earpieces by the metal detectors, 9:10 to 9:40."
DRAFT_KEYS = "Object.keys(localStorage).filter(k => k.startsWith('courtwatch:observation-draft:'))"
FORM_ENTRIES = """() => Array.from(new FormData(document.getElementById('observation-form')).entries())
                   .filter(([k, v]) => typeof v === 'string')"""


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways ({width}px)"


def _log_in(page, email: str) -> None:
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Observation))


def _fill_sighting(page) -> None:
    assert not page.locator("#field-agent_count").is_visible()  # no agents yet: details out of the way
    page.locator('input[name="agents_present"][value="yes"]').check()
    assert page.locator("#field-agent_count").is_visible()
    page.locator("#agent_count").fill("2")
    page.locator('input[name="agencies"][value="ice_ero"]').check()
    page.locator('input[name="action"][value="sighting"]').check()
    assert not page.locator("#field-warrant").is_visible()  # only for arrests
    page.locator("#narrative").fill(NARRATIVE)


def test_offline_draft_survives_and_a_forced_resend_makes_one_report(phone, make_user, make_courthouse):
    volunteer = make_user(name="Vera Volunteer")
    court = make_courthouse(name="Chelsea District Court", court_types=["criminal"])
    page = phone.new_page()
    page.goto("/login")
    _log_in(page, volunteer.email)
    page.goto(f"/observations/new?courthouse={court.id}")
    _fits(page)
    assert page.locator("#courthouse_id").input_value() == str(court.id)
    _fill_sighting(page)
    key = page.locator('input[name="idempotency_key"]').input_value()
    assert len(key) >= 8

    payload = page.evaluate(FORM_ENTRIES)

    # The signal drops; tapping Send keeps everything on the phone, in the queue, with its key.
    phone.set_offline(True)
    page.get_by_role("button", name="Send report").click()
    # Beside the Send button, where the volunteer looks ("Sending…" first, while it is stored).
    page.locator("#send-status", has_text="No signal").wait_for(state="visible")
    page.locator("#report-queue").get_by_text("1 report waiting to send").wait_for()
    assert page.evaluate("CourtwatchQueue.all().then(rs => rs.map(r => r.key))") == [key]
    assert page.evaluate(DRAFT_KEYS) == []  # the queue holds it now, not the draft
    assert page.locator("#narrative").input_value() == ""  # ready for the next report
    assert _count() == 0
    page.close()  # the volunteer pockets the phone; the tab is gone

    # Signal is back; the next page that opens sends it, once.
    phone.set_offline(False)
    page = phone.new_page()
    page.goto("/")
    page.wait_for_selector("html[data-queue-count='0']", state="attached", timeout=30_000)
    _fits(page)
    assert _count() == 1
    stored_url = f"/observations/{db.session.scalar(select(Observation.id))}"

    # A forced resend of exactly the same payload (same key) returns the stored report.
    status_code, body = page.evaluate(
        """async (entries) => {
             const response = await fetch('/observations/new', {method: 'POST', body: new URLSearchParams(entries),
                                                                 headers: {'X-Requested-With': 'fetch'}});
             return [response.status, await response.json()];
           }""",
        payload,
    )
    assert status_code == 200 and body["created"] is False
    assert stored_url.endswith(body["url"])
    assert _count() == 1
    db.session.expire_all()
    observation = db.session.scalar(select(Observation))
    assert observation.narrative == NARRATIVE and observation.idempotency_key == key
    assert observation.reporter_id == volunteer.id


def test_draft_survives_an_expired_session(phone, make_user, make_courthouse):
    volunteer = make_user()
    court = make_courthouse()
    page = phone.new_page()
    page.goto("/login")
    _log_in(page, volunteer.email)
    page.goto(f"/observations/new?courthouse={court.id}")
    _fill_sighting(page)
    phone.clear_cookies()  # the session ended while the phone was in a pocket
    page.get_by_role("button", name="Send report").click()
    page.wait_for_url(re.compile(r"/login"))
    assert _count() == 0
    _log_in(page, volunteer.email)
    # Kept in the phone's queue meanwhile; the first page after logging in again sends it.
    page.wait_for_selector("html[data-queue-count='0']", state="attached", timeout=30_000)
    assert _count() == 1


def test_nothing_observed_is_one_tap(phone, make_user, make_courthouse):
    volunteer = make_user()
    court = make_courthouse()
    page = phone.new_page()
    page.goto("/login")
    _log_in(page, volunteer.email)
    page.goto(f"/observations/new?courthouse={court.id}")
    page.get_by_role("button", name=re.compile("Nothing observed")).click()
    page.wait_for_url(re.compile(r"/observations/\d+$"))
    db.session.expire_all()
    assert db.session.scalar(select(Observation.nothing_observed)) is True


def test_a_refused_report_comes_back_in_place_with_messages_and_nothing_lost(phone, make_user, make_courthouse):
    volunteer = make_user()
    court = make_courthouse()
    page = phone.new_page()
    page.goto("/login")
    _log_in(page, volunteer.email)
    page.goto(f"/observations/new?courthouse={court.id}")
    page.locator('input[name="agents_present"][value="yes"]').check()
    page.locator('input[name="action"][value="arrest"]').check()
    assert page.locator("#field-warrant").is_visible()
    page.locator("#narrative").fill(NARRATIVE)
    key = page.locator('input[name="idempotency_key"]').input_value()
    page.get_by_role("button", name="Send report").click()
    page.locator("#field-warrant .error").wait_for()
    assert page.locator("#narrative").input_value() == NARRATIVE
    assert page.locator('input[name="idempotency_key"]').input_value() == key
    assert _count() == 0
    _fits(page)
    page.locator('input[name="warrant"][value="none_shown"]').check()
    page.locator("#target_role").select_option("witness")
    page.get_by_role("button", name="Send report").click()
    page.wait_for_url(re.compile(r"/observations/\d+$"))
    assert _count() == 1
    db.session.expire_all()
    assert db.session.scalar(select(Observation.warrant)) == "none_shown"
