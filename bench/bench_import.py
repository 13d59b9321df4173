"""Benchmark: import a generated N-row CSV docket (default 100,000) into SQLite.

Reports rows per second for the commit (read + compare + batched insert) and peak memory:
tracemalloc's peak for Python allocations during the import (run with --trace; it slows the run)
and the process's peak RSS. Run twice with different --rows to see that memory does not grow with
the file. Usage: .venv/bin/python bench/bench_import.py [--rows 100000] [--trace]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from courtwatch import create_app  # noqa: E402
from courtwatch.courts.services import create_courthouse  # noqa: E402
from courtwatch.db import db  # noqa: E402
from courtwatch.imports import services  # noqa: E402


def generate(path: str, rows: int) -> None:
    rng = random.Random(3)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("Case Number,Hearing Date,Hearing Time,Courtroom,Judge,Hearing Type,Case Style\n")
        for number in range(rows):
            month, day = rng.randint(1, 12), rng.randint(1, 28)
            hour, minute = rng.choice([8, 9, 10, 11, 1, 2, 3]), rng.choice(["00", "15", "30", "45"])
            half = "AM" if hour >= 8 else "PM"
            out.write(f"CR-{number:07d},{month}/{day}/2030,{hour}:{minute} {half},{rng.randint(1, 40)}B,"
                      f"Judge {rng.randint(1, 60)},Arraignment,State v. Person {number}\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--trace", action="store_true", help="measure tracemalloc peak (slower)")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="courtwatch-bench-")
    csv_path = os.path.join(work, "docket.csv")
    generate(csv_path, args.rows)
    app = create_app({"ENV_NAME": "testing", "DATABASE_URL": f"sqlite:///{work}/bench.sqlite",
                      "IMPORT_MAX_BYTES": 200 * 1024 * 1024, "SECRET_KEY": "x" * 40})
    with app.app_context():
        db.create_all()
        courthouse = create_courthouse(None, name="Bench Court", slug="bench", timezone="America/New_York")
        db.session.commit()
        mapping = {"fields": {"case_number": "Case Number", "date": "Hearing Date", "time": "Hearing Time",
                              "courtroom": "Courtroom", "judge": "Judge", "hearing_type": "Hearing Type",
                              "title": "Case Style"}, "key": "case_date"}
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if args.trace:
            tracemalloc.start()
        started = time.perf_counter()
        source = services.get_or_create_source(courthouse, "docket.csv", "csv")
        summary = services.import_file(csv_path, kind="csv", courthouse=courthouse, source=source,
                                       mapping=mapping, apply=True)
        db.session.commit()
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if args.trace else None
        tracemalloc.stop()
        started = time.perf_counter()
        again = services.import_file(csv_path, kind="csv", courthouse=courthouse, source=source,
                                     mapping=mapping, apply=True)
        db.session.commit()
        reimport = time.perf_counter() - started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size_mb = os.path.getsize(csv_path) / 1e6
    print(f"rows: {args.rows:,} ({size_mb:.1f} MB CSV); added {summary.added:,}, rejected {summary.rejected}")
    print(f"first import: {elapsed:.2f} s = {args.rows / elapsed:,.0f} rows/s")
    print(f"re-import (all unchanged: {again.unchanged:,}): {reimport:.2f} s = {args.rows / reimport:,.0f} rows/s")
    if peak is not None:
        print(f"tracemalloc peak during first import: {peak / 1e6:.1f} MB")
    print(f"peak RSS: {rss_after / 1024:.0f} MB (before import {rss_before / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
