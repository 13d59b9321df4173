"""Benchmark: summaries and the streamed CSV export with 1,000,000 observation reports.

Budgets (issue 7): the summary page answers in under a second; the CSV export streams (first
bytes at once) and the process stays under 200 MB of memory (peak RSS).

Two steps, each in its own process so the measurement's peak RSS is not the generator's:

  generate  a SQLite file (or --database-url) with 20 courthouses in two zones, 200 volunteers,
            N reports over 2021-2025 (60 % no action, half of those "nothing observed"; sightings,
            attempted arrests, arrests; 2 % of incident reports linked into Incidents; one or two
            agencies each), ~26,000 observation shifts with sign-ups and check-ins. Bulk insert:
            Core executemany in chunks of 20,000 rows; then the daily counts are rebuilt (timed).
  measure   as a logged-in coordinator through the WSGI app (Flask test client):
            GET /reports for 12 months and for the full 60 months (cold, then the median of 3),
            POST /reports/export (one row per report, all 60 months, all statuses but false alarms,
            personal data included): time to the first data row, total time, rows, bytes, peak RSS.

Usage: .venv/bin/python bench/bench_reports.py [--rows 1000000] [--database-url URL] [--keep PATH]
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from courtwatch import create_app  # noqa: E402
from courtwatch.db import db  # noqa: E402

PASSWORD = "bench-password-123"
START = datetime(2021, 1, 1, 12, tzinfo=UTC)
DAYS = 5 * 365
CHUNK = 20_000
SECRET = "bench-secret-" + "x" * 40
print = functools.partial(print, flush=True)  # noqa: A001  (partial results while a long run goes on)


def _app(url: str):
    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET,
            "ENV_NAME": "testing",
            "STAFF_TWO_FACTOR": False,
            "RATELIMIT_STORAGE_URL": "memory://",
        }
    )


def generate(url: str, rows: int) -> None:
    from courtwatch.auth import services as auth_services
    from courtwatch.auth.models import User
    from courtwatch.courts import services as court_services
    from courtwatch.observations.models import Incident, Observation, ObservationAgency
    from courtwatch.shifts.models import Shift, ShiftSignup

    app = _app(url)
    rng = random.Random(7)
    with app.app_context():
        db.create_all()
        auth_services.create_user(
            email="bench-coordinator@example.org",
            name="Bench Coordinator",
            password=PASSWORD,
            role="coordinator",
            status="active",
        )
        # One password hash shared by every bench volunteer: hashing 200 times would take minutes.
        template = auth_services.create_user(
            email="v0@example.org", name="Volunteer 000", password=PASSWORD, status="active"
        )
        db.session.flush()
        db.session.execute(
            User.__table__.insert(),
            [
                {
                    "email": f"v{n}@example.org",
                    "name": f"Volunteer {n:03d}",
                    "password_hash": template.password_hash,
                    "role": "volunteer",
                    "status": "active",
                    "languages": "en",
                    "session_version": 1,
                    "created_at": START,
                    "is_demo": False,
                }
                for n in range(1, 200)
            ],
        )
        volunteers = list(db.session.scalars(db.select(User).where(User.role == "volunteer")))
        courthouses = []
        for number in range(20):
            zone = "America/New_York" if number % 2 else "America/Los_Angeles"
            courthouses.append(
                court_services.create_courthouse(
                    None,
                    name=f"Bench Courthouse {number:02d}",
                    slug=f"bench-{number}",
                    timezone=zone,
                    county=f"County {number % 6}",
                    state="NY",
                    court_types=["criminal", "family"],
                )
            )
        db.session.commit()
        court_ids = [c.id for c in courthouses]
        volunteer_ids = [v.id for v in volunteers]
        connection = db.session.connection()
        started = time.perf_counter()

        incident_rows = [
            {"courthouse_id": rng.choice(court_ids), "occurred_at": START, "summary": ""} for _ in range(rows // 200)
        ]
        connection.execute(Incident.__table__.insert(), incident_rows)
        incident_ids = list(db.session.scalars(db.select(Incident.id)))

        actions = ["none"] * 60 + ["sighting"] * 25 + ["attempted_arrest"] * 10 + ["arrest"] * 5
        statuses = ["confirmed"] * 70 + ["unverified"] * 15 + ["unable_to_verify"] * 10 + ["false_alarm"] * 5
        roles = ["defendant", "victim_survivor", "witness", "family_litigant", "family_member", "other", "unknown"]
        warrants = ["judicial", "administrative", "none_shown", "unknown"]
        agencies = ["ice_ero", "hsi", "cbp", "local_police", "other_unknown"]
        narrative = (
            "Two agents in plain clothes waited by the elevators on the third floor, then followed a man "
            "out of Part 3 and spoke to him on the steps. =SUM(A1) "
        )
        next_id = 1
        while next_id <= rows:
            batch, agency_batch = [], []
            for report_id in range(next_id, min(next_id + CHUNK, rows + 1)):
                action = rng.choice(actions)
                moment = START + timedelta(seconds=rng.randrange(DAYS * 86400))
                nothing = action == "none" and rng.random() < 0.5
                batch.append(
                    {
                        "id": report_id,
                        "reporter_id": rng.choice(volunteer_ids),
                        "courthouse_id": rng.choice(court_ids),
                        "shift_id": None,
                        "observed_at": moment,
                        "courtroom": f"Part {report_id % 40}",
                        "area": "hallway",
                        "court_type": rng.choice(("criminal", "family", "civil_housing")),
                        "agents_present": "no" if action == "none" else "yes",
                        "agent_count": None if action == "none" else rng.randint(1, 5),
                        "attire": None,
                        "markings": "",
                        "badges_seen": "",
                        "vehicles": "",
                        "identified_themselves": None,
                        "action": action,
                        "target_role": None if action == "none" else rng.choice(roles),
                        "warrant": None if action == "none" else rng.choice(warrants),
                        "force_used": None,
                        "court_staff_involvement": "",
                        "narrative": "" if nothing else narrative,
                        "original_narrative": None,
                        "nothing_observed": nothing,
                        "status": rng.choice(statuses),
                        "verification_note": "",
                        "verified_by_id": None,
                        "verified_at": None,
                        "incident_id": rng.choice(incident_ids) if action != "none" and rng.random() < 0.02 else None,
                        "idempotency_key": f"bench-{report_id}",
                        "content_hash": hashlib.sha256(str(report_id).encode()).hexdigest(),
                        "created_at": moment,
                        "updated_at": moment,
                        "amended_at": None,
                    }
                )
                if action != "none":
                    for agency in rng.sample(agencies, rng.choice((1, 1, 2))):
                        agency_batch.append({"observation_id": report_id, "agency": agency})
            connection.execute(Observation.__table__.insert(), batch)
            connection.execute(ObservationAgency.__table__.insert(), agency_batch)
            next_id += CHUNK
        db.session.commit()
        print(f"reports: {rows:,} inserted in {time.perf_counter() - started:.1f} s")

        connection = db.session.connection()
        shift_rows, day = [], START.replace(hour=13)
        for offset in range(DAYS):
            moment = day + timedelta(days=offset)
            if moment.weekday() >= 5:
                continue
            for courthouse_id in court_ids:
                shift_rows.append(
                    {
                        "kind": "observation",
                        "courthouse_id": courthouse_id,
                        "starts_at": moment,
                        "ends_at": moment + timedelta(hours=4),
                        "capacity": 2,
                        "minimum": 1,
                        "meeting_point": "",
                        "notes": "",
                        "status": "open",
                        "sequence": 0,
                        "claimed_count": 0,
                        "created_at": moment,
                        "updated_at": moment,
                    }
                )
        for start in range(0, len(shift_rows), CHUNK):
            connection.execute(Shift.__table__.insert(), shift_rows[start : start + CHUNK])
        shifts = db.session.execute(db.select(Shift.id, Shift.starts_at)).all()
        signups = []
        for shift_id, starts_at in shifts:
            if rng.random() < 0.2:
                continue  # an unwatched morning
            for user_id in rng.sample(volunteer_ids, 2):
                no_show = rng.random() < 0.05
                signups.append(
                    {
                        "shift_id": shift_id,
                        "user_id": user_id,
                        "status": "claimed",
                        "no_show": no_show,
                        "checked_in_at": None if no_show else starts_at,
                        "checked_out_at": None if no_show else starts_at + timedelta(hours=3, minutes=30),
                        "created_at": starts_at,
                        "updated_at": starts_at,
                    }
                )
        for start in range(0, len(signups), CHUNK):
            connection.execute(ShiftSignup.__table__.insert(), signups[start : start + CHUNK])
        db.session.commit()
        print(f"shifts: {len(shifts):,}, sign-ups: {len(signups):,}")
        recount(url)


def recount(url: str) -> None:
    """The bulk insert above bypasses the daily counts' upkeep: rebuild them, as `flask reports recount` does."""
    from courtwatch.reports.counts import recount_all

    with _app(url).app_context():
        started = time.perf_counter()
        written = recount_all(db.session.connection())
        db.session.commit()
        print(f"daily counts: {written:,} rows recounted in {time.perf_counter() - started:.1f} s")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def _status_mb(key: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> None:
    """Linux: "5" resets the peak RSS (VmHWM), so the export's own peak can be read afterwards."""
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def measure(url: str) -> None:
    from flask.testing import FlaskClient
    from itsdangerous import URLSafeTimedSerializer

    app = _app(url)
    client = app.test_client()
    with client.session_transaction() as session:
        session["csrf_token"] = "bench-csrf-" + "0" * 20
    token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps("bench-csrf-" + "0" * 20)
    response = client.post(
        "/login", data={"email": "bench-coordinator@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.status_code
    with client.session_transaction() as session:  # login starts a fresh session: sign the token again
        session["csrf_token"] = "bench-csrf-" + "0" * 20
    print(f"peak RSS after start-up and login: {_rss_mb():.0f} MB")

    for label, query in (
        ("12 months (2025)", {"date_from": "2025-01-01", "date_to": "2025-12-31"}),
        ("60 months (2021-2025)", {"date_from": "2021-01-01", "date_to": "2025-12-31"}),
    ):
        timings = []
        for _ in range(4):
            started = time.perf_counter()
            response = client.get("/reports", query_string=query)
            assert response.status_code == 200
            timings.append(time.perf_counter() - started)
        print(
            f"summary page, {label}: cold {timings[0] * 1000:.0f} ms, "
            f"median of next 3 {statistics.median(timings[1:]) * 1000:.0f} ms"
        )
    started = time.perf_counter()
    response = client.post(
        "/reports/export",
        data={
            "date_from": "2021-01-01",
            "date_to": "2025-12-31",
            "format": "csv",
            "level": "summary",
            "csrf_token": token,
        },
    )
    body = response.get_data()
    assert response.status_code == 200, response.status_code
    print(f"summary CSV export (60 months): {(time.perf_counter() - started) * 1000:.0f} ms, {len(body):,} bytes")

    before = _status_mb("VmRSS")
    _reset_peak()
    with app.app_context():
        started = time.perf_counter()
        response = FlaskClient.open(
            client,
            "/reports/export",
            method="POST",
            data={
                "date_from": "2021-01-01",
                "date_to": "2025-12-31",
                "format": "csv",
                "level": "reports",
                "scope": "all",
                "personal_data": "y",
                "csrf_token": token,
            },
        )
        assert response.status_code == 200, response.get_data(as_text=True)[:2000]
        assert response.is_streamed
        chunks = iter(response.response)
        first_row_after = None
        lines = size = 0
        for chunk in chunks:
            lines += 1
            size += len(chunk)
            if lines == 3:  # BOM, header, first report
                first_row_after = time.perf_counter() - started
        total = time.perf_counter() - started
        response.close()
    print(
        f"report-level CSV export: first data row after {first_row_after * 1000:.0f} ms, "
        f"total {total:.1f} s, {lines - 2:,} rows, {size / 1e6:.0f} MB, {(lines - 2) / total:,.0f} rows/s"
    )
    print(
        f"RSS {before:.0f} MB before the export; peak RSS during the export {_status_mb('VmHWM'):.0f} MB "
        f"(process peak since start, incl. the login's scrypt hash: {_rss_mb():.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", default=None, help="SQLite file to create (kept afterwards)")
    parser.add_argument("--step", choices=("generate", "recount", "measure"), default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step == "generate":
        return generate(args.database_url, args.rows)
    if args.step == "recount":
        return recount(args.database_url)
    if args.step == "measure":
        return measure(args.database_url)
    workdir = tempfile.mkdtemp(prefix="bench-reports-")
    url = args.database_url or f"sqlite:///{args.keep or os.path.join(workdir, 'bench.sqlite')}"
    env = {**os.environ, "COURTWATCH_INSTANCE_PATH": workdir}
    for step in ("generate", "measure"):
        subprocess.run(
            [sys.executable, __file__, "--step", step, "--rows", str(args.rows), "--database-url", url],
            check=True,
            env=env,
        )


if __name__ == "__main__":
    main()
