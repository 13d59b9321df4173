"""Benchmark: the public aggregate endpoint (/api/v1/incidents/summary) at 1,000,000 reports.

Budget (issue 18): the public aggregate endpoint answers in <= 100 ms at 1,000,000 reports,
served from the stored counts (courtwatch/reports/counts.py). Measured through the WSGI app
(Flask test client, no network), publication on, every table published (they are suppressed
together, so every answer builds them all):

  * by=courthouse, by=month, by=county and by=action for 12 months (2025), JSON; by=courthouse as CSV;
  * by=courthouse for all 60 months (2021-2025);
  * the same request with If-None-Match (304);
  * by=courthouse for one month (2025-06);
  * cold, three ways, each the first answer of a fresh app (nothing in its memory): "nothing stored"
    deletes the stored answers and remembered months first (as after a change in every month of
    the period); "after a June change" verifies one report and flips one sign-up's no-show in
    June 2025 first (a different pair each run), the usual first answer after the numbers change;
    "June change, worker" the same in a worker that answered before and whose memory expired;
    "fresh worker" finds the answer another worker stored (opendata/stored.py:
    the validator's queries and one read); then the median of warm runs (in memory,
    OPENDATA_CACHE_SECONDS);
  * the floor, in the same run: /api/v1/dictionary.json (a constant document through the same
    stack: routing, access check, rate limit, transaction, headers), as a fresh app's first route
    and warm, and a bare ``SELECT count(*)`` of the million reports (SQL only);
  * a partner's page of 1,000 incident rows (token), for reference.

Data: the generator of bench_reports.py (20 courthouses in two zones, 1,000,000 reports over
2021-2025, ~26,000 observation shifts). Generate once and keep the file:

  .venv/bin/python bench/bench_reports.py --step generate --rows 1000000 --database-url sqlite:////tmp/b.sqlite
  .venv/bin/python bench/bench_opendata.py --database-url sqlite:////tmp/b.sqlite [--runs 9]
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time
from datetime import UTC, datetime

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import text  # noqa: E402

from courtwatch import create_app  # noqa: E402
from courtwatch.db import db  # noqa: E402

SECRET = "bench-secret-" + "x" * 40
print = functools.partial(print, flush=True)  # noqa: A001


def _cold(make_app, path, runs: int, forget: bool) -> tuple[float, float]:
    """Median (wall ms, CPU ms) over fresh apps of the first answer.

    ``forget``: the stored answers (opendata/stored.py) and the months' remembered suppression
    (opendata/memory.py) are deleted first, as on the first answer after the counts changed in
    every month of the period; otherwise a fresh worker finds the answer stored by an earlier one.
    """
    from courtwatch.opendata.memory import RememberedSuppression
    from courtwatch.opendata.stored import StoredPublication

    timings, cpu = [], []
    for _ in range(runs):
        app = make_app()
        client = app.test_client()
        client.get("/healthz")  # start-up work (first request) out of the timing
        if forget:
            with app.app_context():
                db.session.execute(db.delete(RememberedSuppression))
                db.session.execute(db.delete(StoredPublication))
                db.session.commit()
        _time_one(client, path, timings, cpu)
    return statistics.median(timings), statistics.median(cpu)


def _time_one(client, path: str, timings: list, cpu: list) -> None:
    """One answer: its wall and CPU milliseconds appended to ``timings`` and ``cpu``."""
    started, started_cpu = time.perf_counter(), time.process_time()
    response = client.get(path)
    timings.append((time.perf_counter() - started) * 1000)
    cpu.append((time.process_time() - started_cpu) * 1000)
    assert response.status_code == 200, response.status_code


def _change_one_month(app, run: int) -> None:
    """A report verified and a shift staffed in June 2025, as a coordinator does through the ORM
    (the stored counts' upkeep and ``updated_at`` run as in the app); a different pair each run, so
    no run returns to numbers an earlier run stored."""
    from courtwatch.observations.models import Observation
    from courtwatch.shifts.models import Shift, ShiftSignup

    june = (datetime(2025, 6, 3, tzinfo=UTC), datetime(2025, 6, 28, tzinfo=UTC))
    with app.app_context():
        pending = db.session.scalars(
            db.select(Observation)
            .where(Observation.status == "unverified", Observation.observed_at.between(*june))
            .order_by(Observation.id)
            .offset(run)
            .limit(1)
        ).one()
        pending.status = "confirmed"
        signup = db.session.scalars(
            db.select(ShiftSignup)
            .join(Shift, Shift.id == ShiftSignup.shift_id)
            .where(Shift.starts_at.between(*june))
            .order_by(ShiftSignup.id)
            .offset(run)
            .limit(1)
        ).one()
        signup.no_show = not signup.no_show
        db.session.commit()


def _after_change(make_app, path, runs: int, offset: int, same_worker: bool) -> tuple[float, float]:
    """Median (wall ms, CPU ms) of the first answer after a change in one month (June).

    ``same_worker``: a worker that has answered before (its statements compiled) and whose memory
    of answers has expired, as in production after ``OPENDATA_CACHE_SECONDS``; otherwise a new app.
    """
    timings, cpu = [], []
    worker = make_app()
    for run in range(runs):
        make_app().test_client().get(path)  # the answer before the change is stored
        _change_one_month(make_app(), offset + run)
        app = worker if same_worker else make_app()
        app.extensions.pop("opendata_publications", None)
        client = app.test_client()
        client.get("/healthz")
        _time_one(client, path, timings, cpu)
    return statistics.median(timings), statistics.median(cpu)


def _timed(client, path, runs: int, headers=None) -> tuple[float, float, int]:
    """(cold ms, median ms of the next runs, bytes)."""
    timings, size = [], 0
    for _ in range(runs + 1):
        started = time.perf_counter()
        response = client.get(path, headers=headers or {})
        body = response.get_data()
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code in (200, 304), (path, response.status_code, body[:300])
        size = len(body)
    return timings[0], statistics.median(timings[1:]), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    def make_app():
        return create_app(
            {
                "DATABASE_URL": args.database_url,
                "SECRET_KEY": SECRET,
                "ENV_NAME": "testing",
                "RATELIMIT_STORAGE_URL": "memory://",
                "OPENDATA_RATE_LIMIT": "100000 per minute",
                "PARTNER_RATE_LIMIT": "100000 per minute",
            }
        )

    app = make_app()
    with app.app_context():
        from courtwatch.api.tokens import create_token
        from courtwatch.observations.models import Observation
        from courtwatch.opendata.settings import update_settings

        db.create_all()  # the open-data tables, if the file predates them
        for table in db.metadata.sorted_tables:  # and new indexes on old tables (create_all skips those)
            for index in table.indexes:
                index.create(db.engine, checkfirst=True)
        update_settings(None, enabled=True)
        _token, plaintext = create_token(None, label="bench", scope="incidents")
        db.session.commit()
        reports = db.session.scalar(db.select(db.func.count()).select_from(Observation))
        bare = []
        for _ in range(args.runs):
            started = time.perf_counter()
            db.session.execute(text("SELECT count(*) FROM observation")).scalar()
            bare.append((time.perf_counter() - started) * 1000)
    print(f"{reports:,} reports; {args.runs} warm runs per line (median); {args.database_url.split(':')[0]}")
    print(f"load average before: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")
    print(f"floor: bare SELECT count(*) FROM observation: median {statistics.median(bare):.1f} ms")
    client = app.test_client()
    year, five = "from=2025-01&to=2025-12", "from=2021-01&to=2025-12"
    lines = [
        ("floor: /api/v1/dictionary.json", "/api/v1/dictionary.json", None),
        ("summary by=courthouse, 12 months", f"/api/v1/incidents/summary?{year}&by=courthouse", None),
        ("summary by=month, 12 months", f"/api/v1/incidents/summary?{year}&by=month", None),
        ("summary by=county, 12 months", f"/api/v1/incidents/summary?{year}&by=county", None),
        ("summary by=courthouse, 1 month", "/api/v1/incidents/summary?from=2025-06&to=2025-06&by=courthouse", None),
        ("summary.csv by=courthouse, 12 months", f"/api/v1/incidents/summary.csv?{year}&by=courthouse", None),
        ("summary by=courthouse, 60 months", f"/api/v1/incidents/summary?{five}&by=courthouse", None),
    ]
    print(f"{'':42s} {'nothing stored':>22s} {'June change, new app':>22s} {'June change, worker':>22s}", end="")
    print(f" {'fresh worker':>22s} {'warm':>9s}")
    print(f"{'':42s}" + f" {'wall / CPU ms':>22s}" * 4 + f" {'wall ms':>9s}")
    nothing, changes = (float("nan"), float("nan")), 0
    for label, path, headers in lines:
        _first, median, size = _timed(client, path, args.runs, headers)
        if "summary" in path:
            forgot, fresh = _cold(make_app, path, 3, forget=True), _cold(make_app, path, args.runs, forget=False)
            changed, worker = nothing, nothing
            if "2025-06&" not in path:  # (a June change makes the June answer a full recount anyway)
                changed = _after_change(make_app, path, args.runs, changes, same_worker=False)
                worker = _after_change(make_app, path, args.runs, changes + args.runs, same_worker=True)
                changes += 2 * args.runs
        else:
            forgot, fresh = (_first, float("nan")), _cold(make_app, path, args.runs, forget=False)
            changed, worker = nothing, nothing
        print(
            f"{label:42s} {forgot[0]:11.1f} / {forgot[1]:8.1f} {changed[0]:11.1f} / {changed[1]:8.1f}"
            f" {worker[0]:11.1f} / {worker[1]:8.1f} {fresh[0]:11.1f} / {fresh[1]:8.1f} {median:9.1f}   {size:,} bytes"
        )
    etag = client.get(lines[1][1]).headers["ETag"]
    cold, median, _size = _timed(client, lines[1][1], args.runs, {"If-None-Match": etag})
    print(f"{'summary by=courthouse, If-None-Match (304)':42s} cold {cold:7.1f} ms   median {median:7.1f} ms")
    partner = {"Authorization": f"Bearer {plaintext}"}
    cold, median, size = _timed(client, f"/api/v1/incidents?{year}&limit=1000", min(args.runs, 5), partner)
    print(f"{'partner rows, first 1,000 of 2025':42s} cold {cold:7.1f} ms   median {median:7.1f} ms   {size:,} bytes")
    print(f"load average after: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")


if __name__ == "__main__":
    main()
