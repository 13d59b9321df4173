"""Data generator for the shifts benchmark: 5,000 volunteers, 20,000 shifts, 100,000 sign-ups.

    .venv/bin/python bench/load_shifts.py --database-url sqlite:////tmp/bench_shifts.sqlite

Creates the schema (db.create_all) in an empty database and bulk-inserts with Core executemany.
Every volunteer has the password ``bench-password`` (hashed once and reused: argon2 is slow on
purpose). Shifts spread over 180 days back and 180 days ahead at 14 courthouses, so /shifts'
28-day window holds ~1,500 of them; sign-ups are claimed up to capacity, the rest waitlisted.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from courtwatch import create_app  # noqa: E402
from courtwatch.auth.models import User  # noqa: E402
from courtwatch.courts.models import Courthouse  # noqa: E402
from courtwatch.db import db  # noqa: E402
from courtwatch.shifts.models import Shift, ShiftSignup  # noqa: E402

PASSWORD = "bench-password"
LANGS = ["en", "en,es", "en,pt", "en,ht", "es", "en,fr"]


def _chunks(rows, size=5000):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def load(database_url: str, volunteers: int, shifts: int, signups: int, seed: int = 4) -> None:
    rng = random.Random(seed)
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x" * 40, "ENV_NAME": "testing"})
    with app.app_context():
        if database_url.startswith("sqlite"):
            with db.engine.connect() as connection:
                connection.execute(text("PRAGMA journal_mode=WAL"))
        db.drop_all()
        db.create_all()
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        started = time.perf_counter()
        courthouses = [
            {
                "id": i,
                "name": f"Bench Courthouse {i}",
                "short_name": f"Court {i}",
                "slug": f"bench-{i}",
                "timezone": "America/New_York",
                "county": "Suffolk County",
                "court_types": "criminal",
                "active": True,
                "created_at": now,
            }
            for i in range(1, 15)
        ]
        db.session.execute(insert(Courthouse), courthouses)
        password_hash = generate_password_hash(PASSWORD, method="scrypt")  # the bench password skips the strength rules
        users = [
            {
                "id": i,
                "email": f"bench{i}@example.org",
                "name": f"Bench Volunteer {i}",
                "password_hash": password_hash,
                "role": "volunteer",
                "status": "active",
                "languages": LANGS[i % len(LANGS)],
                "session_version": 1,
                "created_at": now,
                "approved_at": now,
                "is_demo": False,
            }
            for i in range(1, volunteers + 1)
        ]
        for chunk in _chunks(users):
            db.session.execute(insert(User), chunk)
        shift_rows, capacity_of = [], {}
        for i in range(1, shifts + 1):
            day = rng.randint(-180, 180)
            starts = (now + timedelta(days=day)).replace(hour=rng.choice([12, 13, 14, 17, 18]), minute=30)
            capacity = rng.randint(3, 8)
            capacity_of[i] = capacity
            shift_rows.append(
                {
                    "id": i,
                    "kind": "accompaniment" if i % 5 == 0 else "observation",
                    "courthouse_id": rng.randint(1, 14),
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=4),
                    "capacity": capacity,
                    "minimum": 2,
                    "language": rng.choice([None, None, None, "es", "pt"]),
                    "meeting_point": "Front steps",
                    "notes": "",
                    "status": "open",
                    "sequence": 0,
                    "claimed_count": 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        pairs, claimed = set(), {}
        signup_rows = []
        while len(signup_rows) < signups:
            shift_id, user_id = rng.randint(1, shifts), rng.randint(1, volunteers)
            if (shift_id, user_id) in pairs:
                continue
            pairs.add((shift_id, user_id))
            full = claimed.get(shift_id, 0) >= capacity_of[shift_id]
            if not full:
                claimed[shift_id] = claimed.get(shift_id, 0) + 1
            signup_rows.append(
                {
                    "shift_id": shift_id,
                    "user_id": user_id,
                    "status": "waitlisted" if full else "claimed",
                    "created_at": now,
                    "updated_at": now,
                    "no_show": False,
                }
            )
        for row in shift_rows:
            row["claimed_count"] = claimed.get(row["id"], 0)
        for chunk in _chunks(shift_rows):
            db.session.execute(insert(Shift), chunk)
        for chunk in _chunks(signup_rows):
            db.session.execute(insert(ShiftSignup), chunk)
        db.session.commit()
        if database_url.startswith("postgresql"):
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("ANALYZE"))
                for table in ("courthouse", "user", "shift", "shift_signup"):
                    connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                            f'(SELECT max(id) FROM "{table}"))'
                        )
                    )
        else:
            with db.engine.connect() as connection:
                connection.execute(text("ANALYZE"))
        print(
            f"loaded {volunteers} volunteers, {shifts} shifts, {signups} sign-ups "
            f"in {time.perf_counter() - started:.1f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--volunteers", type=int, default=5000)
    parser.add_argument("--shifts", type=int, default=20000)
    parser.add_argument("--signups", type=int, default=100000)
    args = parser.parse_args()
    load(args.database_url, args.volunteers, args.shifts, args.signups)


if __name__ == "__main__":
    main()
