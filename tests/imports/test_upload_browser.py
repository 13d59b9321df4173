"""The upload form sends the file with a progress bar (XHR) and goes on to the preview, on a phone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from courtwatch.db import db
from tests.conftest import TEST_PASSWORD
from tests.imports.conftest import ics, vevent
from tests.support.browser import PHONE

pytestmark = pytest.mark.browser

SOON = (datetime.now(UTC) + timedelta(days=5)).strftime("%Y%m%d")


def test_upload_shows_progress_then_the_preview_on_a_phone(phone, coordinator, make_courthouse, tmp_path):
    courthouse = make_courthouse(name="Progress Court")
    db.session.commit()
    path = tmp_path / "court.ics"
    path.write_bytes(ics(vevent("a", f":{SOON}T140000Z"), vevent("b", f":{SOON}T160000Z")))
    page = phone.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    posts = []
    page.on(
        "request",
        lambda request: (
            posts.append(request.headers.get("x-upload-progress"))
            if request.method == "POST" and request.url.endswith("/calendars/upload")
            else None
        ),
    )
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(coordinator.email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    page.goto("/calendars")
    page.locator("input[type=file]").first.set_input_files(str(path))
    page.locator("select[name=upload-courthouse]").select_option(str(courthouse.id))
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_text("2 to add").wait_for(timeout=120_000)
    assert posts == ["1"]  # sent by the script (with its progress bar), not as a plain form post
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert problems == []
