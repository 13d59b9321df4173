"""In-process timing of /shifts and /me/shifts beside /healthz: the fast feedback loop.

    .venv/bin/python bench/load_shifts.py --database-url sqlite:////tmp/shifts-bench/bench.sqlite   # once
    .venv/bin/python bench/profile_shifts.py --database-url sqlite:////tmp/shifts-bench/bench.sqlite \
        [--requests 200] [--volunteer 1] [--path /account] [--profile /shifts] [--top 30]

No server and no load client: the Flask test client logs one bench volunteer in through the real
login form, then issues the requests one after another. Every figure is per request: wall-clock
mean and median, and CPU time (``time.process_time``), which is the honest figure on a shared
machine. The gunicorn/wrk measurement (bench_shifts.py) stays the judge of the latency target;
this script is for seeing what a change did within seconds. ``--profile PATH`` runs cProfile over
the requests to PATH and prints the top entries by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from courtwatch import create_app  # noqa: E402

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "bench-password"
DEFAULT_PATHS = ("/healthz", "/shifts", "/me/shifts")


def logged_in_client(app, volunteer: int):
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post(
        "/login", data={"email": f"bench{volunteer}@example.org", "password": PASSWORD, "csrf_token": token}
    )
    if response.status_code != 302:
        raise SystemExit(
            f"login failed for bench{volunteer}: {response.status_code} "
            "(was the database made by bench/load_shifts.py?)"
        )
    return client


def time_path(client, path: str, requests: int) -> dict:
    for _ in range(3):  # warm templates, translations and the statement cache
        _get(client, path)
    walls, cpus = [], []
    for _ in range(requests):
        wall, cpu = time.perf_counter(), time.process_time()
        _get(client, path)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return {
        "path": path,
        "mean": statistics.fmean(walls) * 1000,
        "median": statistics.median(walls) * 1000,
        "cpu": statistics.fmean(cpus) * 1000,
    }


def _get(client, path: str) -> bytes:
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}")
    return response.data


def profile_path(client, path: str, requests: int, top: int) -> None:
    _get(client, path)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        _get(client, path)
    profiler.disable()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(top)
        print(f"---- {path}, {requests} requests, by {order}")
        print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per path")
    parser.add_argument("--volunteer", type=int, default=1, help="log in as bench<N>@example.org")
    parser.add_argument("--path", action="append", default=[], help="time another path as well (repeatable)")
    parser.add_argument("--profile", metavar="PATH", help="also run cProfile over requests to PATH")
    parser.add_argument("--top", type=int, default=30, help="profile entries to print")
    args = parser.parse_args()
    app = create_app(
        {
            "DATABASE_URL": args.database_url,
            "SECRET_KEY": "b" * 40,
            "ENV_NAME": "testing",
            "STAFF_TWO_FACTOR": False,
            "LOGIN_RATE_LIMIT": "100000 per minute",
        }
    )
    client = logged_in_client(app, args.volunteer)
    print(
        f"{args.requests} sequential requests per path, bench{args.volunteer}, "
        f"{args.database_url.split(':')[0]}, in-process (Flask test client)"
    )
    print(f"{'path':<14} {'mean ms':>8} {'median ms':>10} {'CPU ms':>8}")
    for path in (*DEFAULT_PATHS, *args.path):
        r = time_path(client, path, args.requests)
        print(f"{r['path']:<14} {r['mean']:>8.2f} {r['median']:>10.2f} {r['cpu']:>8.2f}")
    if args.profile:
        profile_path(client, args.profile, max(args.requests // 4, 20), args.top)


if __name__ == "__main__":
    main()
