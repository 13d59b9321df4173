"""The summaries pages on a 360-pixel phone in Chromium: usable without sideways scrolling."""

import pytest

from courtwatch.auth.models import Role
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/reports", "/reports/volunteers", "/reports/print"])
def test_report_pages_fit_a_phone(phone, make_user, make_courthouse, path):
    coordinator = make_user(Role.COORDINATOR)
    make_courthouse(name="Chelsea District Court")
    page = phone.new_page()
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(coordinator.email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    page.goto(path)
    assert page.locator("h1").first.is_visible()
    # Wide tables scroll inside their own box; the page itself must not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.parametrize(
    "viewport", [{"width": 360, "height": 740}, {"width": 1280, "height": 800}], ids=["phone", "laptop"]
)
def test_filter_groups_read_as_controls_and_open(chromium, live_server, make_user, make_courthouse, viewport):
    """Issue 14: the Courthouses/Counties/Court types groups looked like dead headings. Each must show
    a control's affordance (a border and an open/closed marker), open on a tap and change the filter."""
    coordinator = make_user(Role.COORDINATOR)
    chelsea = make_courthouse(name="Chelsea District Court")
    make_courthouse(name="Lowell Superior Court", county="Middlesex County")
    context = chromium.new_context(viewport=viewport, base_url=live_server.url, locale="en-US")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email", exact=True).fill(coordinator.email)
        page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/")
        page.goto("/reports")
        summaries = page.locator("form.report-filters details > summary")
        assert summaries.count() == 3
        for index in range(3):
            summary = summaries.nth(index)
            assert summary.is_visible()
            looks = summary.evaluate("""el => {
                const own = getComputedStyle(el), marker = getComputedStyle(el, '::after');
                const native = own.display === 'list-item' && own.listStyleType !== 'none';
                return {border: parseFloat(own.borderTopWidth), cursor: own.cursor,
                        marker: native || (marker.content !== 'none' && marker.content !== 'normal'
                                           && parseFloat(marker.width) > 0)};
            }""")
            assert looks == {"border": looks["border"], "cursor": "pointer", "marker": True}, looks
            assert looks["border"] > 0, looks
        page.locator("form.report-filters summary", has_text="Courthouses").click()
        chelsea_box = page.get_by_label("Chelsea District Court", exact=True)
        assert chelsea_box.is_visible()
        chelsea_box.check()
        page.get_by_role("button", name="Show").click()
        page.wait_for_url(f"**courthouses={chelsea.id}**")
        assert page.locator("form.report-filters summary", has_text="Courthouses (1)").is_visible()
        assert page.get_by_label("Chelsea District Court", exact=True).is_checked()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    finally:
        context.close()
