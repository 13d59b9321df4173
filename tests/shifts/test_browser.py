"""On a phone (Chromium, 360x740): claim -> waitlist -> promotion, and the coordinator's gap view.

The taps go through static/shifts.js (fetch + swap): a marker set on ``window`` before a tap
must survive it, which proves the page did not reload.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from courtwatch.db import db
from courtwatch.notify.models import OutboxMessage
from courtwatch.shifts.models import ShiftSignup
from tests.conftest import TEST_PASSWORD
from tests.support.browser import PHONE

pytestmark = pytest.mark.browser


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways ({width}px)"


def _log_in(context, email: str):
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return page


def _tap_without_reload(page, card, button_name: str, expect: str) -> None:
    page.evaluate("window.__noReload = 1")
    card.get_by_role("button", name=button_name).click()
    page.locator(f"#{card.get_attribute('id')}").get_by_text(expect).first.wait_for()
    assert page.evaluate("window.__noReload") == 1


def test_claim_waitlist_promotion_on_a_phone(chromium, live_server, make_user, make_shift):
    shift = make_shift(capacity=1, minimum=1, meeting_point="Front steps")
    first, second = make_user(name="First Phone"), make_user(name="Second Phone")
    contexts = []
    for _ in range(2):
        context = chromium.new_context(
            viewport=PHONE, base_url=live_server.url, locale="en-US", is_mobile=True, has_touch=True
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
    try:
        page_a = _log_in(contexts[0], first.email)
        page_a.goto("/shifts")
        _fits(page_a)
        card = page_a.locator(f"#shift-{shift.id}")
        _tap_without_reload(page_a, card, "Claim", "You're on this shift")
        assert "Shift claimed" in page_a.locator(f"#shift-{shift.id}").inner_text()

        page_b = _log_in(contexts[1], second.email)
        page_b.goto("/shifts")
        card_b = page_b.locator(f"#shift-{shift.id}")
        assert "Full" in card_b.inner_text()
        _tap_without_reload(page_b, card_b, "Join the waitlist", "You're on the waitlist")

        page_a.goto(f"/shifts/{shift.id}")
        _fits(page_a)
        _tap_without_reload(page_a, page_a.locator(f"#shift-{shift.id}"), "Release", "You released this shift")

        page_b.goto("/me/shifts")
        _fits(page_b)
        assert "Claimed" in page_b.locator(".my-shift").inner_text()
        db.session.expire_all()
        statuses = {s.user_id: s.status for s in db.session.scalars(select(ShiftSignup))}
        assert statuses == {first.id: "released", second.id: "claimed"}
        promoted = db.session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.to_address == second.email, OutboxMessage.subject.like("You are in%")
            )
        )
        assert promoted is not None and "Front steps" in promoted.body_text
    finally:
        for context in contexts:
            context.close()


def test_claim_works_without_javascript(chromium, live_server, make_user, make_shift):
    shift = make_shift(capacity=2)
    user = make_user()
    context = chromium.new_context(viewport=PHONE, base_url=live_server.url, java_script_enabled=False)
    try:
        page = _log_in(context, user.email)
        page.goto("/shifts")
        page.locator(f"#shift-{shift.id}").get_by_role("button", name="Claim").click()
        page.wait_for_load_state()
        assert "Shift claimed" in page.content()
        assert page.url.endswith("/shifts")
    finally:
        context.close()
    db.session.expire_all()
    assert db.session.scalar(select(ShiftSignup)).status == "claimed"


def test_coordinator_gap_view_on_a_phone(phone, coordinator, make_shift, make_user):
    from courtwatch.shifts import claims

    short = make_shift(hours_ahead=20, capacity=2, minimum=2)
    empty = make_shift(hours_ahead=40, capacity=2, minimum=1)
    claims.claim_shift(make_user(name="Half Staffed"), short.id)
    db.session.commit()
    page = _log_in(phone, coordinator.email)
    page.goto("/coordinator/gaps")
    _fits(page)
    rows = page.locator(".gap-row")
    assert rows.count() == 2
    assert f"/coordinator/shifts/{empty.id}" in rows.nth(0).locator("a").get_attribute("href")
    assert "1 of 2 needed" in rows.nth(1).inner_text()
    rows.nth(1).locator("a").click()
    page.wait_for_load_state()
    assert "Half Staffed" in page.locator(".roster").inner_text()
    _fits(page)
