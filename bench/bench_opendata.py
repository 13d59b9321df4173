"""Benchmark: the public aggregate endpoint (/api/v1/incidents/summary) at 1,000,000 reports.

Budget (issue 18): the public aggregate endpoint answers in <= 100 ms at 1,000,000 reports,
served from the stored counts (courtwatch/reports/counts.py). Measured through the WSGI app
(Flask test client, no network), publication on, every table published (they are suppressed
together, so every answer builds them all):

  * by=courthouse, by=month, by=county and by=action for 12 months (2025), JSON; by=courthouse as CSV;
  * by=courthouse for all 60 months (2021-2025);
  * the same request with If-None-Match (304);
  * each first (cold: counted from the stored counts, the publication not yet in memory; a fresh app
    per line, so nothing is shared) and then the median of warm runs (in memory, OPENDATA_CACHE_SECONDS);
  * the floor, in the same run: /api/v1/dictionary.json (a constant document through the same
    stack: routing, access check, rate limit, transaction, headers);
  * a partner's page of 1,000 incident rows (token), for reference.

Data: the generator of bench_reports.py (20 courthouses in two zones, 1,000,000 reports over
2021-2025, ~26,000 observation shifts). Generate once and keep the file:

  .venv/bin/python bench/bench_reports.py --step generate --rows 1000000 --database-url sqlite:////tmp/b.sqlite
  .venv/bin/python bench/bench_opendata.py --database-url sqlite:////tmp/b.sqlite [--runs 15]
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from courtwatch import create_app  # noqa: E402
from courtwatch.db import db  # noqa: E402

SECRET = "bench-secret-" + "x" * 40
print = functools.partial(print, flush=True)  # noqa: A001


def _cold(make_app, path, runs: int, forget: bool) -> tuple[float, float]:
    """Median (wall ms, CPU ms) over fresh apps of the first answer.

    ``forget``: the months' remembered suppression (opendata/memory.py) is deleted first, as on
    the first answer after the counts changed in every month of the period; otherwise a fresh
    worker finds the months already decided by an earlier one.
    """
    from courtwatch.opendata.memory import RememberedSuppression

    timings, cpu = [], []
    for _ in range(runs):
        app = make_app()
        client = app.test_client()
        client.get("/api/v1/dictionary.json")  # start-up work (first request, templates) out of the timing
        if forget:
            with app.app_context():
                db.session.execute(db.delete(RememberedSuppression))
                db.session.commit()
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, response.status_code
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
        update_settings(None, enabled=True)
        _token, plaintext = create_token(None, label="bench", scope="incidents")
        db.session.commit()
        reports = db.session.scalar(db.select(db.func.count()).select_from(Observation))
    print(f"{reports:,} reports; {args.runs} warm runs per line (median); {args.database_url.split(':')[0]}")
    client = app.test_client()
    year, five = "from=2025-01&to=2025-12", "from=2021-01&to=2025-12"
    lines = [
        ("floor: /api/v1/dictionary.json", "/api/v1/dictionary.json", None),
        ("summary by=courthouse, 12 months", f"/api/v1/incidents/summary?{year}&by=courthouse", None),
        ("summary by=month, 12 months", f"/api/v1/incidents/summary?{year}&by=month", None),
        ("summary by=county, 12 months", f"/api/v1/incidents/summary?{year}&by=county", None),
        ("summary by=action, 12 months", f"/api/v1/incidents/summary?{year}&by=action", None),
        ("summary.csv by=courthouse, 12 months", f"/api/v1/incidents/summary.csv?{year}&by=courthouse", None),
        ("summary by=courthouse, 60 months", f"/api/v1/incidents/summary?{five}&by=courthouse", None),
    ]
    print(f"{'':42s} {'nothing remembered':>22s} {'fresh worker':>22s} {'warm':>9s}")
    print(f"{'':42s} {'wall / CPU ms':>22s} {'wall / CPU ms':>22s} {'wall ms':>9s}")
    for label, path, headers in lines:
        _first, median, size = _timed(client, path, args.runs, headers)
        if "summary" in path:
            forgot, fresh = _cold(make_app, path, 3, forget=True), _cold(make_app, path, 5, forget=False)
        else:
            forgot = fresh = (_first, float("nan"))
        print(
            f"{label:42s} {forgot[0]:11.1f} / {forgot[1]:8.1f} {fresh[0]:11.1f} / {fresh[1]:8.1f} {median:9.1f}"
            f"   {size:,} bytes"
        )
    etag = client.get(lines[1][1]).headers["ETag"]
    cold, median, _size = _timed(client, lines[1][1], args.runs, {"If-None-Match": etag})
    print(f"{'summary by=courthouse, If-None-Match (304)':42s} cold {cold:7.1f} ms   median {median:7.1f} ms")
    partner = {"Authorization": f"Bearer {plaintext}"}
    cold, median, size = _timed(client, f"/api/v1/incidents?{year}&limit=1000", min(args.runs, 5), partner)
    print(f"{'partner rows, first 1,000 of 2025':42s} cold {cold:7.1f} ms   median {median:7.1f} ms   {size:,} bytes")


if __name__ == "__main__":
    main()
