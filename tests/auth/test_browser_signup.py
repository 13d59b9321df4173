"""Sign-up on a phone, end to end in Chromium: register, wait, get approved, get in.

Two browser contexts (two phones, no shared cookies): the volunteer's and the coordinator's.
Every page on the way must fit a 360 px screen without sideways scrolling.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from courtwatch.auth.models import AccountStatus, User
from courtwatch.db import db
from tests.conftest import TEST_PASSWORD
from tests.support.browser import PHONE

pytestmark = pytest.mark.browser

VOLUNTEER_PASSWORD = "phone typed secret"


def _assert_fits_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways ({width}px)"


def _log_in(page, email: str, password: str) -> None:
    page.goto("/login")
    _assert_fits_phone(page)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_register_wait_for_approval_and_get_in(chromium, phone, live_server, make_user, make_courthouse):
    coordinator = make_user("coordinator", name="Cora Coordinator")
    make_courthouse(name="Suffolk Superior Courthouse")

    volunteer = phone.new_page()
    volunteer.goto("/register")
    _assert_fits_phone(volunteer)
    volunteer.get_by_label("Name", exact=True).fill("Paz Nueva")
    volunteer.get_by_label("Email", exact=True).fill("paz@example.org")
    volunteer.get_by_label("Password (at least 10 characters)").fill(VOLUNTEER_PASSWORD)
    volunteer.get_by_label("Password again").fill(VOLUNTEER_PASSWORD)
    volunteer.get_by_label("Spanish", exact=True).check()
    volunteer.get_by_role("button", name=re.compile("create|register|sign up", re.I)).click()
    volunteer.wait_for_url(re.compile(r"/login$"))
    assert "We have sent a message to paz@example.org" in volunteer.content()
    _log_in(volunteer, "paz@example.org", VOLUNTEER_PASSWORD)
    volunteer.wait_for_url(re.compile(r"/account$"))
    notice = volunteer.locator("#pending-notice")
    assert notice.is_visible()
    assert "approval" in notice.inner_text()
    _assert_fits_phone(volunteer)
    # Still pending: the courthouse list is closed.
    volunteer.goto("/courthouses")
    assert volunteer.url.endswith("/account")

    staff_context = chromium.new_context(
        viewport=PHONE, base_url=live_server.url, locale="en-US", is_mobile=True, has_touch=True
    )
    try:
        staff = staff_context.new_page()
        staff.set_default_timeout(10_000)
        _log_in(staff, coordinator.email, TEST_PASSWORD)
        staff.goto("/coordinator/volunteers")
        _assert_fits_phone(staff)
        row = staff.locator("li.row", has_text="Paz Nueva")
        row.get_by_role("button", name="Approve").click()
        staff.wait_for_load_state()
        assert "Approved Paz Nueva" in staff.content()
        _assert_fits_phone(staff)
    finally:
        staff_context.close()

    db.session.expire_all()
    assert db.session.scalar(select(User.status).where(User.email == "paz@example.org")) == AccountStatus.ACTIVE

    # The volunteer logs out and in again, and now reaches the start page and the courthouses.
    volunteer.goto("/account")
    volunteer.get_by_text("Menu").click()
    volunteer.get_by_role("button", name="Log out", exact=True).click()
    volunteer.wait_for_url(re.compile(r"/login$"))
    _log_in(volunteer, "paz@example.org", VOLUNTEER_PASSWORD)
    assert volunteer.url.rstrip("/") == live_server.url
    _assert_fits_phone(volunteer)
    volunteer.goto("/courthouses")
    assert volunteer.url.endswith("/courthouses")
    assert volunteer.get_by_text("Suffolk Superior Courthouse").is_visible()
    _assert_fits_phone(volunteer)
