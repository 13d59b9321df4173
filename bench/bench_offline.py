"""Courtwatch with no signal and on one bar, measured with the system Chromium against gunicorn and
the demo campaign (see bench/README.md, "Offline"):

* opening the report form offline from a cold start (a fresh tab, the worker asleep or not),
  beside a blank page opened the same way;
* opening the form and sending a report with 3 photos (3000x2000 JPEG, downscaled on the phone)
  over one bar (400 kbit/s both ways, 400 ms round trip, CDP Network.emulateNetworkConditions),
  beside /healthz over the same bar;
* bytes of the app shell (what the worker stores when it installs), raw and gzip as served;
* installability: Chromium's own check (CDP Page.getInstallabilityErrors, what Lighthouse's
  removed "installable-manifest" audit used) — no errors means installable.

    .venv/bin/python bench/bench_offline.py [--runs 5]
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lighthouse import CHROME, PASSWORD, start_app  # noqa: E402

PHONE = {"width": 360, "height": 740}
ONE_BAR = {"offline": False, "latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
VOLUNTEER = "volunteer1@example.org"


def photo(path: Path, seed: int) -> str:
    """A 3000x2000 camera-like JPEG: smooth light and shade with a little sensor noise."""
    light = Image.linear_gradient("L").resize((3000, 2000))
    noise = Image.effect_noise((3000, 2000), 40 + seed)
    image = Image.merge("RGB", (light, Image.blend(light, noise, 0.5), noise.point(lambda v: v // 2 + 60)))
    image.save(path, "JPEG", quality=92)
    return str(path)


def log_in(page) -> None:
    page.goto("/login")
    page.get_by_label("Email", exact=True).fill(VOLUNTEER)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))
    page.wait_for_selector("html[data-offline-ready='1']", state="attached", timeout=60_000)


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def shell_bytes(url: str) -> tuple[int, int, int]:
    config = requests.get(url + "/sw.js", timeout=30).text
    assets = re.findall(r'"(/assets/[^"]+)"', config.split("\n", 1)[0])
    paths = sorted(set(assets)) + ["/sw.js", "/manifest.webmanifest"]
    raw = wire = 0
    for path in paths:
        answer = requests.get(url + path, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=30)
        body = answer.raw.read(decode_content=False)
        wire += len(body)
        raw += len(requests.get(url + path, headers={"Accept-Encoding": "identity"}, timeout=30).content)
    return len(paths), raw, wire


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    # The demo campaign seals hearings' details: a throwaway master key for this run.
    os.environ.setdefault("COURTWATCH_MASTER_KEY", base64.urlsafe_b64encode(os.urandom(32)).decode())
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        # A slow upload holds a sync worker for its whole length; in production the proxy buffers
        # the body first (nginx does by default). Without a proxy here, the worker may wait longer.
        server, url, _env = start_app(workdir, ("--timeout", "180"))
        try:
            pictures = [photo(workdir / f"p{i}.jpg", i) for i in range(3)]
            print(f"photos: {[os.path.getsize(p) // 1024 for p in pictures]} KB each before downscaling")
            count, raw, wire = shell_bytes(url)
            print(f"app shell: {count} files, {raw / 1024:.1f} KB raw, {wire / 1024:.1f} KB gzip as served")
            with sync_playwright() as playwright:
                # A profile on disk, as a phone has: Chromium never offers to install from incognito.
                context = playwright.chromium.launch_persistent_context(
                    str(workdir / "profile"),
                    executable_path=CHROME,
                    args=["--no-sandbox"],
                    viewport=PHONE,
                    base_url=url,
                    is_mobile=True,
                    has_touch=True,
                )
                context.set_default_timeout(120_000)
                page = context.pages[0] if context.pages else context.new_page()
                log_in(page)
                cdp = context.new_cdp_session(page)
                errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
                print(f"installability errors: {errors or 'none (installable)'}")
                manifest = cdp.send("Page.getAppManifest")
                print(f"manifest errors: {manifest.get('errors') or 'none'}")
                page.close()

                context.set_offline(True)
                form_ms, blank_ms = [], []
                for _ in range(args.runs):
                    tab = context.new_page()
                    blank_ms.append(timed(lambda tab=tab: tab.goto("about:blank")))
                    form_ms.append(
                        timed(lambda tab=tab: (tab.goto("/observations/new"), tab.wait_for_selector("#courthouse_id")))
                    )
                    tab.close()
                context.set_offline(False)
                print(
                    f"offline, cold tab: form {statistics.median(form_ms):.0f} ms "
                    f"(runs {', '.join(f'{v:.0f}' for v in form_ms)}); "
                    f"floor about:blank {statistics.median(blank_ms):.0f} ms"
                )

                send_ms, floor_ms = [], []
                for _ in range(max(1, args.runs // 2)):
                    tab = context.new_page()
                    bar = context.new_cdp_session(tab)
                    bar.send("Network.enable")
                    bar.send("Network.emulateNetworkConditions", ONE_BAR)
                    floor_ms.append(timed(lambda tab=tab: tab.goto("/healthz")))

                    def report(tab=tab):
                        tab.goto("/observations/new")
                        tab.locator("#courthouse_id").select_option(index=1)
                        tab.locator('input[name="agents_present"][value="no"]').check()
                        tab.locator('input[name="action"][value="none"]').check()
                        tab.locator('input[name="photos"]').set_input_files(pictures)
                        tab.get_by_role("button", name="Send report").click()
                        tab.wait_for_url(re.compile(r"/observations/\d+$"), timeout=300_000)

                    send_ms.append(timed(report))
                    tab.close()
                print(
                    f"one bar: open form + send with 3 photos {statistics.median(send_ms) / 1000:.1f} s "
                    f"(runs {', '.join(f'{v / 1000:.1f}' for v in send_ms)}); "
                    f"floor /healthz {statistics.median(floor_ms):.0f} ms"
                )
                context.close()
            stored = [p.stat().st_size for p in (workdir / "uploads").rglob("*") if p.is_file()]
            print(f"photos as stored: {len(stored)}, {sum(stored) / max(1, len(stored)) / 1024:.0f} KB each on average")
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"load average: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
