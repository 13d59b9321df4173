"""Benchmark: the review queue, "my reports" and filing a report with N stored reports (default 200,000).

Generates its own data in a throw-away SQLite database (or COURTWATCH_BENCH_DATABASE_URL):
10 courthouses, 50 volunteers, N reports over two years (Core executemany in chunks). Then, as a
logged-in coordinator / volunteer through the WSGI app (Flask test client), times the median of
--runs requests for: the review queue's first page, a filtered page (courthouse + action + status),
a deep page (page 200), /me/observations, a new report (POST through the form, CSRF on) and its
resend (same idempotency key: returns the stored report).

Usage: .venv/bin/python bench/bench_observations.py [--rows 200000] [--runs 9]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from courtwatch import create_app  # noqa: E402
from courtwatch.auth import services as auth_services  # noqa: E402
from courtwatch.courts import services as court_services  # noqa: E402
from courtwatch.db import db  # noqa: E402
from courtwatch.observations.models import Observation  # noqa: E402

PASSWORD = "bench-password-123"
ACTIONS = ["none"] * 6 + ["sighting"] * 3 + ["attempted_arrest", "arrest"]
STATUSES = ["unverified", "confirmed", "confirmed", "false_alarm", "unable_to_verify"]


def generate(rows: int):
    rng = random.Random(6)
    courthouses = [
        court_services.create_courthouse(
            None, name=f"Bench Court {n}", slug=f"bench-{n}", timezone="America/New_York", court_types=["criminal"]
        )
        for n in range(10)
    ]
    coordinator = auth_services.create_user(
        email="coord@example.org", name="Coord", password=PASSWORD, role="coordinator", status="active"
    )
    volunteers = [
        auth_services.create_user(
            email=f"v{n}@example.org", name=f"V {n}", password=PASSWORD, role="volunteer", status="active"
        )
        for n in range(50)
    ]
    db.session.commit()
    start = datetime(2024, 1, 1, 13, tzinfo=UTC)
    table = Observation.__table__
    chunk = []
    for _ in range(rows):
        observed = start + timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
        action = rng.choice(ACTIONS)
        chunk.append(
            {
                "reporter_id": rng.choice(volunteers).id,
                "courthouse_id": rng.choice(courthouses).id,
                "observed_at": observed,
                "created_at": observed + timedelta(minutes=30),
                "updated_at": observed + timedelta(minutes=30),
                "courtroom": "Room 1",
                "area": "hallway",
                "agents_present": "no" if action == "none" else "yes",
                "action": action,
                "nothing_observed": action == "none",
                "status": rng.choice(STATUSES),
                "narrative": "bench",
                "idempotency_key": uuid.UUID(int=rng.getrandbits(128)).hex,
                "content_hash": "0" * 64,
                "markings": "",
                "badges_seen": "",
                "vehicles": "",
                "court_staff_involvement": "",
                "verification_note": "",
            }
        )
        if len(chunk) == 20_000:
            db.session.execute(table.insert(), chunk)
            chunk = []
    if chunk:
        db.session.execute(table.insert(), chunk)
    db.session.commit()
    return coordinator, volunteers[0], courthouses[0]


def timed(runs: int, call) -> float:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        response = call()
        samples.append(time.perf_counter() - began)
        assert response.status_code < 400, response.status_code
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-observations-")
    url = os.environ.get("COURTWATCH_BENCH_DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite"
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-" + "x" * 40,
            "ENV_NAME": "testing",
            "STAFF_TWO_FACTOR": False,
            "WTF_CSRF_ENABLED": False,
            "UPLOAD_DIR": folder,
        }
    )
    with app.app_context():
        db.create_all()
        began = time.perf_counter()
        coordinator, volunteer, court = generate(args.rows)
        print(f"generated {args.rows:,} reports in {time.perf_counter() - began:.1f} s")
        staff, person = app.test_client(), app.test_client()
        staff.post("/login", data={"email": coordinator.email, "password": PASSWORD})
        person.post("/login", data={"email": volunteer.email, "password": PASSWORD})
        results = {
            "review queue, page 1": timed(args.runs, lambda: staff.get("/coordinator/observations")),
            "review queue, courthouse+action+status": timed(
                args.runs,
                lambda: staff.get(f"/coordinator/observations?courthouse={court.id}&action=arrest&status=unverified"),
            ),
            "review queue, page 200": timed(args.runs, lambda: staff.get("/coordinator/observations?page=200")),
            "my reports (≈N/50 of them), page 1": timed(args.runs, lambda: person.get("/me/observations")),
        }
        local = court.local(datetime.now(UTC) - timedelta(hours=1))
        form = {
            "courthouse_id": str(court.id),
            "observed_date": local.strftime("%Y-%m-%d"),
            "observed_time": local.strftime("%H:%M"),
            "agents_present": "yes",
            "action": "sighting",
            "narrative": "Two agents by the door.",
        }
        keys = iter(range(10**6))
        results["file a new report (POST)"] = timed(
            args.runs,
            lambda: person.post("/observations/new", data={**form, "idempotency_key": f"bench-key-{next(keys)}"}),
        )
        results["resend (same key)"] = timed(
            args.runs, lambda: person.post("/observations/new", data={**form, "idempotency_key": "bench-key-0"})
        )
    for name, ms in results.items():
        print(f"{name:45s} {ms:8.1f} ms (median of {args.runs})")


if __name__ == "__main__":
    main()
