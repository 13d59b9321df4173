"""The data behind bench_reports.py and bench_opendata.py: a campaign of N reports over five years,
written with the driver's executemany in large batches, and the stored day counts rebuilt from it.

Split from bench_reports.py, which measures; this file only writes.
"""

from __future__ import annotations

import functools
import hashlib
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from sqlalchemy import event  # noqa: E402

from courtwatch import create_app  # noqa: E402
from courtwatch.db import db  # noqa: E402

PASSWORD = "bench-password-123"
START = datetime(2021, 1, 1, 12, tzinfo=UTC)
DAYS = 5 * 365
CHUNK = 50_000
SECRET = "bench-secret-" + "x" * 40
print = functools.partial(print, flush=True)  # noqa: A001  (partial results while a long run goes on)


# The report columns the generator fills (the rest keep their server default or NULL), in order.
REPORT_COLUMNS = (
    "id",
    "reporter_id",
    "courthouse_id",
    "observed_at",
    "courtroom",
    "court_type",
    "agents_present",
    "agent_count",
    "action",
    "target_role",
    "warrant",
    "narrative",
    "nothing_observed",
    "status",
    "incident_id",
    "idempotency_key",
    "content_hash",
    "created_at",
    "updated_at",
)
BLANK_REPORT_COLUMNS = {"area": "hallway", "markings": "", "badges_seen": "", "vehicles": ""}
BLANK_REPORT_COLUMNS |= {"court_staff_involvement": "", "verification_note": ""}


def _stamper(connection):
    """How a UTC moment is bound by the driver: SQLite stores the naive text SQLAlchemy writes."""
    if connection.dialect.name == "sqlite":
        return lambda moment: moment.strftime("%Y-%m-%d %H:%M:%S.000000")
    return lambda moment: moment


def _driver_insert(connection, table: str, columns: tuple[str, ...]):
    """An executemany of plain tuples straight to the driver (constant columns filled by SQL)."""
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    constants = BLANK_REPORT_COLUMNS if table == "observation" else {}
    names = ", ".join((*columns, *constants))
    values = ", ".join([marker] * len(columns) + [f"'{value}'" for value in constants.values()])
    sql = f"INSERT INTO {table} ({names}) VALUES ({values})"
    return lambda rows: connection.exec_driver_sql(sql, rows) if rows else None


def _fast_bench_file(engine) -> None:
    """SQLite bench file only: no rollback journal, no fsync, a large page cache, while generating.

    A crash mid-generation leaves a broken file, which is fine for a bench file that is simply
    generated again; the app never sets these on a real database (journal_mode=OFF is not stored
    in the file, so the next connection is back to the default journal).
    """
    if engine.dialect.name != "sqlite":
        return

    def pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1000000", "temp_store=MEMORY"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    engine.dispose()
    event.listen(engine, "connect", pragmas)


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
    from courtwatch.observations.models import Incident
    from courtwatch.shifts.models import Shift, ShiftSignup

    app = _app(url)
    rng = random.Random(7)
    with app.app_context():
        _fast_bench_file(db.engine)
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
        # Plain tuples through the driver's executemany: no per-row dicts, bind processors or ORM
        # objects (the dict version took ~45 minutes for a million reports on the shared machine).
        stamp = _stamper(connection)
        insert_reports = _driver_insert(connection, "observation", REPORT_COLUMNS)
        insert_agencies = _driver_insert(connection, "observation_agency", ("observation_id", "agency"))
        court_types = ("criminal", "family", "civil_housing")
        seconds = DAYS * 86400
        next_id = 1
        while next_id <= rows:
            batch, agency_batch = [], []
            for report_id in range(next_id, min(next_id + CHUNK, rows + 1)):
                action = rng.choice(actions)
                moment = stamp(START + timedelta(seconds=rng.randrange(seconds)))
                none = action == "none"
                nothing = none and rng.random() < 0.5
                batch.append(
                    (
                        report_id,
                        rng.choice(volunteer_ids),
                        rng.choice(court_ids),
                        moment,
                        f"Part {report_id % 40}",
                        rng.choice(court_types),
                        "no" if none else "yes",
                        None if none else rng.randint(1, 5),
                        action,
                        None if none else rng.choice(roles),
                        None if none else rng.choice(warrants),
                        "" if nothing else narrative,
                        nothing,
                        rng.choice(statuses),
                        rng.choice(incident_ids) if not none and rng.random() < 0.02 else None,
                        f"bench-{report_id}",
                        hashlib.sha256(str(report_id).encode()).hexdigest(),
                        moment,
                        moment,
                    )
                )
                if not none:
                    for agency in rng.sample(agencies, rng.choice((1, 1, 2))):
                        agency_batch.append((report_id, agency))
            insert_reports(batch)
            insert_agencies(agency_batch)
            next_id += CHUNK
            if next_id % 200_000 == 1:
                print(f"  {next_id - 1:,} reports, {time.perf_counter() - started:.0f} s")
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
        _fast_bench_file(db.engine)
        started = time.perf_counter()
        written = recount_all(db.session.connection())
        db.session.commit()
        print(f"daily counts: {written:,} rows recounted in {time.perf_counter() - started:.1f} s")
