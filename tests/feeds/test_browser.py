"""On a phone (Chromium, 360x740): create a calendar link, see it once, copy it, revoke it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.conftest import TEST_PASSWORD
from tests.support.browser import PHONE

pytestmark = pytest.mark.browser


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways ({width}px)"


def test_create_copy_and_revoke_a_link_on_a_phone(phone, volunteer):
    phone.grant_permissions(["clipboard-read", "clipboard-write"])
    page = phone.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(volunteer.email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()

    page.goto("/account")
    _fits(page)
    page.get_by_label(re.compile("Name this link")).fill("my phone")
    page.get_by_role("button", name="Create a calendar link").click()
    page.get_by_text("This link is shown only once.").wait_for()
    _fits(page)
    url = page.locator("#feed-url").input_value()
    assert re.fullmatch(r"https://cw\.example\.org/feeds/[A-Za-z0-9_-]{43}\.ics", url), url
    assert (
        page.get_by_role("link", name="Add to calendar").get_attribute("href") == "webcal://" + url.split("://", 1)[1]
    )

    copy = page.get_by_role("button", name="Copy link")  # hidden without JavaScript, shown by feeds.js
    copy.click()
    page.get_by_role("button", name="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == url
    assert not [p for p in problems if "Content Security Policy" in p], problems

    path = urlsplit(url).path
    assert page.request.get(path).status == 200
    page.get_by_role("link", name="Done").click()
    page.get_by_text("my phone", exact=True).wait_for()
    assert url not in page.content()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke").click()
    page.get_by_text("no longer works").wait_for()
    _fits(page)
    assert page.request.get(path).status == 404
