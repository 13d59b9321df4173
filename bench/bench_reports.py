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
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


from report_data import PASSWORD, _app, generate, recount  # noqa: E402


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
