"""Benchmark: calendar imports through the limited parsing process, each beside its floor.

* ICS: an N-event calendar (default 50,000) imported through ``imports.services.import_file``
  (the path of the upload page, the CLI and subscriptions), beside the floor of the same run: a
  bare ``icalendar.Calendar.from_ical`` of the same file.
* CSV: an N-row docket (default 100,000), beside ``csv.reader`` over the same file.
* Peak memory at two file sizes (the full size and half of it): the app process (ru_maxrss of
  the phase's own process) and the parsing process (ru_maxrss of its waited children).
* Sync of an unchanged N-event feed from a real HTTP server on 127.0.0.1: the first sync, a
  second answered 304, a third from a server without validators (same body: the hash skips
  planning), and a fourth with one event moved (diff only).

Each phase runs in a fresh process, so its peak memory is its own.
Usage: .venv/bin/python bench/bench_parsing.py [--events 50000] [--rows 100000] [--only ics,csv,sync]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.bench_import import MAPPING  # noqa: E402
from bench.bench_import import generate as generate_csv  # noqa: E402


def generate_ics(path: str, events: int, moved: int | None = None) -> None:
    """Distinct one-off hearings over the next 100 days (about 260 bytes each)."""
    rng = random.Random(7)
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=2)
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Courtwatch bench//EN\r\n")
        for number in range(events):
            day = start + timedelta(days=rng.randint(0, 99), hours=rng.choice([9, 10, 11, 13, 14, 15]))
            if number == moved:
                day += timedelta(hours=1)
            out.write(
                f"BEGIN:VEVENT\r\nUID:hearing-{number:07d}@bench\r\nDTSTAMP:20260101T000000Z\r\n"
                f"DTSTART:{day:%Y%m%dT%H%M%SZ}\r\nDTEND:{day + timedelta(hours=1):%Y%m%dT%H%M%SZ}\r\n"
                f"SUMMARY:State v. Person {number} arraignment\r\nLOCATION:Courtroom {rng.randint(1, 40)}B\r\n"
                f"DESCRIPTION:Docket CR-{number:07d} before Judge {rng.randint(1, 60)}\r\nEND:VEVENT\r\n"
            )
        out.write("END:VCALENDAR\r\n")


def make_app(work: str):
    from courtwatch import create_app

    return create_app(
        {
            "ENV_NAME": "testing",
            "DATABASE_URL": f"sqlite:///{work}/bench.sqlite",
            "IMPORT_MAX_BYTES": 200 * 1024 * 1024,
            "SECRET_KEY": "x" * 40,
            "MASTER_KEY": "YmVuY2gtb25seS1tYXN0ZXIta2V5LTMyLWJ5dGVzLi4=",
            "UPLOAD_DIR": os.path.join(work, "uploads"),
            "CALENDAR_ALLOW_LOOPBACK": True,
            "IMPORT_HOLD_CANCEL_COUNT": 10**9,
        }
    )


def fresh_database(work: str) -> None:
    from courtwatch.courts.services import create_courthouse
    from courtwatch.db import db

    path = os.path.join(work, "bench.sqlite")
    if os.path.exists(path):
        os.unlink(path)
    with make_app(work).app_context():
        db.create_all()
        create_courthouse(None, name="Bench Court", slug="bench", timezone="America/New_York")
        db.session.commit()


def peaks() -> dict:
    """Peak RSS and CPU seconds of this process, and CPU seconds of the readers it waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "app_mb": own.ru_maxrss / 1024,
        "cpu": own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime,
    }


# ---------------------------------------------------------------- phases (each in its own process)
def phase_floor_ics(path: str, _work: str) -> dict:
    import icalendar

    started, cpu = time.perf_counter(), time.process_time()
    with open(path, "rb") as handle:
        calendar = icalendar.Calendar.from_ical(handle.read())
    elapsed = time.perf_counter() - started
    return {"elapsed": elapsed, "events": len(calendar.subcomponents), **peaks(), "cpu": time.process_time() - cpu}


def phase_floor_csv(path: str, _work: str) -> dict:
    started, cpu = time.perf_counter(), time.process_time()
    with open(path, encoding="utf-8", newline="") as handle:
        rows = sum(1 for _row in csv.reader(handle))
    return {"elapsed": time.perf_counter() - started, "rows": rows, **peaks(), "cpu": time.process_time() - cpu}


def phase_import(path: str, work: str) -> dict:
    from courtwatch.courts.services import courthouse_by_slug
    from courtwatch.db import db
    from courtwatch.imports import services
    from courtwatch.imports.records import ReadResult

    kind = "ics" if path.endswith(".ics") else "csv"
    app = make_app(work)
    with app.app_context(), app.test_request_context():
        courthouse = courthouse_by_slug("bench")
        read_result = ReadResult()
        before = peaks()["cpu"]
        started = time.perf_counter()
        source = services.get_or_create_source(courthouse, os.path.basename(path), kind)
        summary = services.import_file(
            path,
            kind=kind,
            courthouse=courthouse,
            source=source,
            mapping=MAPPING if kind == "csv" else None,
            apply=True,
            read_result=read_result,
        )
        db.session.commit()
        elapsed = time.perf_counter() - started
    measured = peaks()
    measured["cpu"] -= before
    return {
        "elapsed": elapsed,
        "added": summary.added,
        "rejected": summary.rejected,
        "reader_mb": read_result.reader_peak_mb,
        **measured,
    }


class FeedServer:
    def __init__(self, path: str):
        self.path = path
        self.etags = True
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                with open(server.path, "rb") as handle:
                    body = handle.read()
                etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
                if server.etags and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/calendar")
                if server.etags:
                    self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/feed.ics"


def phase_sync(path: str, work: str) -> dict:
    from courtwatch.courts.services import courthouse_by_slug
    from courtwatch.db import db
    from courtwatch.imports.sync import subscribe, sync_source

    events = int(path.rsplit("-", 1)[1].split(".")[0])
    feed = os.path.join(work, "feed.ics")
    generate_ics(feed, events)
    server = FeedServer(feed)
    app = make_app(work)
    results = {}
    with app.app_context(), app.test_request_context():
        source = subscribe(None, courthouse_by_slug("bench"), "Feed", server.url)
        db.session.commit()

        def timed(label):
            started = time.perf_counter()
            summary = sync_source(source)
            db.session.commit()
            results[label] = {
                "elapsed": time.perf_counter() - started,
                "status": source.last_status,
                "counts": None
                if summary is None
                else [summary.added, summary.changed, summary.cancelled, summary.unchanged],
            }

        timed("first")
        timed("not_modified")
        server.etags = False
        timed("same_body")
        generate_ics(feed, events, moved=events // 2)
        timed("changed")
        # Floor: the download alone (the same bytes over the same loopback server).
        import requests

        started = time.perf_counter()
        assert requests.get(server.url, timeout=60).content
        results["download_floor"] = time.perf_counter() - started
    return results


PHASES = {
    "floor-ics": phase_floor_ics,
    "floor-csv": phase_floor_csv,
    "import": phase_import,
    "sync": phase_sync,
}


def child(phase: str, path: str, work: str) -> dict:
    command = [sys.executable, os.path.abspath(__file__), "--phase", phase, "--path", path, "--work", work]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def line(label: str, count: int, unit: str, floor: dict, measured: dict, size_mb: float) -> str:
    return (
        f"| {label} | {size_mb:.1f} MB | {floor['elapsed']:.1f} s wall, {floor['cpu']:.1f} s CPU | "
        f"{measured['elapsed']:.1f} s wall, {measured['cpu']:.1f} s CPU ({count / measured['cpu']:,.0f} {unit}/CPU s) | "
        f"{measured['app_mb']:.0f} MB | {measured['reader_mb']:.0f} MB |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--only", default="ics,csv,sync")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(PHASES[args.phase](args.path, args.work)))
        return
    work = tempfile.mkdtemp(prefix="courtwatch-bench-parsing-")
    wanted = set(args.only.split(","))
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    print(
        "| file | size | floor: same file, bare parser | import (reader + plan + insert) | "
        "app process peak RSS | reader process peak RSS |"
    )
    print("|---|---|---|---|---|---|")
    for kind, full, unit in (("ics", args.events, "events"), ("csv", args.rows, "rows")):
        if kind not in wanted:
            continue
        for count in (full // 2, full):
            path = os.path.join(work, f"{kind}-{count}.{kind}")
            (generate_ics if kind == "ics" else generate_csv)(path, count)
            fresh_database(work)
            floor = child(f"floor-{kind}", path, work)
            measured = child("import", path, work)
            assert measured["added"] == count, measured
            print(line(f"{count:,} {unit} ({kind.upper()})", count, unit, floor, measured, os.path.getsize(path) / 1e6))
    if "sync" in wanted:
        fresh_database(work)
        result = child("sync", os.path.join(work, f"feed-{args.events}.ics"), work)
        print(f"\nsync of a {args.events:,}-event feed (download alone: {result['download_floor']:.2f} s):")
        for label in ("first", "not_modified", "same_body", "changed"):
            step = result[label]
            print(f"  {label}: {step['elapsed']:.2f} s, status {step['status']}, counts {step['counts']}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
