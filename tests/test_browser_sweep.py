"""The browser sweep: every page reachable from the menus, for each role, at phone and laptop width.

"Reachable" is the menu's pages and one page of each kind linked from their content (a shift,
a courthouse, a report, the calendar-link page...).

One live server and the demo campaign (plus courthouses in Honolulu and Auckland, so three zones
and one across the date line) are shared by the whole module; each case is one role at one
width, in a browser set to a time zone far from the server's. On every page:

* no horizontal overflow (the page never scrolls sideways);
* no console errors and no uncaught script errors;
* no serious or critical axe-core violations (axe-core comes from the npm package that
  ``make browser-assets`` installs into tests/browser_assets/node_modules, git-ignored);
* one h1;
* the menu and "Log out" are visible (for a signed-in person).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from courtwatch import create_app
from courtwatch.courts import services as court_services
from courtwatch.db import db
from tests.conftest import TEST_MASTER_KEY, TEST_SECRET, _empty_tables

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "browser_assets" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "sweep-password-123"
PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1280, "height": 800}
WIDTHS = {"phone": (PHONE, "Pacific/Auckland"), "laptop": (LAPTOP, "America/Los_Angeles")}
ACCOUNTS = {
    "volunteer": "volunteer1@example.org",
    "coordinator": "coordinator@example.org",
    "admin": "admin@example.org",
}
LOGGED_OUT_PAGES = ["/login", "/register", "/password/forgot", "/rights", "/rights?lang=es"]
# Pages a signed-in person reaches by a button or a redirect rather than a link in page content.
SIGNED_IN_EXTRA_PAGES = ["/account/calendar", "/rights?lang=es", "/training"]
# ... and those only some roles may open.
ROLE_EXTRA_PAGES = {
    "volunteer": [],
    "coordinator": ["/training/new"],
    "admin": ["/training/new", "/rights/edit"],
}
SHIFT_PAGE = re.compile(r"^/shifts/\d+$")


@pytest.fixture(scope="module")
def sweep_server(_schema, smtp_server, tmp_path_factory):
    """The demo campaign served on 127.0.0.1 for every case of this module."""
    app = create_app(
        {
            "ENV_NAME": "testing",
            "TESTING": False,
            "SECRET_KEY": TEST_SECRET,
            "MASTER_KEY": TEST_MASTER_KEY,
            "DATABASE_URL": _schema,
            "BASE_URL": "http://localhost",
            "MAIL_BACKEND": "smtp",
            "SMTP_HOST": smtp_server.hostname,
            "SMTP_PORT": smtp_server.port,
            "STAFF_TWO_FACTOR": False,
            "LOGIN_RATE_LIMIT": "1000 per minute",
            "UPLOAD_DIR": str(tmp_path_factory.mktemp("sweep-uploads")),
        }
    )
    result = app.test_cli_runner().invoke(args=["demo", "load", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    with app.app_context():
        for name, zone, state in (
            ("Honolulu District Court", "Pacific/Honolulu", "HI"),
            ("Auckland District Court", "Pacific/Auckland", "AKL"),
        ):
            court_services.create_courthouse(
                None,
                name=name,
                slug=name.split()[0].lower(),
                timezone=zone,
                county=name.split()[0],
                state=state,
                city=name.split()[0],
                street_address="1 Court Street",
                court_types=["criminal"],
            )
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.session.remove()
            _empty_tables()
            db.engine.dispose()


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make browser-assets` (npm ci in tests/browser_assets)")
    return AXE.read_text()


def _problems_on(page, path: str, axe_source: str, width: int, signed_in: bool) -> list[str]:
    problems: list[str] = []
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(path)
    page.wait_for_load_state("load")
    if response is None or response.status >= 400:
        problems.append(f"{path}: answered {response.status if response else 'nothing'}")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        wide = page.evaluate(
            """(limit) => Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > limit + 1).slice(0, 3)
            .map(e => e.tagName + '.' + e.className)""",
            width,
        )
        problems.append(f"{path}: {scroll_width}px wide at {width}px ({wide})")
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy (rightly
    # refusing inline scripts) does not govern; a <script> tag would be refused.
    page.evaluate(axe_source + "\n;undefined")
    violations = page.evaluate("""async () => {
        const result = await axe.run(document, {resultTypes: ['violations']});
        return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
    }""")
    problems += [f"{path}: axe {violation}" for violation in violations]
    if page.locator("h1").count() != 1:
        problems.append(f"{path}: {page.locator('h1').count()} h1 headings")
    if signed_in:
        if width < 900:
            menu = page.locator("details.menu-narrow")
            if not menu.locator("summary").is_visible():
                problems.append(f"{path}: no Menu button")
            else:
                menu.locator("summary").click()
                if not _reachable(page, menu.get_by_role("button", name="Log out")):
                    problems.append(f"{path}: Log out cannot be brought into view in the opened menu")
        elif not page.locator("nav.menu-wide").get_by_role("button", name="Log out").is_visible():
            problems.append(f"{path}: Log out not visible in the menu bar")
    problems += [f"{path}: console error {error}" for error in errors]
    return problems


def _reachable(page, element) -> bool:
    """Whether a user can get ``element`` on screen: the bar is sticky, so a menu longer than the
    phone's screen must scroll inside itself, or its last items (Log out) are out of reach."""
    if not element.is_visible():
        return False
    element.evaluate("e => e.scrollIntoView({block: 'nearest'})")
    box = element.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def _menu_paths(page) -> list[str]:
    links = page.locator("nav.menu-wide a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return list(dict.fromkeys(links))


SKIPPED_LINKS = re.compile(r"\.(ics|svg|csv|xlsx|jpg|png)$|^/static/|^/feeds/|^/logout|/photos/")


def _one_level_down(page, paths: list[str]) -> list[str]:
    """Pages linked from the menu pages' content, one of each kind (/shifts/12 and /shifts/13 are one)."""
    seen = {re.sub(r"\d+", "N", path) for path in paths}
    found: list[str] = []
    for path in paths:
        page.goto(path)
        hrefs = page.locator("main a[href^='/']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        for href in hrefs:
            href = href.split("#")[0]
            kind = re.sub(r"\d+", "N", href.split("?")[0])
            if href and kind not in seen and not SKIPPED_LINKS.search(href):
                seen.add(kind)
                found.append(href)
    return found


@pytest.mark.parametrize("width_name", list(WIDTHS))
@pytest.mark.parametrize("role", ["logged-out", *ACCOUNTS])
def test_every_menu_page_works(chromium, sweep_server, axe_source, role, width_name):
    viewport, zone = WIDTHS[width_name]
    context = chromium.new_context(
        viewport=viewport,
        base_url=sweep_server.url,
        locale="en-US",
        timezone_id=zone,
        is_mobile=width_name == "phone",
        has_touch=width_name == "phone",
    )
    context.set_default_timeout(15_000)
    problems: list[str] = []
    try:
        page = context.new_page()
        if role == "logged-out":
            paths = LOGGED_OUT_PAGES
        else:
            page.goto("/login")
            page.get_by_label("Email", exact=True).fill(ACCOUNTS[role])
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url("**/")
            paths = _menu_paths(page)
            assert len(paths) >= 4, paths
            paths += _one_level_down(page, paths) + SIGNED_IN_EXTRA_PAGES + ROLE_EXTRA_PAGES[role]
            # A shift's "Add to calendar" page (linked from the shift once claimed).
            paths += [f"{path}/add-to-calendar" for path in paths if SHIFT_PAGE.match(path)][:1]
        for path in paths:
            page = context.new_page()
            problems += _problems_on(page, path, axe_source, viewport["width"], role != "logged-out")
            page.close()
    finally:
        context.close()
    assert not problems, "\n".join(problems)
