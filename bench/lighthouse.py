"""Lighthouse (mobile preset) on the pages a volunteer and a coordinator open most, measured with the
system Chromium against the app under gunicorn with the demo campaign.

Why a script and not a test: scores move with the machine's load, so they are recorded in
bench/README.md beside the load average, never asserted. Lighthouse comes from npm into
bench/node_modules (git-ignored, pinned in bench/package.json); nothing is fetched from elsewhere.
A signed-in page is audited by passing the session cookie of a real login as an extra header.

    .venv/bin/python bench/lighthouse.py [--runs 1]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_BIN = ROOT / ".venv" / "bin"
LIGHTHOUSE = BENCH / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
PASSWORD = "lighthouse-demo-password"
METRICS = [
    ("FCP", "first-contentful-paint"),
    ("LCP", "largest-contentful-paint"),
    ("TBT", "total-blocking-time"),
    ("CLS", "cumulative-layout-shift"),
    ("SI", "speed-index"),
]
# (path, who is signed in): None means signed out.
PAGES = [
    ("/login", None),
    ("/shifts", "volunteer1@example.org"),
    ("/me/shifts", "volunteer1@example.org"),
    ("/observations/new", "volunteer1@example.org"),
    ("/reports", "coordinator@example.org"),
]


def install_lighthouse() -> None:
    if not LIGHTHOUSE.exists():
        subprocess.run(["npm", "ci", "--prefix", str(BENCH), "--no-audit", "--no-fund"], check=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_app(workdir: Path, gunicorn_args: tuple[str, ...] = ()) -> tuple[subprocess.Popen, str, dict]:
    env = {
        **os.environ,
        "COURTWATCH_DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite'}",
        "COURTWATCH_SECRET_KEY": secrets.token_hex(32),
        "COURTWATCH_STAFF_TWO_FACTOR": "0",
        "COURTWATCH_UPLOAD_DIR": str(workdir / "uploads"),
        "COURTWATCH_MAIL_BACKEND": "console",
        "FLASK_APP": "courtwatch",
    }
    for command in (["db", "upgrade"], ["demo", "load", "--password", PASSWORD]):
        subprocess.run([str(VENV_BIN / "flask"), *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env["COURTWATCH_BASE_URL"] = url
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", *gunicorn_args, "wsgi:app"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            requests.get(url + "/login", timeout=30)
            return server, url, env
        except requests.RequestException:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def session_cookie(url: str, email: str) -> str:
    """Log in as a person would (the form and its CSRF token) and return the Cookie header."""
    browser = requests.Session()
    form = browser.get(url + "/login", timeout=30).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    answer = browser.post(
        url + "/login",
        data={"csrf_token": token, "email": email, "password": PASSWORD},
        timeout=30,
        allow_redirects=False,
    )
    if answer.status_code != 302:
        raise SystemExit(f"login as {email} failed: HTTP {answer.status_code}")
    return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


def audit(url: str, cookie: str | None, out: Path) -> dict[str, int]:
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={out}",
        "--only-categories=performance,accessibility",
        "--chrome-flags=--headless --no-sandbox --disable-gpu",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": CHROME}, timeout=300)
    report = json.loads(out.read_text())
    if report.get("finalDisplayedUrl", url).split("?")[0] != url:
        raise SystemExit(f"{url} redirected to {report.get('finalDisplayedUrl')}: not signed in?")
    scores = {name: round(category["score"] * 100) for name, category in report["categories"].items()}
    failing = [
        key
        for key, result in report["audits"].items()
        if result.get("score") is not None
        and result["score"] < 1
        and key in {ref["id"] for ref in report["categories"]["accessibility"]["auditRefs"]}
    ]
    scores["accessibility_failing"] = failing
    scores["metrics"] = ", ".join(f"{name} {report['audits'][key]['displayValue']}" for name, key in METRICS)
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="runs per page (the median is reported)")
    parser.add_argument("--page", action="append", help="only this path (repeatable)")
    args = parser.parse_args()
    install_lighthouse()
    print(f"load average before: {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}")
    with tempfile.TemporaryDirectory(prefix="courtwatch-lighthouse-") as tmp:
        workdir = Path(tmp)
        server, url, _env = start_app(workdir)
        try:
            cookies = {email: session_cookie(url, email) for _path, email in PAGES if email}
            print("| page | signed in as | performance | accessibility | accessibility audits below 1 | metrics |")
            print("|---|---|---|---|---|---|")
            for path, email in PAGES:
                if args.page and path not in args.page:
                    continue
                runs = [audit(url + path, cookies.get(email), workdir / "report.json") for _ in range(args.runs)]
                runs.sort(key=lambda scores: scores["performance"])
                median = runs[len(runs) // 2]
                print(
                    f"| `{path}` | {email or '-'} | {median['performance']} | {median['accessibility']} | "
                    f"{', '.join(median['accessibility_failing']) or '-'} | {median['metrics']} |",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"load average after: {' '.join(f'{value:.1f}' for value in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
