"""Claim, release and waitlist on a phone that loses signal, and the card after a refused release."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from courtwatch.db import db
from courtwatch.shifts import claims
from courtwatch.shifts.models import ShiftSignup
from tests.conftest import TEST_PASSWORD
from tests.support.browser import PHONE


@pytest.mark.browser
def test_no_signal_says_so_on_the_card_and_keeps_the_list(chromium, live_server, make_user, make_shift):
    shifts = [make_shift(capacity=2), make_shift(hours_ahead=72, capacity=2)]
    user = make_user()
    context = chromium.new_context(
        viewport=PHONE,
        base_url=live_server.url,
        locale="en-US",
        timezone_id="Pacific/Auckland",
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email", exact=True).fill(user.email)
        page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/")
        page.goto("/shifts")
        card = page.locator(f"#shift-{shifts[0].id}")
        context.set_offline(True)
        card.get_by_role("button", name="Claim").click()
        card.get_by_text("No signal, try again.").wait_for(state="visible")
        assert page.url.endswith("/shifts")  # still the list, not the browser's offline page
        assert page.locator(f"#shift-{shifts[1].id}").is_visible()
        context.set_offline(False)
        card.get_by_role("button", name="Claim").click()  # the same tap, once signal is back
        page.locator(f"#shift-{shifts[0].id}").get_by_text("Shift claimed").wait_for(state="visible")
    finally:
        context.close()
    db.session.expire_all()
    assert [s.status for s in db.session.scalars(select(ShiftSignup))] == ["claimed"]


def test_after_a_cut_off_refusal_the_card_offers_only_asking_a_coordinator(app, login_as, make_user, make_shift):
    shift = make_shift(hours_ahead=2)
    user = make_user()
    claims.claim_shift(user, shift.id)
    db.session.commit()
    client = login_as(user)
    response = client.post(f"/shifts/{shift.id}/release", headers={"X-Requested-With": "fetch"})
    assert response.status_code == 409
    card = response.get_json()["html"]
    assert "Ask a coordinator" in card or "ask" in card.lower()
    assert f'/shifts/{shift.id}/release"' not in card
