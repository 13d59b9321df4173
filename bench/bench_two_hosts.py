"""Two app hosts behind nginx against one, and slow uploads with and without the buffering proxy.

Runs the production recipe (deploy/: nginx, gunicorn app hosts, Redis) on a fresh SQLite database
(or COURTWATCH_BENCH_DATABASE_URL), through tests/support/proxy.py, the same code the two-host test
uses. Three measurements, side by side in one run:

* throughput and latency of GET /login (a rendered page) and GET /healthz (the floor) through
  nginx with one app host, then with two (each host: --workers gunicorn workers), --clients
  concurrent clients for --seconds;
* how long a fast GET /login waits while ten uploads trickle in at 20 kB/s, sent straight to one
  gunicorn host (no proxy) and through nginx.

Usage: .venv/bin/python bench/bench_two_hosts.py [--clients 8] [--seconds 10] [--workers 2]
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from courtwatch import create_app  # noqa: E402
from courtwatch.db import db  # noqa: E402
from tests.conftest import TEST_SECRET  # noqa: E402
from tests.support.proxy import Deployment  # noqa: E402

SLOW_BODY = 60 * 1024
SLOW_RATE = 20 * 1024
SLOW_STEP = 2 * 1024


def make_config(folder: Path) -> dict:
    url = os.environ.get("COURTWATCH_BENCH_DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite'}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": TEST_SECRET, "ENV_NAME": "testing"})
    with app.app_context():
        if url.startswith("sqlite"):
            with db.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        db.create_all()
        db.engine.dispose()
    return {"DATABASE_URL": url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": 2525, "UPLOAD_DIR": str(folder / "unused")}


def load(deployment: Deployment, path: str, clients: int, seconds: float) -> tuple[float, float, float]:
    """Requests a second, median and 95th-percentile latency (ms) of GET path through nginx."""
    latencies: list[float] = []
    errors = []
    stop_at = time.monotonic() + seconds

    def client():
        session = deployment.session()
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            response = session.get(f"{deployment.url}{path}", timeout=60)
            if response.status_code != 200:
                errors.append(response.status_code)
            latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    if errors:
        raise SystemExit(f"{len(errors)} failed requests on {path}: {errors[:5]}")
    ordered = sorted(latencies)
    return len(latencies) / elapsed, statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95)] * 1000


def _trickle(body: bytes, sent: threading.Event):
    for start in range(0, len(body), SLOW_STEP):
        yield body[start : start + SLOW_STEP]
        if start == 0:
            sent.set()
        time.sleep(SLOW_STEP / SLOW_RATE)


def fast_request_during_slow_uploads(host: str, port: int, context, uploads: int = 10) -> float:
    """Seconds a GET /login waits while `uploads` form posts trickle in at 20 kB/s."""
    body = b"email=x%40example.org&password=" + b"a" * (SLOW_BODY - 31)

    def slow(sent: threading.Event):
        connection = (
            http.client.HTTPSConnection(host, port, context=context, timeout=120)
            if context
            else http.client.HTTPConnection(host, port, timeout=120)
        )
        try:
            connection.request(
                "POST",
                "/login",
                body=_trickle(body, sent),
                headers={"Content-Type": "application/x-www-form-urlencoded", "Content-Length": str(len(body))},
            )
            connection.getresponse().read()
        except OSError:
            pass
        finally:
            connection.close()

    events = [threading.Event() for _ in range(uploads)]
    threads = [threading.Thread(target=slow, args=(event,), daemon=True) for event in events]
    for thread in threads:
        thread.start()
    for event in events:
        event.wait(30)
    connection = (
        http.client.HTTPSConnection(host, port, context=context, timeout=120)
        if context
        else http.client.HTTPConnection(host, port, timeout=120)
    )
    started = time.perf_counter()
    connection.request("GET", "/login")
    status = connection.getresponse().status
    waited = time.perf_counter() - started
    connection.close()
    assert status == 200, status
    for thread in threads:
        thread.join(120)
    return waited


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    import ssl

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        config = make_config(folder)
        print(f"os.cpu_count()={os.cpu_count()} load average before: {os.getloadavg()[0]:.1f}")
        print("| app hosts behind nginx | path | requests/s | median ms | p95 ms |")
        print("|---|---|---|---|---|")
        slow_results = {}
        for hosts in (1, 2):
            run = folder / f"hosts-{hosts}"
            run.mkdir()
            deployment = Deployment(config, run, hosts=hosts, workers=args.workers)
            try:
                deployment.wait_ready()
                for path in ("/healthz", "/login"):
                    load(deployment, path, 2, 2)  # warm-up
                    rate, median, p95 = load(deployment, path, args.clients, args.seconds)
                    print(f"| {hosts} | {path} | {rate:.0f} | {median:.1f} | {p95:.1f} |", flush=True)
                if hosts == 1:
                    host = deployment.hosts[0]
                    slow_results["straight to gunicorn"] = fast_request_during_slow_uploads(
                        "127.0.0.1", host.port, None
                    )
                    context = ssl.create_default_context(cafile=str(deployment.certificate))
                    slow_results["through nginx"] = fast_request_during_slow_uploads(
                        "localhost", deployment.https_port, context
                    )
            finally:
                deployment.stop()
        print()
        print(f"GET /login while ten 60 kB uploads trickle in at 20 kB/s ({args.workers} gunicorn workers):")
        for name, waited in slow_results.items():
            print(f"  {name}: served after {waited:.2f} s")


if __name__ == "__main__":
    main()
