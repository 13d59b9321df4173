"""Announcements and the outbox page in Chromium at 360x740 and 1280x800: a coordinator writes,
previews (seeing how many it reaches), sends; the volunteer finds it on their start page; the
outbox lists it and a failed text can be cancelled. No page scrolls sideways; axe-core passes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from courtwatch.auth.models import Role
from courtwatch.db import db
from courtwatch.notify.models import OutboxMessage, OutboxStatus
from courtwatch.notify.services import queue_email
from tests.conftest import TEST_PASSWORD
from tests.courts.test_closures_browser import VIEWPORTS, _axe_violations, _fits

pytestmark = pytest.mark.browser


def _log_in(context, user):
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(user.email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return page


def _check(page, width: int) -> None:
    _fits(page, width)
    assert _axe_violations(page) == [], page.url
    assert page.locator("h1").count() == 1


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_write_preview_send_and_read_an_announcement(size, chromium, live_server, make_user):
    viewport = VIEWPORTS[size]
    coordinator = make_user(Role.COORDINATOR)
    reader = make_user(name="Rosa Reader", languages=("en", "es"))
    make_user(name="Only English")
    failed = queue_email("+16175550199", "A text that failed", "body", channel="sms", kind="reminder")
    failed.status, failed.attempts, failed.last_error = OutboxStatus.FAILED, 5, "HTTP 500 from the provider"
    db.session.commit()
    failed_id = failed.id

    context = chromium.new_context(viewport=viewport, base_url=live_server.url, locale="en-US")
    context.set_default_timeout(10_000)
    try:
        page = _log_in(context, coordinator)
        page.goto("/announcements")
        _check(page, viewport["width"])
        page.get_by_role("link", name="New announcement").click()
        page.wait_for_load_state()
        _check(page, viewport["width"])
        page.get_by_label("Subject").fill("Know-your-rights night")
        page.get_by_label("Announcement").fill("Thursday 6 PM at the library.\nSpanish speakers especially welcome.")
        page.get_by_label("Speaks").select_option("es")
        page.get_by_role("button", name="Preview").click()
        page.wait_for_load_state()
        _check(page, viewport["width"])
        assert page.locator("#recipient-count").get_attribute("data-count") == "1"
        page.get_by_role("button", name="Send to 1 person").click()
        page.wait_for_load_state()
        _check(page, viewport["width"])
        assert "Sent to 1 person." in page.content()

        page.goto("/admin/outbox")
        _check(page, viewport["width"])
        assert page.locator("#outbox-messages [data-message]").count() == 1  # the announcement's email
        page.goto("/admin/outbox?which=failed")
        _check(page, viewport["width"])
        row = page.locator(f'[data-message="{failed_id}"]')
        assert "+16175550199" in row.inner_text()
        page.on("dialog", lambda dialog: dialog.accept())
        row.get_by_role("button", name="Cancel").click()
        page.wait_for_load_state()
        assert "will not be sent" in page.content()
        db.session.expire_all()
        assert db.session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == failed_id)) == "cancelled"

        home = _log_in(context.browser.new_context(viewport=viewport, base_url=live_server.url), reader)
        home.goto("/")
        _check(home, viewport["width"])
        card = home.locator("#recent-announcements")
        assert "Know-your-rights night" in card.inner_text()
        card.get_by_role("link", name="Know-your-rights night").click()
        home.wait_for_load_state()
        _check(home, viewport["width"])
        assert "Spanish speakers especially welcome." in home.content()
        home.context.close()
    finally:
        context.close()
