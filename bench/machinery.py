"""Does each memoisation pay? CPU per request with it and without it, beside /healthz, in one run.

    .venv/bin/python bench/load_shifts.py --database-url sqlite:////tmp/shifts-bench/bench.sqlite   # once
    .venv/bin/python bench/machinery.py --database-url sqlite:////tmp/shifts-bench/bench.sqlite \
        [--requests 20] [--rounds 5] [--only NAME]

Each memoisation is switched off in-process by calling the function it wraps (``__wrapped__``)
or, for the shift-page kit, by a kit that asks url_for, gettext, the CSRF token and the time
formatter again for every card, as the plain template did. For every round the pages it serves
are timed with it on and off (the order alternates between rounds, so a burst of load from
another process lands on both sides), and the floor /healthz in the same round. Figures are the
median over rounds of the mean CPU time (``time.process_time``) per request: the honest figure on
a shared machine. The results and what was kept are in bench/README.md, "Machinery that pays".
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from contextlib import contextmanager

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from profile_shifts import logged_in_client  # noqa: E402

from courtwatch import create_app  # noqa: E402


@contextmanager
def unwrapped(module, name: str):
    """The module's memoised function replaced by the plain function it wraps."""
    memoised = getattr(module, name)
    setattr(module, name, memoised.__wrapped__)
    try:
        yield
    finally:
        setattr(module, name, memoised)


@contextmanager
def patched(owner, name: str, value):
    old = owner.__dict__[name]
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, old)


def toggles() -> dict:
    """name -> (paths it serves, a context manager factory that switches it off)."""
    from courtwatch import forms
    from courtwatch.courts import services as courts
    from courtwatch.home import templating
    from courtwatch.shifts import services as shifts

    found = {}
    for module, name, paths in (
        (shifts, "_offered_shifts_statement", ("/shifts",)),
        (shifts, "_live_signups_statement", ("/shifts",)),
        (shifts, "_my_signups_statement", ("/me/shifts",)),
        (shifts, "_hours_statement", ("/me/shifts",)),
        (courts, "_courthouses_statement", ("/shifts",)),
        (forms, "_wtforms_catalog", ("/shifts",)),
        (templating, "format_wall_clock", ("/shifts", "/me/shifts", "SHIFT", "/")),
    ):
        if hasattr(getattr(module, name, None), "__wrapped__"):
            found[name] = (paths, lambda module=module, name=name: unwrapped(module, name))
    if hasattr(forms, "RememberedSelect"):
        from wtforms.widgets import Select

        found["RememberedSelect"] = (("/shifts",), lambda: patched(forms.RememberedSelect, "__call__", Select.__call__))
    try:
        from courtwatch.shifts import page_kit, views
    except ImportError:
        page_kit = None
    if page_kit is not None and hasattr(views, "ShiftPageKit"):
        found["ShiftPageKit"] = (
            ("/shifts", "/me/shifts", "SHIFT"),
            lambda: patched(views, "ShiftPageKit", plain_kit(page_kit, templating)),
        )
    return found


def plain_kit(page_kit, templating):
    """A kit that shares nothing between cards: what each card cost before the kit."""
    from flask import url_for
    from flask_wtf.csrf import generate_csrf
    from markupsafe import Markup

    from courtwatch.auth.languages import language_name

    class PlainText:
        def __getattr__(self, name):
            return Markup(str(page_kit.SHIFT_TEXT[name]))

    class PlainUrl:
        def __init__(self, endpoint):
            self.endpoint = endpoint

        def __call__(self, shift_id):
            return url_for(self.endpoint, shift_id=shift_id)

    class PlainKit(page_kit.ShiftPageKit):
        def __init__(self):
            super().__init__()
            self.text = PlainText()
            for name in ("detail_url", "claim_url", "release_url", "ask_release_url"):
                setattr(self, name, PlainUrl(getattr(self, name).endpoint))

        @property
        def csrf_token(self):
            return generate_csrf()

        def local_time(self, moment, zone):
            return templating.local_time(moment, zone)

        def local_datetime(self, moment, zone, fmt="medium"):
            return templating.local_datetime(moment, zone, fmt)

        def language_wanted(self, code):
            return self.text.wanted % {"lang": language_name(code)}

    return PlainKit


def cpu_per_request(client, path: str, requests: int) -> float:
    client.get(path)
    begin = time.process_time()
    for _ in range(requests):
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")
    return (time.process_time() - begin) * 1000 / requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per path, state and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", action="append", default=[], help="measure only this memoisation (repeatable)")
    args = parser.parse_args()
    app = create_app(
        {
            "DATABASE_URL": args.database_url,
            "SECRET_KEY": "b" * 40,
            "ENV_NAME": "testing",
            "STAFF_TWO_FACTOR": False,
            "LOGIN_RATE_LIMIT": "100000 per minute",
        }
    )
    client = logged_in_client(app, 1)
    shift = "/shifts/" + re.search(r'href="/shifts/(\d+)"', client.get("/shifts").get_data(as_text=True)).group(1)
    print(
        f"{args.rounds} rounds x {args.requests} requests per path and state; load average "
        f"{os.getloadavg()[0]:.1f}; CPU ms per request, median over rounds"
    )
    print(f"{'memoisation':<27} {'path':<14} {'with':>7} {'without':>8} {'saves':>7} {'%':>6} {'/healthz':>9}")
    for name, (paths, switch_off) in toggles().items():
        if args.only and name not in args.only:
            continue
        for path in paths:
            path = shift if path == "SHIFT" else path
            on, off, floor = [], [], []
            for round_ in range(args.rounds):
                for state in (True, False) if round_ % 2 == 0 else (False, True):
                    if state:
                        on.append(cpu_per_request(client, path, args.requests))
                    else:
                        with switch_off():
                            off.append(cpu_per_request(client, path, args.requests))
                floor.append(cpu_per_request(client, "/healthz", args.requests))
            with_, without = statistics.median(on), statistics.median(off)
            print(
                f"{name:<27} {path[:14]:<14} {with_:>7.2f} {without:>8.2f} {without - with_:>7.2f} "
                f"{(without - with_) / without * 100:>5.1f}% {statistics.median(floor):>9.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
