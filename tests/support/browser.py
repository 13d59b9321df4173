"""Browser tests: the app served by a real HTTP server in a thread, driven by Debian's Chromium
through Playwright at a 360x740 phone viewport. Playwright never downloads a browser here.
"""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from werkzeug.serving import make_server

PHONE = {"width": 360, "height": 740}
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def find_chromium() -> str | None:
    explicit = os.environ.get("COURTWATCH_CHROMIUM")
    if explicit:
        return explicit
    for candidate in CHROMIUM_CANDIDATES:
        if os.path.exists(candidate):
            return candidate
    return shutil.which("chromium")


@pytest.fixture
def live_server(app):
    """Serve the test app on 127.0.0.1 (a real socket) for the duration of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield server
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def chromium():
    executable = find_chromium()
    if executable is None:
        pytest.skip("no Chromium found (apt-get install chromium, or set COURTWATCH_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def phone(chromium, live_server):
    """A fresh browser context at phone size (no cookies shared with other tests): new_page() it."""
    context = chromium.new_context(
        viewport=PHONE, base_url=live_server.url, locale="en-US", is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


SHOWN_NOTIFICATIONS = """() => navigator.serviceWorker.ready.then(r => r.getNotifications())
    .then(ns => ns.length ? ns.map(n => [n.title, n.body, n.tag, n.data.url]) : null)"""


def push_to_service_worker(context, page, origin: str, data: str):
    """Deliver a push message to the page's service worker as the push service would (DevTools'
    ``deliverPushMessage``, which runs the worker's real push handler), and return the
    notifications it then shows as [title, body, tag, url] lists (None if none within 5 s).
    Notification permission is granted first, as the volunteer would have."""
    context.grant_permissions(["notifications"], origin=origin)
    cdp = context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    for _ in range(50):  # the registration event arrives asynchronously
        if any(not r["isDeleted"] for r in registrations):
            break
        page.wait_for_timeout(100)
    registration_id = next(r["registrationId"] for r in registrations if not r["isDeleted"])
    cdp.send("ServiceWorker.deliverPushMessage", {"origin": origin, "registrationId": registration_id, "data": data})
    for _ in range(50):  # the worker shows it asynchronously
        shown = page.evaluate(SHOWN_NOTIFICATIONS)
        if shown:
            return shown
        page.wait_for_timeout(100)
    return None
