"""Benchmark: import a generated N-row CSV docket (default 100,000) into SQLite, then import it again.

Reports rows per second and peak RSS for each phase: the first import (read + compare + batched
insert) and the re-import (everything unchanged: compare, then scan for hearings missing from the
file). Each phase runs in a fresh child process so its peak RSS is its own; measured in one process,
the re-import's figure would just repeat the first import's high-water mark. Also reports the size of
the one structure that still grows with the file (the set of keys already seen) per row.
Run with several --rows to see that memory stays flat-ish.
Usage: .venv/bin/python bench/bench_import.py [--rows 100000] [--trace]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from courtwatch import create_app  # noqa: E402
from courtwatch.courts.services import courthouse_by_slug, create_courthouse  # noqa: E402
from courtwatch.db import db  # noqa: E402
from courtwatch.imports import services  # noqa: E402
from courtwatch.imports.mapping import table_records  # noqa: E402
from courtwatch.imports.tables import read_table  # noqa: E402

MAPPING = {
    "fields": {
        "case_number": "Case Number",
        "date": "Hearing Date",
        "time": "Hearing Time",
        "courtroom": "Courtroom",
        "judge": "Judge",
        "hearing_type": "Hearing Type",
        "title": "Case Style",
    },
    "key": "case_date",
}


def generate(path: str, rows: int) -> None:
    rng = random.Random(3)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("Case Number,Hearing Date,Hearing Time,Courtroom,Judge,Hearing Type,Case Style\n")
        for number in range(rows):
            month, day = rng.randint(1, 12), rng.randint(1, 28)
            hour, minute = rng.choice([8, 9, 10, 11, 1, 2, 3]), rng.choice(["00", "15", "30", "45"])
            half = "AM" if hour >= 8 else "PM"
            out.write(
                f"CR-{number:07d},{month}/{day}/2030,{hour}:{minute} {half},{rng.randint(1, 40)}B,"
                f"Judge {rng.randint(1, 60)},Arraignment,State v. Person {number}\n"
            )


def make_app(work: str):
    return create_app(
        {
            "ENV_NAME": "testing",
            "DATABASE_URL": f"sqlite:///{work}/bench.sqlite",
            "IMPORT_MAX_BYTES": 200 * 1024 * 1024,
            "SECRET_KEY": "x" * 40,
        }
    )


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def run_phase(work: str, trace: bool) -> dict:
    """One import in this (fresh) process; the caller runs it as a child to isolate its peak RSS."""
    app = make_app(work)
    with app.app_context():
        courthouse = courthouse_by_slug("bench")
        rss_before = rss_mb()
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        source = services.get_or_create_source(courthouse, "docket.csv", "csv")
        summary = services.import_file(
            os.path.join(work, "docket.csv"),
            kind="csv",
            courthouse=courthouse,
            source=source,
            mapping=MAPPING,
            apply=True,
        )
        db.session.commit()
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 1e6 if trace else None
        tracemalloc.stop()
    return {
        "elapsed": elapsed,
        "added": summary.added,
        "unchanged": summary.unchanged,
        "rejected": summary.rejected,
        "cancelled": summary.cancelled,
        "rss_before": rss_before,
        "rss_peak": rss_mb(),
        "trace_peak": peak,
    }


def seen_keys_size(work: str) -> dict:
    """Bytes the planner's seen-keys set costs per row: the set's table plus the key strings."""
    app = make_app(work)
    with app.app_context():
        table = read_table(os.path.join(work, "docket.csv"), "csv", 200 * 1024 * 1024)
        try:
            records = table_records(
                table,
                MAPPING,
                default_courthouse=courthouse_by_slug("bench"),
                courthouses=services.courthouse_directory(),
            )
            keys = {record.key for record in records if hasattr(record, "key")}
        finally:
            table.close()
    total = sys.getsizeof(keys) + sum(sys.getsizeof(key) for key in keys)
    return {"keys": len(keys), "bytes": total, "example": next(iter(keys))}


def child(phase: str, work: str, trace: bool) -> dict:
    command = [sys.executable, os.path.abspath(__file__), "--phase", phase, "--work", work]
    if trace:
        command.append("--trace")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--trace", action="store_true", help="measure tracemalloc peak (slower)")
    parser.add_argument("--phase", choices=["import", "keys"], help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "import":
        print(json.dumps(run_phase(args.work, args.trace)))
        return
    if args.phase == "keys":
        print(json.dumps(seen_keys_size(args.work)))
        return
    work = tempfile.mkdtemp(prefix="courtwatch-bench-")
    csv_path = os.path.join(work, "docket.csv")
    generate(csv_path, args.rows)
    with make_app(work).app_context():
        db.create_all()
        create_courthouse(None, name="Bench Court", slug="bench", timezone="America/New_York")
        db.session.commit()
    first = child("import", work, args.trace)
    again = child("import", work, args.trace)
    keys = child("keys", work, False)
    size_mb = os.path.getsize(csv_path) / 1e6
    print(f"rows: {args.rows:,} ({size_mb:.1f} MB CSV); added {first['added']:,}, rejected {first['rejected']}")
    for label, phase in (
        ("first import", first),
        (f"re-import (unchanged {again['unchanged']:,}, cancelled {again['cancelled']})", again),
    ):
        print(
            f"{label}: {phase['elapsed']:.2f} s = {args.rows / phase['elapsed']:,.0f} rows/s; "
            f"peak RSS {phase['rss_peak']:.0f} MB (before import {phase['rss_before']:.0f} MB, "
            f"+{phase['rss_peak'] - phase['rss_before']:.0f} MB)"
            + (f"; tracemalloc peak {phase['trace_peak']:.1f} MB" if phase["trace_peak"] is not None else "")
        )
    print(
        f"seen-keys set: {keys['bytes'] / 1e6:.1f} MB for {keys['keys']:,} keys = "
        f"{keys['bytes'] / keys['keys']:.0f} bytes/row (key e.g. {keys['example']!r})"
    )


if __name__ == "__main__":
    main()
