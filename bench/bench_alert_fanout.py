"""An alert fanned out to 1,000 people on call, each with a phone (SMS) and a subscribed browser
(Web Push): how long from the report's commit to the first push/text at the receivers, and to
the last one. Targets (issue 15): first <= 2 s, all <= 15 s.

Real parts: PostgreSQL (a fresh database, dropped at the end; or --database-url), one
``flask notify worker`` process (``--workers 2``: two, as on two app hosts) woken by LISTEN/NOTIFY, the SMS provider and push receiver of
tests/support/providers.py on 127.0.0.1 (push payloads really encrypted, aes128gcm + VAPID).

The floor, measured in the same run: another process posting 2,000 bare requests (no database,
no encryption) to the same two receivers on the same number of threads as the worker's lanes.

Usage: .venv/bin/python bench/bench_alert_fanout.py [--people 1000] [--runs 3] [--workers 1]
"""

from __future__ import annotations

import argparse
import base64
import os
import queue
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from courtwatch import create_app  # noqa: E402
from courtwatch.db import db, utcnow  # noqa: E402
from courtwatch.notify.services import HTTP_LANES  # noqa: E402
from courtwatch.notify.vapid import new_key_pair  # noqa: E402
from tests.conftest import TEST_MASTER_KEY, TEST_SECRET  # noqa: E402
from tests.support.providers import SMS_ACCOUNT, SMS_TOKEN, push_service, sms_provider  # noqa: E402

FLOOR = """
import sys, time, requests
from concurrent.futures import ThreadPoolExecutor
sms, push, n, lanes, account, token = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
local = __import__("threading").local()
def post(i):
    session = getattr(local, "session", None) or requests.Session()
    local.session = session
    if i % 2:
        session.post(f"{sms}/2010-04-01/Accounts/{account}/Messages.json", data={"To": "+1617", "From": "+1", "Body": "x"}, auth=(account, token), timeout=10)
    else:
        session.post(f"{push}/push/floor-{i}", data=b"x" * 200, timeout=10)
start = time.monotonic()
with ThreadPoolExecutor(lanes) as pool:
    list(pool.map(post, range(n)))
print(time.monotonic() - start)
"""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Clock:
    """Times (monotonic) of the first and last request each receiver took, and how many."""

    def __init__(self, *services):
        self.services = services

    def reset(self):
        for service in self.services:
            service.received.clear()

    def count(self) -> int:
        return sum(len(s.received) for s in self.services)


def timed(service):
    """Wrap a receiver's list so every request is stamped on arrival."""

    class Stamped(list):
        def append(self, item):
            item.at = time.monotonic()
            super().append(item)

    service.received = Stamped()
    return service


def fresh_database(base: str) -> tuple[str, str]:
    import psycopg

    url = make_url(base)
    name = f"courtwatch_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(
        host=url.host, port=url.port or 5432, user=url.username, dbname=url.database, autocommit=True
    ) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return name, url.set(database=name).render_as_string(hide_password=False)


def drop_database(base: str, name: str) -> None:
    import psycopg

    url = make_url(base)
    with psycopg.connect(
        host=url.host, port=url.port or 5432, user=url.username, dbname=url.database, autocommit=True
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def seed(people: int, push_url: str):
    """A courthouse, ``people`` volunteers on call there with a phone and one subscribed browser."""
    from courtwatch.auth.models import AccountStatus, Role, User
    from courtwatch.courts.models import Courthouse
    from courtwatch.notify.models import PushSubscription
    from courtwatch.rapid.models import OnCallWindow

    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    p256dh = b64url(key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))
    auth = b64url(os.urandom(16))
    court = Courthouse(
        name="Chelsea District Court",
        short_name="Chelsea",
        slug="chelsea",
        county="Suffolk County",
        timezone="America/New_York",
    )
    db.session.add(court)
    db.session.flush()
    now = utcnow()
    users = [
        User(
            email=f"oncall{n}@example.org",
            name=f"On Call {n}",
            role=Role.VOLUNTEER,
            status=AccountStatus.ACTIVE,
            phone=f"+1617555{n:04d}",
            password_hash="x",
        )
        for n in range(people)
    ]
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all(
        PushSubscription(user_id=u.id, endpoint=f"{push_url}/push/device-{u.id}", p256dh=p256dh, auth=auth)
        for u in users
    )
    db.session.add_all(
        OnCallWindow(
            user_id=u.id,
            courthouse_id=court.id,
            timezone=court.timezone,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=6),
        )
        for u in users
    )
    db.session.commit()
    return court.id


def start_worker(env, lines: queue.Queue) -> subprocess.Popen:
    """A worker whose output (one line per delivery round) goes to ``lines``; back once it waits."""
    worker = subprocess.Popen(
        [str(ROOT / ".venv/bin/flask"), "--app", "courtwatch", "notify", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    ready = threading.Event()

    def read():
        for line in worker.stdout:
            if line.startswith("notify worker:") and "stop with SIGTERM" in line:
                ready.set()
            else:
                lines.put(f"  worker {worker.pid}: {line.rstrip()}")

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(120):
        raise RuntimeError("the worker did not start")
    return worker


def drain(lines: queue.Queue) -> list[str]:
    out = []
    while not lines.empty():
        out.append(lines.get_nowait())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="worker processes (each has HTTP_LANES threads)")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()

    sms, push = timed(sms_provider()), timed(push_service())
    clock = Clock(sms, push)
    expected = 2 * args.people
    name, url = fresh_database(args.postgres)
    private, public = new_key_pair()
    config = {
        "DATABASE_URL": url,
        "SECRET_KEY": TEST_SECRET,
        "MASTER_KEY": TEST_MASTER_KEY,
        "ENV_NAME": "testing",
        "BASE_URL": "http://localhost",
        "SMS_URL": f"{sms.url}/2010-04-01",
        "SMS_ACCOUNT": SMS_ACCOUNT,
        "SMS_TOKEN": SMS_TOKEN,
        "SMS_FROM": "+16175550000",
        "VAPID_PRIVATE_KEY": private,
        "VAPID_PUBLIC_KEY": public,
        "VAPID_SUBJECT": "mailto:ops@example.org",
    }
    env = dict(os.environ, PYTHONUNBUFFERED="1", COURTWATCH_INSTANCE_PATH=str(Path("/tmp") / name))
    env.update({f"COURTWATCH_{k}": str(v) for k, v in config.items()})
    workers = []
    try:
        app = create_app(config)
        with app.app_context():
            db.create_all()
            court_id = seed(args.people, push.url)
            worker_lines: queue.Queue = queue.Queue()
            workers = [start_worker(env, worker_lines) for _ in range(args.workers)]
            drain(worker_lines)
            results = []
            for _run in range(args.runs):
                from courtwatch.courts.models import Courthouse
                from courtwatch.rapid.alerts import raise_alert

                clock.reset()
                statements = []
                listener = lambda *a, _seen=statements, **k: _seen.append(1)  # noqa: E731
                event.listen(db.engine, "before_cursor_execute", listener)
                started = time.monotonic()
                raise_alert(db.session.get(Courthouse, court_id), action="arrest", area="hallway")
                db.session.commit()
                stored = time.monotonic()
                event.remove(db.engine, "before_cursor_execute", listener)
                deadline = stored + 120
                while clock.count() < expected and time.monotonic() < deadline:
                    time.sleep(0.01)
                stamps = sorted(r.at for s in (sms, push) for r in list(s.received))
                results.append(
                    {
                        "fanout": stored - started,
                        "queries": len(statements),
                        "first": stamps[0] - stored,
                        "all": stamps[-1] - stored,
                        "delivered": len(stamps),
                    }
                )
                print(results[-1], flush=True)
                time.sleep(0.5)  # the last round's line
                for line in drain(worker_lines):
                    print(line, flush=True)
                time.sleep(1)
        clock.reset()
        floor = float(
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    FLOOR,
                    sms.url,
                    push.url,
                    str(expected),
                    str(HTTP_LANES),
                    SMS_ACCOUNT,
                    SMS_TOKEN,
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
        drop_database(args.postgres, name)
    load = os.getloadavg()[0]

    def med(key):
        values = [r[key] for r in results]
        return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"

    print(
        f"\n{args.people} people, {expected} messages, {args.workers} worker process(es), {args.runs} runs, "
        f"load average {load:.1f}"
    )
    print(f"fan-out inside the report's transaction: {med('fanout')}, {results[0]['queries']} SQL statements")
    print(f"stored -> first delivery: {med('first')}")
    print(f"stored -> all delivered: {med('all')}  (delivered: {[r['delivered'] for r in results]})")
    print(f"floor: {expected} bare posts on {HTTP_LANES} threads from another process: {floor:.2f} s")


if __name__ == "__main__":
    main()
