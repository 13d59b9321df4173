"""Claim, release and waitlist with no signal, through the service worker: with the page's script
(shifts.js answers in the card) and without it (the worker answers the failed form post with the
list kept on the phone and "No signal, try again" in the card).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from courtwatch.db import db
from courtwatch.shifts.models import ShiftSignup
from tests.home.test_offline_browser import _log_in, _visit_once

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("with_script", [True, False], ids=["with-js", "without-js"])
def test_claim_with_no_signal_keeps_the_list(phone, make_user, make_shift, with_script):
    shifts = [make_shift(capacity=2), make_shift(hours_ahead=72, capacity=2)]
    volunteer = make_user()
    page = phone.new_page()
    _log_in(page, volunteer.email)
    _visit_once(page, "/shifts")
    if not with_script:
        cdp = phone.new_cdp_session(page)
        cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})
        page.reload()
    phone.set_offline(True)
    card = page.locator(f"#shift-{shifts[0].id}")
    card.get_by_role("button", name="Claim").click()
    card.get_by_text("No signal, try again.").wait_for(state="visible")
    assert page.locator(f"#shift-{shifts[1].id}").is_visible()  # the list is still there
    assert "ERR_INTERNET_DISCONNECTED" not in page.content()
    if not with_script:
        assert page.locator("[data-offline-note]").is_visible()
    phone.set_offline(False)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ShiftSignup)) == 0
