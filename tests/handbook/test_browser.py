"""In Chromium at a phone (360x740) and a laptop (1280x800): the know-your-rights card (fits the
screen, readable, one printed page, opens with a tap from the start page) and the Today card
(shows the shift on now; "I'm here" records the arrival; "Write a report" opens the form with
the courthouse chosen). JavaScript is switched off for the card, which must not need it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from courtwatch.db import db, utcnow
from courtwatch.shifts import claims, services
from courtwatch.shifts.models import ShiftSignup
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": {"width": 360, "height": 740}, "laptop": {"width": 1280, "height": 800}}


def _context(chromium, live_server, width_name: str, **extra):
    context = chromium.new_context(
        viewport=VIEWPORTS[width_name],
        base_url=live_server.url,
        locale="en-US",
        timezone_id="Pacific/Auckland",
        is_mobile=width_name == "phone",
        has_touch=width_name == "phone",
        **extra,
    )
    context.set_default_timeout(10_000)
    return context


def _log_in(context, email: str):
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    return page


def _fits(page, width_name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[width_name]["width"], f"{page.url} scrolls sideways ({width}px)"


@pytest.mark.parametrize("width_name", list(VIEWPORTS))
def test_rights_card_one_tap_readable_and_one_printed_page(chromium, live_server, volunteer, width_name, tmp_path):
    context = _context(chromium, live_server, width_name, java_script_enabled=False)
    try:
        page = _log_in(context, volunteer.email)
        page.locator("#rights-link").click()
        page.wait_for_url("**/rights")
        assert page.locator("h1").inner_text() == "Know your rights"
        _fits(page, width_name)
        card = page.locator("#rights-card")
        assert "I-200" in card.inner_text() and "judge" in card.inner_text()
        font_size = float(card.locator("li").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
        assert font_size >= 16
        page.emulate_media(media="print")
        assert not page.locator("header.topbar").is_visible()
        pdf = page.pdf(format="Letter", print_background=False)
        page.emulate_media(media="screen")
        page.screenshot(path=str(tmp_path / f"rights-{width_name}.png"), full_page=True)
        assert _pdf_pages(pdf) == 1, f"{_pdf_pages(pdf)} printed pages"
    finally:
        context.close()


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


@pytest.mark.parametrize("width_name", list(VIEWPORTS))
def test_today_card_check_in_and_report(chromium, live_server, volunteer, make_courthouse, width_name, tmp_path):
    make_courthouse(name="Elsewhere Court")
    courthouse = make_courthouse(name="Honolulu District Court", timezone="Pacific/Honolulu")
    start = utcnow().replace(microsecond=0) - timedelta(minutes=20)
    shift = services.create_shift(
        None,
        courthouse=courthouse,
        kind="observation",
        starts_at=start,
        ends_at=start + timedelta(hours=4),
        meeting_point="Mauka entrance",
    )
    db.session.commit()
    claims.claim_shift(volunteer, shift.id, now=start - timedelta(days=1))
    db.session.commit()
    context = _context(chromium, live_server, width_name)
    try:
        page = _log_in(context, volunteer.email)
        card = page.locator("#today-card")
        assert card.is_visible()
        assert "Mauka entrance" in card.inner_text() and "Honolulu District Court" in card.inner_text()
        _fits(page, width_name)
        card.get_by_role("button", name="I'm here").click()
        page.locator("#today-checked-in").wait_for()
        db.session.expire_all()
        signup = db.session.scalar(select(ShiftSignup).where(ShiftSignup.shift_id == shift.id))
        assert signup.checked_in_at is not None
        page.screenshot(path=str(tmp_path / f"today-{width_name}.png"), full_page=True)
        page.locator("#today-report").click()
        page.wait_for_url("**/observations/new**")
        assert page.locator("select[name=courthouse_id]").input_value() == str(courthouse.id)
    finally:
        context.close()
