"""In Chromium at 360x740 and 1280x800: a coordinator uploads the EOIR list, checks the preview and
imports it; a volunteer opens a courthouse page on a phone and finds the phone number and the
directions links, with nothing loaded from another host."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from courtwatch.courts.models import Courthouse
from courtwatch.db import db
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser
SIZES = {"phone": {"width": 360, "height": 740}, "laptop": {"width": 1280, "height": 800}}


@pytest.fixture(params=list(SIZES))
def context(request, chromium, live_server):
    context = chromium.new_context(viewport=SIZES[request.param], base_url=live_server.url, locale="en-US")
    context.set_default_timeout(10_000)
    context.width = SIZES[request.param]["width"]
    context.hosts = set()
    context.on("request", lambda r: context.hosts.add(urlsplit(r.url).netloc))
    try:
        yield context
    finally:
        context.close()


def _log_in(context, email: str):
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.console_errors = errors
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    return page


def _fits(page, width: int) -> None:
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"{page.url} scrolls sideways ({scrolled}px)"


def test_coordinator_imports_the_eoir_list(context, coordinator, corpora_dir, live_server):
    page = _log_in(context, coordinator.email)
    page.goto("/courthouses")
    page.get_by_role("link", name="Import courthouses").click()
    _fits(page, context.width)
    page.get_by_label("Courthouse lists").set_input_files(
        os.path.join(corpora_dir, "courts", "eoir_immigration_courts.csv")
    )
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_load_state()
    assert "71 to add" in page.locator(".import-counts").inner_text()
    assert page.locator(".zone-check").count() == 0  # every zone placed by its ZIP code
    assert "America/Denver" in page.locator(".courthouse-plan").inner_text()  # El Paso
    _fits(page, context.width)
    page.get_by_role("button", name="Import these courthouses").click()
    page.wait_for_load_state()
    assert "71 added" in page.content()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Courthouse)) == 71
    assert page.console_errors == []
    assert context.hosts == {urlsplit(live_server.url).netloc}


def test_volunteer_finds_phone_and_directions_on_a_phone(context, volunteer, runner, corpora_dir, live_server):
    path = os.path.join(corpora_dir, "courts", "ma_courts_bmc.json")
    assert runner.invoke(args=["courthouses", "import", path]).exit_code == 0
    brighton = db.session.scalar(select(Courthouse).where(Courthouse.name.like("Brighton Division%")))
    page = _log_in(context, volunteer.email)
    page.goto(f"/courthouses/{brighton.id}")
    _fits(page, context.width)
    app_link = page.get_by_role("link", name="Open in my map app")
    assert app_link.is_visible() and app_link.get_attribute("href").startswith("geo:42.347226,-71.153556")
    assert page.get_by_role("link", name="Directions on the web").is_visible()
    assert page.get_by_role("link", name="(617) 782-6540, Press 5").get_attribute("href") == "tel:+16177826540"
    assert page.console_errors == []
    assert context.hosts == {urlsplit(live_server.url).netloc}  # links only: no map tiles, no scripts
