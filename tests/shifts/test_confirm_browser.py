""" "Still coming?" in a real Chromium at 360x740 and 1280x800.

* The link from the message, opened on a logged-out phone: one button, one tap, answered once.
* The push our server sends for it, delivered to the registered service worker through the
  DevTools protocol (the real push service is out of reach offline): the worker shows it with the
  message's title and text, and its click path opens the link's page. A headless browser has no
  notification to click, so the test dispatches ``notificationclick`` with the shown notification
  inside the worker and records the window it opens (a synthetic event may not open windows).
"""

from __future__ import annotations

import json
import re
from datetime import time
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from courtwatch.db import db
from courtwatch.notify.channels import push_payload
from courtwatch.notify.models import ChannelPreference, OutboxMessage, PushSubscription
from courtwatch.shifts import claims, confirmations
from courtwatch.shifts.models import ShiftSignup
from tests.conftest import TEST_PASSWORD
from tests.shifts.test_confirmations import _asks, _links, _shift_on
from tests.support.browser import push_to_service_worker

pytestmark = pytest.mark.browser

SIZES = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 800}}


def _context(chromium, live_server, size: str):
    mobile = size == "phone"
    context = chromium.new_context(
        viewport=SIZES[size], base_url=live_server.url, locale="en-US", is_mobile=mobile, has_touch=mobile
    )
    context.set_default_timeout(10_000)
    return context


def _fits(page, size: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[size]["width"], f"{page.url} scrolls sideways ({width}px)"


def _asked(app, live_server, make_courthouse, volunteer, *, push: bool = False) -> OutboxMessage:
    app.config["BASE_URL"] = live_server.url  # links in messages point at this server
    if push:
        app.config.update(VAPID_PRIVATE_KEY="configured", VAPID_PUBLIC_KEY="configured")
        db.session.add(PushSubscription(user_id=volunteer.id, endpoint="http://127.0.0.1:9/p", p256dh="k", auth="a"))
        db.session.add(ChannelPreference(user_id=volunteer.id, kind="reminder", channels="push"))
    shift = _shift_on(make_courthouse(short_name="Chelsea"), 2, time(9, 30))
    claims.claim_shift(volunteer, shift.id)
    db.session.commit()
    assert confirmations.queue_due_confirmations(confirmations.ask_time(shift)) == 1
    db.session.commit()
    (ask,) = _asks()
    return ask


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_link_from_the_message_answers_once_logged_out(chromium, live_server, app, make_courthouse, volunteer, size):
    ask = _asked(app, live_server, make_courthouse, volunteer)
    yes = _links(ask.body_text)["yes"]
    context = _context(chromium, live_server, size)
    try:
        page = context.new_page()
        page.goto(ask.link)  # the page a push opens: both answers
        _fits(page, size)
        assert page.get_by_role("button", name="Yes, I'm coming").is_visible()
        assert page.get_by_role("button", name="Release my place").is_visible()

        page.goto(yes)
        _fits(page, size)
        assert page.get_by_role("button", name="Release my place").count() == 0
        page.get_by_role("button", name="Yes, I'm coming").click()
        page.locator("#confirm-done").wait_for()
        assert "We have noted that you are coming" in page.locator("#confirm-done").inner_text()
        assert page.locator("#confirm-state").inner_text() == "You are coming."
        _fits(page, size)
        db.session.expire_all()
        signup = db.session.scalars(select(ShiftSignup)).one()
        assert signup.attendance_confirmed_at is not None

        page.goto(yes)  # a second tap, later: answered, nothing to press
        assert page.locator("#confirm-state").inner_text() == "You are coming."
        assert page.get_by_role("button", name="Yes, I'm coming").count() == 0
    finally:
        context.close()


CLICK_IN_WORKER = """async () => {
  const opened = [];
  Object.getPrototypeOf(self.clients).openWindow = (url) => { opened.push(url); return Promise.resolve(null); };
  const [shown] = await self.registration.getNotifications();
  try {
    self.dispatchEvent(new NotificationEvent("notificationclick", { notification: shown }));
  } catch (e) { /* waitUntil refuses an untrusted event; the handler's work has started */ }
  for (let i = 0; i < 50 && !opened.length; i += 1) { await new Promise((r) => setTimeout(r, 50)); }
  return opened;
}"""


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_push_from_the_server_is_shown_and_opens_the_link(chromium, live_server, app, make_courthouse, volunteer, size):
    ask = _asked(app, live_server, make_courthouse, volunteer, push=True)
    assert ask.channel == "push"
    payload = push_payload(ask)
    context = _context(chromium, live_server, size)
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email", exact=True).fill(volunteer.email)
        page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(re.compile(r"/$"))
        page.wait_for_selector("html[data-offline-ready='1']", state="attached")
        shown = push_to_service_worker(context, page, live_server.url, json.dumps(payload))
        link_path = urlsplit(ask.link).path
        assert shown == [[ask.subject, ask.body_text, payload["tag"], link_path]]
        assert ask.subject.startswith("Still coming?")

        (worker,) = context.service_workers
        opened = worker.evaluate(CLICK_IN_WORKER)
        assert opened == [live_server.url + link_path]
        page.goto(opened[0])
        _fits(page, size)
        assert page.get_by_role("button", name="Yes, I'm coming").is_visible()
    finally:
        context.close()
