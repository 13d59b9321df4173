"""Does each memoisation off the shift pages pay? The feed builder, the import parsers, the counts
expressions and the dummy password hash, each timed with its cache and with the plain function.

    .venv/bin/python bench/machinery_parts.py [--rounds 7]

Companion of bench/machinery.py (the pages); results in bench/README.md, "Machinery that pays".
Each figure is the median over rounds of CPU time (``time.process_time``), with and without
alternating in order between rounds.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from machinery import unwrapped  # noqa: E402

from courtwatch import create_app  # noqa: E402


def cpu_ms(function) -> float:
    begin = time.process_time()
    function()
    return (time.process_time() - begin) * 1000


def compare(name: str, unit: str, module, names: list[str], work, rounds: int) -> None:
    work()  # warm
    on, off = [], []
    for round_ in range(rounds):
        for state in (True, False) if round_ % 2 == 0 else (False, True):
            if state:
                on.append(cpu_ms(work))
            else:
                with _all_unwrapped(module, names):
                    off.append(cpu_ms(work))
    with_, without = statistics.median(on), statistics.median(off)
    print(
        f"{name:<34} {unit:<34} {with_:>9.2f} {without:>9.2f} {without - with_:>8.2f} "
        f"{(without - with_) / without * 100:>5.1f}%",
        flush=True,
    )


class _all_unwrapped:
    def __init__(self, module, names):
        self.managers = [unwrapped(module, name) for name in names]

    def __enter__(self):
        for manager in self.managers:
            manager.__enter__()

    def __exit__(self, *exc):
        for manager in reversed(self.managers):
            manager.__exit__(*exc)


def docket_rows(count: int) -> list[tuple[str, str]]:
    """Dates and times as a court docket has them: a few months of days, a dozen session times."""
    rng = random.Random(7)
    first = date(2027, 1, 4)
    times = ["9:00 AM", "9:30 AM", "10:00 AM", "11:00 AM", "1:30 PM", "2:00 PM", "2:30 PM", "3:00 PM"]
    return [
        ((first + timedelta(days=rng.randrange(120))).strftime("%m/%d/%Y"), rng.choice(times)) for _ in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}; CPU ms, median over {args.rounds} rounds")
    print(f"{'memoisation':<34} {'per':<34} {'with':>9} {'without':>9} {'saves':>8} {'%':>6}")

    from courtwatch.imports import mapping

    rows = docket_rows(100_000)

    def parse_docket():
        # What table_records does per row, less the rest of the import.
        for day_text, time_text in rows:
            mapping.local_to_utc(mapping.parse_date(day_text), mapping.parse_time(time_text), "America/New_York")

    for name in ("parse_date", "parse_time", "local_to_utc"):
        compare(
            f"imports.mapping.{name}", "100,000-row docket (parsing only)", mapping, [name], parse_docket, args.rounds
        )

    from courtwatch.reports import counts

    compare(
        "reports.counts._aggregates",
        "flush that recounts (expressions)",
        counts,
        ["_aggregates"],
        lambda: counts._aggregates(),
        args.rounds * 3,
    )
    compare(
        "reports.counts._month_sums",
        "flush that recounts (expressions)",
        counts,
        ["_month_sums"],
        lambda: counts._month_sums(),
        args.rounds * 3,
    )

    from courtwatch.auth import services as auth

    compare(
        "auth.services._dummy_hash", "login with an unknown email", auth, ["_dummy_hash"], lambda: auth._dummy_hash(), 3
    )

    from bench_feeds import generate

    from courtwatch.db import db
    from courtwatch.feeds import builders, content

    with tempfile.TemporaryDirectory() as directory:
        app = create_app(
            {
                "ENV_NAME": "testing",
                "SECRET_KEY": "bench-" * 8,
                "DATABASE_URL": f"sqlite:///{directory}/bench.sqlite",
                "BASE_URL": "https://courtwatch.example.org",
                "RATELIMIT_ENABLED": False,
                "IMPORT_WINDOW_DAYS": 120,
            }
        )
        with app.app_context():
            db.create_all()
            generate(500)
            shifts = content.courthouse_shifts(None, datetime.now(UTC))
            for name in ("_text", "_vtimezone"):
                compare(
                    f"feeds.builders.{name}",
                    "500-event feed build",
                    builders,
                    [name],
                    lambda: builders.courthouse_calendar(shifts),
                    args.rounds,
                )
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
