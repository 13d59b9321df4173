"""The printed campaign report, through Chromium's own print engine: a short demo campaign fits on a
few Letter pages instead of one short table per page (issue 14)."""

import re

import pytest

from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

DEMO_PASSWORD = TEST_PASSWORD


def _pages_in(pdf: bytes) -> int:
    # Page objects, not the /Type /Pages tree nodes.
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


@pytest.mark.parametrize("path", ["/reports/print", "/reports"])
def test_demo_report_prints_on_few_letter_pages(app, chromium, live_server, path):
    """Before: 6 Letter pages for /reports/print and 5 for /reports (one short table a page)."""
    result = app.test_cli_runner().invoke(args=["demo", "load", "--password", DEMO_PASSWORD])
    assert result.exit_code == 0, result.output
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url, locale="en-US")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email", exact=True).fill("coordinator@example.org")
        page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/")
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.locator("table").count() >= 4  # the demo campaign has figures to print
        pdf = page.pdf(format="Letter", print_background=False)
        assert pdf.startswith(b"%PDF")
        pages = _pages_in(pdf)
        assert 1 <= pages <= 3, f"{path} prints on {pages} Letter pages"
    finally:
        context.close()
