"""In Chromium at 360x740 and 1280x800, in a time zone far from the server's: a coordinator finds
the next hearing, carries the need and reads the case's timeline; the volunteer who went last time
opens the offer from the start page and claims it. No page scrolls sideways."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from courtwatch.db import db
from courtwatch.shifts.models import ShiftSignup
from tests.conftest import TEST_PASSWORD
from tests.support.browser import PHONE
from tests.support.cases import day, hearings_by_number, import_docket, write_docket

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}


def _context(chromium, live_server, viewport, zone):
    context = chromium.new_context(
        viewport=viewport,
        base_url=live_server.url,
        locale="en-US",
        timezone_id=zone,
        is_mobile=viewport is PHONE,
        has_touch=viewport is PHONE,
    )
    context.set_default_timeout(10_000)
    return context


def _log_in(context, email: str):
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return page


def _fits(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{page.url} scrolls sideways"
    assert page.locator("h1").count() == 1


@pytest.mark.parametrize("viewport,zone", [(PHONE, "Pacific/Auckland"), (LAPTOP, "America/Los_Angeles")])
def test_next_hearing_carried_and_claimed_in_a_browser(
    chromium, live_server, case_with_history, tmp_path, viewport, zone
):
    import_docket(
        write_docket(tmp_path, "later.csv", [("CR-555", day(20), "2:00 PM")]), case_with_history["courthouse"], "Later"
    )
    later = hearings_by_number()["CR-555"][1]
    db.session.commit()
    coordinator_context = _context(chromium, live_server, viewport, zone)
    volunteer_context = _context(chromium, live_server, viewport, zone)
    try:
        page = _log_in(coordinator_context, case_with_history["coordinator"].email)
        page.get_by_role("link", name="1 next hearing found for someone accompanied before").click()
        page.wait_for_load_state()
        _fits(page, viewport["width"])
        page.get_by_role("button", name="Carry the need to this hearing").click()
        page.wait_for_load_state()
        assert "Next hearings found" in page.locator("h1").inner_text()
        assert "Nothing waiting." in page.content()
        page.goto(f"/hearings/{later.id}")
        _fits(page, viewport["width"])
        page.get_by_role("link", name="Case timeline (2 hearings)").click()
        page.wait_for_load_state()
        _fits(page, viewport["width"])
        timeline = page.locator("main").inner_text()
        assert "Maya, Samuel" in timeline and "Quintero" not in timeline and "CR-555" not in timeline

        page = _log_in(volunteer_context, case_with_history["maya"].email)
        page.get_by_role("link", name="You are asked first").click()
        page.wait_for_load_state()
        _fits(page, viewport["width"])
        page.get_by_role("button", name="Claim").click()
        page.get_by_text("You're on this shift").first.wait_for()
        _fits(page, viewport["width"])
    finally:
        coordinator_context.close()
        volunteer_context.close()
    db.session.expire_all()
    claimed = db.session.scalars(
        select(ShiftSignup.user_id).where(ShiftSignup.status == "claimed").order_by(ShiftSignup.id)
    ).all()
    assert claimed[-1] == case_with_history["maya"].id
