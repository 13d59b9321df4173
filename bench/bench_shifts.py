"""Load run for /shifts and /me/shifts under gunicorn, beside /healthz as the framework's floor.

    .venv/bin/python bench/load_shifts.py --database-url URL      # once
    .venv/bin/python bench/bench_shifts.py --database-url URL [--clients 16] [--seconds 20] [--workers 4]
                                           [--tool python|wrk] [--think SECONDS]

Starts gunicorn on 127.0.0.1 against the generated database, logs 16 volunteers in over HTTP
(each client has its own session, like 16 phones), then for each path runs 16 clients for the
given time and prints p50/p95 latency and requests per second. Two ways to load it:

* ``--tool wrk``: wrk with 16 connections back to back (closed loop, no pause), each request with
  the next volunteer's cookie: the saturating test. With 16 requests always in flight on 2 cores,
  latency there is 16 / throughput (Little's law), so its p95 says how much CPU a request costs.
* ``--tool python`` (default): 16 threads with ``requests`` (its own overhead is in every figure);
  ``--think S`` makes each client pause a random 0-2S seconds between requests, as people do.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "bench-password"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    return session


def start_server(database_url: str, workers: int) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = dict(
        os.environ,
        COURTWATCH_DATABASE_URL=database_url,
        COURTWATCH_SECRET_KEY="b" * 40,
        COURTWATCH_ENV_NAME="testing",
        COURTWATCH_STAFF_TWO_FACTOR="false",
        COURTWATCH_LOGIN_RATE_LIMIT="100000 per minute",
        COURTWATCH_INSTANCE_PATH="/tmp/courtwatch-bench-instance",
    )
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "courtwatch:create_app()",
        ],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if _session().get(f"{url}/healthz", timeout=5).status_code == 200:
                return process, url
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start")


def log_in(url: str, number: int) -> requests.Session:
    session = _session()
    token = CSRF.search(session.get(f"{url}/login").text).group(1)
    response = session.post(
        f"{url}/login",
        data={"email": f"bench{number}@example.org", "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise SystemExit(f"login failed for bench{number}: {response.status_code}")
    return session


def _warm(url: str, sessions: list[requests.Session], path: str) -> None:
    for session in sessions[:2]:  # warm every worker's caches a little
        for _ in range(5):
            session.get(url + path)


def run(url: str, sessions: list[requests.Session], path: str, seconds: float, think: float = 0.0) -> dict:
    _warm(url, sessions, path)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(len(sessions) + 1)
    stop_at = [0.0]

    def client(session):
        mine = []
        barrier.wait()
        while time.perf_counter() < stop_at[0]:
            began = time.perf_counter()
            response = session.get(url + path)
            mine.append(time.perf_counter() - began)
            if response.status_code != 200:
                errors[0] += 1
            if think:  # a person reading the page before the next tap (0 = back to back)
                time.sleep(random.uniform(0, 2 * think))
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + seconds
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "path": path,
        "requests": len(latencies),
        "errors": errors[0],
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "rps": len(latencies) / elapsed,
    }


WRK_SCRIPT = """
-- Each request carries the next of the logged-in volunteers' cookies (16 phones, not one).
local cookies = {}
for line in io.lines(os.getenv("BENCH_COOKIES")) do cookies[#cookies + 1] = line end
local turn = 0
request = function()
  turn = turn + 1
  return wrk.format("GET", nil, {["Cookie"] = cookies[turn % #cookies + 1]})
end
done = function(summary, latency, requests)
  local failed = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout
  io.write(string.format("RESULT %d %d %.1f %.1f %.1f %.1f\\n", summary.requests, failed,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6)))
end
"""


def run_wrk(url: str, sessions: list[requests.Session], path: str, seconds: float) -> dict:
    """The same load from wrk (C, two threads): far less client overhead than Python threads."""
    _warm(url, sessions, path)
    workdir = Path(tempfile.mkdtemp(prefix="bench-wrk-"))
    (workdir / "cookies").write_text(
        "\n".join("; ".join(f"{k}={v}" for k, v in s.cookies.items()) for s in sessions) + "\n"
    )
    (workdir / "rotate.lua").write_text(WRK_SCRIPT)
    output = subprocess.run(
        ["wrk", "-t2", f"-c{len(sessions)}", f"-d{int(seconds)}s", "-s", str(workdir / "rotate.lua"), url + path],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ, BENCH_COOKIES=str(workdir / "cookies")),
    ).stdout
    count, failed, p50, p95, p99, rps = output.split("RESULT ")[1].split()
    return {
        "path": path,
        "requests": int(count),
        "errors": int(failed),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "rps": float(rps),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--tool",
        choices=("python", "wrk"),
        default="python",
        help="load client: Python threads (default) or wrk (apt install wrk)",
    )
    parser.add_argument(
        "--think", type=float, default=0.0, help="Python client only: mean pause in seconds between a client's requests"
    )
    args = parser.parse_args()
    if args.tool == "wrk":
        measure = run_wrk
    else:

        def measure(url, sessions, path, seconds):
            return run(url, sessions, path, seconds, args.think)

    process, url = start_server(args.database_url, args.workers)
    try:
        sessions = [log_in(url, 1 + number * 37) for number in range(args.clients)]
        print(
            f"{args.clients} clients, {args.workers} gunicorn workers, {os.cpu_count()} CPUs, "
            f"{args.seconds:.0f} s per path, {args.database_url.split(':')[0]}, client: {args.tool}, think {args.think} s"
        )
        print(f"{'path':<12} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8}")
        for path in ("/healthz", "/shifts", "/me/shifts"):
            r = measure(url, sessions, path, args.seconds)
            print(
                f"{r['path']:<12} {r['requests']:>9} {r['errors']:>7} {r['p50']:>8.1f} {r['p95']:>8.1f} "
                f"{r['rps']:>8.1f}"
            )
    finally:
        process.terminate()
        process.wait(timeout=15)


if __name__ == "__main__":
    sys.exit(main())
