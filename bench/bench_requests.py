"""CPU per request under gunicorn, each path beside a bare Flask route served by the same worker.

    .venv/bin/python bench/load_shifts.py --database-url sqlite:////tmp/shifts-bench/bench.sqlite   # once
    .venv/bin/python bench/bench_requests.py --database-url sqlite:////tmp/shifts-bench/bench.sqlite \
        [--requests 200] [--rounds 5] [--code /path/to/other/checkout ...] [--cli-runs 5]

For each checkout (``--code``, repeatable; default this one) it starts gunicorn with one sync worker
on 127.0.0.1 serving ``bench/beside_bare.py`` (that checkout's ``create_app()`` plus ``/bare``, a
Flask app with one route and nothing else), logs bench volunteer 1 in over HTTP, and makes a
volunteer feed link for them and a courthouse feed link (courthouse 1, ~600 events in its window)
for a bench coordinator. Then, round after round (the order of paths rotating), it sends N
sequential requests to each path and reads the worker's CPU time (utime + stime from
/proc/PID/stat) before and after: CPU ms per request, the median over rounds. The load client runs
in this process and is not counted. Paths: /bare, /healthz (anonymous and signed in), /shifts,
/me/shifts, the courthouse feed's 200 and its 304 (If-None-Match with the ETag of the 200), and the
volunteer feed's 200 and 304.

Then CLI start-up: ``flask --app courtwatch notify send-due`` against an empty database (so nothing
is sent: start-up is what is measured), each run's CPU (user + system) and peak RSS as GNU time
reports them, beside ``python -c pass`` in the same rounds.
Results and figures: bench/README.md, "Fixed cost per request".
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "bench-password"
TICKS = os.sysconf("SC_CLK_TCK")
COORDINATOR_ID = 5000  # a bench volunteer promoted for the courthouse feed


def _env(database_url: str) -> dict:
    return dict(
        os.environ,
        COURTWATCH_DATABASE_URL=database_url,
        COURTWATCH_SECRET_KEY="b" * 40,
        COURTWATCH_ENV_NAME="testing",
        COURTWATCH_STAFF_TWO_FACTOR="false",
        COURTWATCH_LOGIN_RATE_LIMIT="100000 per minute",
        COURTWATCH_FEED_RATE_LIMIT="1000000 per hour",
        COURTWATCH_INSTANCE_PATH="/tmp/courtwatch-bench-instance",
    )


def make_feed_tokens(database_url: str) -> tuple[str, str]:
    """(volunteer feed token of bench1, courthouse-1 feed token of a bench coordinator)."""
    from sqlalchemy import delete, update

    from courtwatch import create_app
    from courtwatch.auth.models import User
    from courtwatch.courts.models import Courthouse
    from courtwatch.db import db
    from courtwatch.feeds import services
    from courtwatch.feeds.models import FeedScope, FeedToken

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "b" * 40, "ENV_NAME": "testing"})
    with app.app_context():
        db.session.execute(update(User).where(User.id == COORDINATOR_ID).values(role="coordinator"))
        db.session.execute(delete(FeedToken).where(FeedToken.user_id.in_((1, COORDINATOR_ID))))
        _, volunteer = services.create_token(db.session.get(User, 1))
        _, courthouse = services.create_token(
            db.session.get(User, COORDINATOR_ID), scope=FeedScope.COURTHOUSE, courthouse=db.session.get(Courthouse, 1)
        )
        db.session.commit()
    return volunteer, courthouse


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(code: Path, database_url: str) -> tuple[subprocess.Popen, int, int]:
    port = _free_port()
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--chdir",
            str(code),
            "--pythonpath",
            str(ROOT / "bench"),
            "beside_bare:app",
        ],
        cwd=code,
        env=_env(database_url),
    )
    for _ in range(600):
        try:
            if get(port, "/bare")[0] == 200:
                break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        raise SystemExit("gunicorn did not start")
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    return process, port, int(children[0])


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def login_cookie(port: int, volunteer: int = 1) -> str:
    session = requests.Session()
    session.trust_env = False
    base = f"http://127.0.0.1:{port}"
    token = CSRF.search(session.get(f"{base}/login").text).group(1)
    response = session.post(
        f"{base}/login",
        data={"email": f"bench{volunteer}@example.org", "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise SystemExit(f"login failed: {response.status_code} (was the database made by bench/load_shifts.py?)")
    return "; ".join(f"{name}={value}" for name, value in session.cookies.items())


def worker_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14 and 15 of stat)


def cpu_ms(port: int, pid: int, path: str, headers: dict, expect: int, requests_: int) -> float:
    get(port, path, headers)
    begin = worker_cpu(pid)
    for _ in range(requests_):
        status = get(port, path, headers)[0]
        if status != expect:
            raise SystemExit(f"GET {path} answered {status}, expected {expect}")
    return (worker_cpu(pid) - begin) * 1000 / requests_


def bench_paths(code: Path, database_url: str, tokens: tuple[str, str], requests_: int, rounds: int) -> dict:
    process, port, pid = start_server(code, database_url)
    try:
        cookie = {"Cookie": login_cookie(port)}
        cases = {
            "/bare": ("/bare", {}, 200),
            "/healthz": ("/healthz", {}, 200),
            "/healthz signed in": ("/healthz", cookie, 200),
            "/shifts": ("/shifts", cookie, 200),
            "/me/shifts": ("/me/shifts", cookie, 200),
        }
        for label, token in (("volunteer feed", tokens[0]), ("courthouse feed", tokens[1])):
            path = f"/feeds/{token}.ics"
            status, headers, body = get(port, path)
            if status != 200:
                raise SystemExit(f"{label} answered {status}")
            cases[f"{label} 200 ({body.count(b'BEGIN:VEVENT')} events)"] = (path, {}, 200)
            cases[f"{label} 304"] = (path, {"If-None-Match": headers["ETag"]}, 304)
        results: dict[str, list[float]] = {name: [] for name in cases}
        names = list(cases)
        for round_ in range(rounds):
            shift = round_ % len(names)
            for name in names[shift:] + names[:shift]:
                path, headers, expect = cases[name]
                results[name].append(cpu_ms(port, pid, path, headers, expect, requests_))
        return {name: statistics.median(values) for name, values in results.items()}
    finally:
        process.terminate()
        process.wait()


def run_child(command: list[str], cwd: Path, env: dict) -> tuple[float, int]:
    """(CPU seconds, peak RSS in MB) of one run, as GNU time reports them (a forked child's own
    rusage would count the parent's memory it was copied from)."""
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%U %S %M", *command], cwd=cwd, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}: {result.stderr[-500:]}")
    user, system, rss_kb = result.stderr.strip().splitlines()[-1].split()
    return float(user) + float(system), int(rss_kb) // 1024


def empty_database(path: str) -> str:
    """A database with the schema and nothing in it: send-due then measures start-up, not sending."""
    from courtwatch import create_app
    from courtwatch.db import db

    if os.path.exists(path):
        os.unlink(path)
    url = f"sqlite:///{path}"
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 40, "ENV_NAME": "testing"})
    with app.app_context():
        db.create_all()
    return url


def bench_cli(code: Path, runs: int) -> dict:
    env = _env(empty_database("/tmp/courtwatch-bench-cli.sqlite"))
    python = str(ROOT / ".venv/bin/python")
    commands = {
        "python -c pass": [python, "-c", "pass"],
        "flask --app courtwatch notify send-due": [python, "-m", "flask", "--app", "courtwatch", "notify", "send-due"],
    }
    results: dict[str, list[tuple[float, int]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            results[name].append(run_child(command, code, env))
    return {
        name: (statistics.median(c for c, _ in values), statistics.median(m for _, m in values))
        for name, values in results.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--requests", type=int, default=200, help="requests per path and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--code", action="append", type=Path, help="checkout to measure (repeatable)")
    parser.add_argument("--cli-runs", type=int, default=5)
    args = parser.parse_args()
    tokens = make_feed_tokens(args.database_url)
    for code in args.code or [ROOT]:
        print(f"== {code}  (load average {os.getloadavg()[0]:.1f})", flush=True)
        paths = bench_paths(code.resolve(), args.database_url, tokens, args.requests, args.rounds)
        floor = paths["/bare"]
        print(f"{'path':<40} {'CPU ms/request':>15} {'x bare':>8}")
        for name, value in paths.items():
            print(f"{name:<40} {value:>15.3f} {value / floor:>8.1f}", flush=True)
        for name, (cpu, rss) in bench_cli(code.resolve(), args.cli_runs).items():
            print(f"{name:<40} CPU {cpu:.2f} s, peak RSS {rss} MB", flush=True)
        print(f"(load average after: {os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    main()
