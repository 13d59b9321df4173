"""Benchmark: how long a 500-event calendar feed takes to build (budget: 30 ms).

Generates its own data in a throw-away SQLite database (or the one in COURTWATCH_BENCH_DATABASE_URL):
two courthouses in different zones, 500 shifts over the coming weeks, staffing on most of them,
and a coordinator's all-courthouses feed token. Then times, over many runs:

  build   builders.courthouse_calendar() on shifts already loaded (the pure iCalendar part)
  render  content.render_feed(): the query plus the build, as the feed view does it
  http    GET /feeds/<token>.ics through the WSGI app (test client), headers and ETag included

Usage: .venv/bin/python bench/bench_feeds.py [--events 500] [--runs 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from courtwatch import create_app  # noqa: E402
from courtwatch.auth import services as auth_services  # noqa: E402
from courtwatch.courts import services as court_services  # noqa: E402
from courtwatch.db import db  # noqa: E402
from courtwatch.feeds import builders, content  # noqa: E402
from courtwatch.feeds import services as feed_services  # noqa: E402
from courtwatch.feeds.models import FeedScope  # noqa: E402
from courtwatch.shifts.models import Shift  # noqa: E402


def generate(events: int):
    coordinator = auth_services.create_user(
        email="bench-coordinator@example.org", name="Bench", password="x" * 12, role="coordinator", status="active"
    )
    courthouses = [
        court_services.create_courthouse(
            None,
            name="Queens Criminal Court",
            slug="bench-queens",
            timezone="America/New_York",
            street_address="125-01 Queens Blvd",
            city="Kew Gardens",
            state="NY",
            postal_code="11415",
            court_types=["criminal"],
        ),
        court_services.create_courthouse(
            None,
            name="Los Angeles Superior Court",
            slug="bench-la",
            timezone="America/Los_Angeles",
            street_address="111 N Hill St",
            city="Los Angeles",
            state="CA",
            postal_code="90012",
            court_types=["civil_housing"],
        ),
    ]
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    for number in range(events):
        courthouse = courthouses[number % 2]
        starts = start + timedelta(hours=3 * number)
        db.session.add(
            Shift(
                kind="accompaniment" if number % 5 == 0 else "observation",
                courthouse=courthouse,
                starts_at=starts,
                ends_at=starts + timedelta(hours=4),
                capacity=2,
                minimum=1,
                meeting_point="Front steps, by the flagpole; look for the orange scarf",
                notes="",
                status="cancelled" if number % 23 == 0 else "open",
                cancelled_at=starts - timedelta(days=1) if number % 23 == 0 else None,
                sequence=number % 3,
                claimed_count=number % 3,
            )
        )
    db.session.flush()
    _token, plaintext = feed_services.create_token(coordinator, label="bench", scope=FeedScope.ALL)
    db.session.commit()
    return plaintext


def timed(function, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per run. CPU time is what the build costs this process; on
    a shared machine the wall clock also counts time spent waiting for a core."""
    function()  # warm-up: VTIMEZONE generation and the escape cache, as on a running server
    wall, cpu = [], []
    for _ in range(runs):
        begin, begin_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append((time.perf_counter() - begin) * 1000)
        cpu.append((time.process_time() - begin_cpu) * 1000)
    return wall, cpu


def report(name: str, samples: tuple[list[float], list[float]]) -> None:
    wall, cpu = samples
    ordered = sorted(wall)
    p95 = ordered[max(int(len(ordered) * 0.95) - 1, 0)]
    print(
        f"{name:<7} wall: min {ordered[0]:6.1f}  median {statistics.median(wall):6.1f}  p95 {p95:6.1f} ms"
        f"   cpu: median {statistics.median(cpu):6.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = os.environ.get("COURTWATCH_BENCH_DATABASE_URL") or f"sqlite:///{directory}/bench.sqlite"
        app = create_app(
            {
                "ENV_NAME": "testing",
                "SECRET_KEY": "bench-" * 8,
                "DATABASE_URL": url,
                "BASE_URL": "https://courtwatch.example.org",
                "RATELIMIT_ENABLED": False,
                "IMPORT_WINDOW_DAYS": max(120, args.events // 8 + 10),
            }
        )
        with app.app_context():
            db.create_all()
            try:
                plaintext = generate(args.events)
                token = feed_services.find_token(plaintext)
                now = datetime.now(UTC)
                shifts = content.courthouse_shifts(None, now)
                assert len(shifts) == args.events, len(shifts)
                body = builders.courthouse_calendar(shifts)
                cold = time.perf_counter()
                builders._vtimezone.cache_clear()
                builders._text.cache_clear()
                builders.courthouse_calendar(shifts)
                cold_ms = (time.perf_counter() - cold) * 1000
                print(
                    f"{args.events} events, {len(body) / 1024:.0f} KiB, Python {sys.version.split()[0]}, "
                    f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, {url.split(':')[0]}"
                )
                print(f"cold    {cold_ms:6.1f} ms   (first build in a process: VTIMEZONEs generated)")
                report("build", timed(lambda: builders.courthouse_calendar(shifts), args.runs))
                report("render", timed(lambda: content.render_feed(token, now), args.runs))
                client = app.test_client()
                path = f"/feeds/{plaintext}.ics"
                assert client.get(path).status_code == 200
                report("http", timed(lambda: client.get(path), args.runs))
            finally:
                db.session.remove()
                if url.startswith("postgresql"):
                    db.drop_all()
                db.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
