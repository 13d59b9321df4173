"""The public page and an embed in Chromium at a 360-pixel phone and a 1280-pixel laptop, and in print.

Checked: no sideways scrolling of the page (wide tables scroll in their own box), no console error
(a blocked style or script would show up here: CSP), every chart image loaded, and the embed really
renders inside an iframe of an allow-listed site while another site is refused.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from courtwatch.db import db
from courtwatch.opendata.settings import update_settings
from tests.opendata.conftest import PERIOD

pytestmark = pytest.mark.browser
SIZES = {"phone": {"width": 360, "height": 740}, "laptop": {"width": 1280, "height": 800}}
QUERY = f"?from={PERIOD['from']}&to={PERIOD['to']}"


@pytest.fixture(params=list(SIZES))
def browser_page(request, chromium, live_server):
    context = chromium.new_context(viewport=SIZES[request.param], base_url=live_server.url, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    page.width = SIZES[request.param]["width"]
    try:
        yield page
    finally:
        context.close()


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.width
    for image in page.locator("img").all():  # charts load lazily: bring each into view and wait for it
        image.scroll_into_view_if_needed()
        image.evaluate(
            "i => (i.complete && i.naturalWidth > 0) || new Promise(done => {"
            " i.addEventListener('load', done, {once: true}); i.addEventListener('error', done, {once: true}); })"
        )
    broken = page.evaluate("[...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)")
    assert broken == []


def test_public_page_fits_and_loads_cleanly(browser_page, published):
    page = browser_page
    page.goto("/open-data" + QUERY)
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.is_visible()
    assert page.locator("#by_courthouse table").is_visible()
    _fits(page)
    page.get_by_text("Embed or download this table").first.click()
    _fits(page)
    assert page.console_errors == []


def test_public_page_prints_on_letter_paper(chromium, live_server, published):
    # 8.5 in minus 15 mm margins each side, at 96 px an inch: the width print layout gets.
    context = chromium.new_context(viewport={"width": 700, "height": 900}, base_url=live_server.url)
    try:
        page = context.new_page()
        page.width = 700
        page.goto("/open-data" + QUERY)
        page.emulate_media(media="print")
        assert not page.locator("form.opendata-period").is_visible()
        assert not page.locator(".topbar").is_visible()
        assert not page.locator(".opendata-share").first.is_visible()
        assert page.locator("#by_courthouse table").is_visible()
        assert page.locator("#method").is_visible()
        _fits(page)
        wide = page.evaluate(
            "[...document.querySelectorAll('.opendata-table')].filter(w => w.scrollWidth > w.clientWidth + 1).length"
        )
        assert wide == 0  # printed tables cannot scroll: every one fits the paper
        assert len(page.pdf(format="Letter")) > 10_000
    finally:
        context.close()


def test_embed_fits_and_renders_inside_an_allowed_site(browser_page, published, live_server):
    page = browser_page
    page.goto("/open-data/embed/by_courthouse" + QUERY)
    page.wait_for_load_state("networkidle")
    _fits(page)
    assert page.console_errors == []

    # A partner's page on another origin, listed in the settings, frames the embed.
    partner = _partner_site(f"{live_server.url}/open-data/embed/by_month{QUERY}")
    try:
        update_settings(None, frame_ancestors=f"http://127.0.0.1:{partner.server_port}")
        db.session.commit()
        page.goto(f"http://127.0.0.1:{partner.server_port}/")
        frame = page.frame_locator("iframe")
        assert frame.locator("h1").is_visible()
        assert frame.locator("table").is_visible()
        # Not listed any more: Chromium refuses to draw it. (Another table: the browser may keep the first
        # embed, with the policy it came with, for the cache time.)
        update_settings(None, frame_ancestors="https://news.example.org")
        db.session.commit()
        page.goto(f"http://127.0.0.1:{partner.server_port}/county")
        page.wait_for_timeout(500)
        embedded = page.frames[-1]
        assert embedded.url.startswith("chrome-error://") or embedded.locator("table").count() == 0
    finally:
        partner.shutdown()


def _partner_site(embed_url: str):
    # "localhost" is another origin than 127.0.0.1 to the browser; the http:// exception in the settings
    # applies to loopback addresses only.
    def html(path: str) -> str:
        url = embed_url.replace("by_month", "by_county") if path.startswith("/county") else embed_url
        return f'<!doctype html><title>Partner</title><iframe src="{url}" width="600" height="500"></iframe>'

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = html(self.path).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
