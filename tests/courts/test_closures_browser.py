"""Closure days in Chromium at 360x740 and 1280x800: type a day in, see the shifts it cancels,
confirm; upload a holiday calendar and see its days; the pattern form's repeat choices. No page
scrolls sideways."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from courtwatch.auth.models import Role
from courtwatch.courts.closure_models import CourtClosure
from courtwatch.db import db, utcnow
from courtwatch.shifts import services as shift_services
from courtwatch.shifts.models import Shift
from tests.conftest import TEST_PASSWORD
from tests.test_browser_sweep import AXE, _problems_on

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": {"width": 360, "height": 740}, "laptop": {"width": 1280, "height": 800}}


def _fits(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways ({scroll}px)"


def _axe_violations(page) -> list[str]:
    """Serious and critical axe-core findings on the page as it is (the preview is a POST's answer)."""
    page.evaluate(AXE.read_text() + "\n;undefined")
    return page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id);
    }""")


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_closure_flow_in_a_browser(size, chromium, live_server, make_user, make_courthouse, tmp_path):
    viewport = VIEWPORTS[size]
    coordinator = make_user(Role.COORDINATOR)
    courthouse = make_courthouse(name="Edward W. Brooke Courthouse with a long name", state="MA")
    day = courthouse.local(utcnow()).date() + timedelta(days=8)
    starts = datetime.combine(day, time(9), tzinfo=courthouse.zone)
    shift = shift_services.create_shift(
        None, courthouse=courthouse, kind="observation", starts_at=starts, ends_at=starts + timedelta(hours=3)
    )
    db.session.commit()
    shift_id = shift.id
    context = chromium.new_context(
        viewport=viewport, base_url=live_server.url, locale="en-US", timezone_id="Pacific/Auckland"
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email", exact=True).fill(coordinator.email)
        page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()

        page.goto(f"/courthouses/{courthouse.id}")
        page.get_by_role("link", name="Closure days").click()
        page.wait_for_load_state()
        _fits(page, viewport["width"])
        assert page.get_by_label("Where").input_value() == f"courthouse:{courthouse.id}"
        page.get_by_label("Date (the courthouse's own calendar day)").fill(day.isoformat())
        page.get_by_label("Why it is closed (for example Christmas Day)").fill("Heating failure")
        page.get_by_role("button", name="Preview").click()
        page.wait_for_load_state()
        _fits(page, viewport["width"])
        assert "Shifts that will be cancelled" in page.content()
        assert _axe_violations(page) == []
        assert page.locator(f'.closure-cancels a[href="/coordinator/shifts/{shift_id}"]').count() == 1
        page.get_by_role("button", name="Close the days and cancel the shifts").click()
        page.wait_for_load_state()
        assert "1 closure day saved for" in page.content()
        db.session.expire_all()
        assert db.session.get(Shift, shift_id).status == "cancelled"

        calendar = tmp_path / "holidays.ics"
        soon = date.fromordinal(day.toordinal() + 30)
        calendar.write_text(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\nBEGIN:VEVENT\r\nUID:a@test\r\n"
            f"DTSTAMP:20200101T000000Z\r\nDTSTART;VALUE=DATE:{soon:%Y%m%d}\r\nSUMMARY:Court holiday\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n"
        )
        page.get_by_role("link", name="Import a holiday calendar (.ics)").click()
        page.wait_for_load_state()
        _fits(page, viewport["width"])
        page.get_by_label("Where").select_option("state:MA")
        page.get_by_label("Holiday calendar (.ics): each all-day event closes its days").set_input_files(str(calendar))
        page.get_by_role("button", name="Preview").click()
        page.wait_for_load_state()
        _fits(page, viewport["width"])
        assert f"{soon.isoformat()} · Court holiday" in page.locator(".closure-days").inner_text()
        page.get_by_role("button", name="Close the days", exact=True).click()
        page.wait_for_load_state()
        db.session.expire_all()
        assert db.session.scalar(select(CourtClosure.label).where(CourtClosure.state == "MA")) == "Court holiday"

        page.goto("/coordinator/patterns/new")
        _fits(page, viewport["width"])
        page.get_by_label("Every other week").check()
        page.get_by_label("Starts (local time)").fill("08:30")
        page.get_by_label("Ends (local time)").fill("12:00")
        page.get_by_role("button", name="Save and generate").click()
        page.wait_for_load_state()
        assert "Choose the first day" in page.content()
        assert page.get_by_label("Every other week").is_checked()

        # The sweep's checks (overflow, axe-core, one h1, the menu) on the pages of this flow.
        problems = []
        for path in ("/closures", "/closures/import", "/coordinator/patterns/new", "/coordinator/patterns"):
            checked = context.new_page()
            problems += _problems_on(checked, path, AXE.read_text(), viewport["width"], True)
            checked.close()
        assert not problems, "\n".join(problems)
    finally:
        context.close()
