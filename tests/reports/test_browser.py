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
