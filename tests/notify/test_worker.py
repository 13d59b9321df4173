"""`flask notify worker`: real worker processes beside the test process, a real SMS provider and a
real push receiver on 127.0.0.1. An alert queued in one process reaches phones without waiting for
cron (PostgreSQL: LISTEN/NOTIFY; SQLite: one-second polling); two workers never send one message
twice; a hung mail server neither holds up alerts nor makes a run outlive its deadline."""

from __future__ import annotations

import queue
import signal
import subprocess
import threading
import time
from collections import Counter
from urllib.parse import parse_qs

import pytest
from sqlalchemy import select

from courtwatch.db import db
from courtwatch.notify.models import OutboxMessage, OutboxStatus
from courtwatch.notify.services import queue_email, send_due
from courtwatch.rapid.alerts import raise_alert
from tests.conftest import TEST_MASTER_KEY
from tests.notify.test_channels import VAPID_PRIVATE, VAPID_PUBLIC, VAPID_SETTINGS, Browser
from tests.rapid.test_rapid import on_call
from tests.support.providers import SMS_ACCOUNT, SMS_TOKEN, SilentServer, sms_settings
from tests.support.servers import ROOT, gunicorn_env

ARRIVES = 10  # seconds: generous; a worker takes about a second to start and none to deliver


@pytest.fixture
def test_config(test_config, sms):
    return {
        **test_config,
        **sms_settings(sms),
        **VAPID_SETTINGS,
    }


@pytest.fixture
def cli_env(test_config, tmp_path):
    env = gunicorn_env(test_config, tmp_path / "worker-instance")
    env.update(
        COURTWATCH_MASTER_KEY=TEST_MASTER_KEY,
        COURTWATCH_SMS_URL=test_config["SMS_URL"],
        COURTWATCH_SMS_ACCOUNT=SMS_ACCOUNT,
        COURTWATCH_SMS_TOKEN=SMS_TOKEN,
        COURTWATCH_SMS_FROM="+16175550000",
        COURTWATCH_VAPID_PRIVATE_KEY=VAPID_PRIVATE,
        COURTWATCH_VAPID_PUBLIC_KEY=VAPID_PUBLIC,
        COURTWATCH_VAPID_SUBJECT="mailto:ops@example.org",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def court(make_courthouse):
    return make_courthouse(name="Chelsea District Court", slug="chelsea", county="Suffolk County")


def on_call_people(make_user, court, push, count: int) -> list:
    people = []
    for n in range(count):
        person = make_user("volunteer")
        person.phone = f"+1617555{n:04d}"
        db.session.commit()
        Browser(f"{push.url}/push/device-{person.id}").subscribe(person)
        on_call(person, courthouse=court)
        people.append(person)
    return people


class Worker:
    """``flask --app courtwatch notify worker`` in a process of its own."""

    def __init__(self, env):
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/flask"), "--app", "courtwatch", "notify", "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.put(line)

    def wait_ready(self) -> str:
        """The line the worker prints when it first waits for work (it has done a run by then)."""
        seen = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            seen.append(line)
            if line.startswith("notify worker:"):
                return line
        pytest.fail("worker never became ready: " + "".join(seen))

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGTERM)
        try:
            out, _err = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        return self.process.returncode, out


def wait_for(condition, seconds=ARRIVES) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def texts_to(sms) -> Counter:
    return Counter(parse_qs(r.body.decode())["To"][0] for r in list(sms.received))


def test_worker_once_delivers_what_is_due_and_prints_the_summary(runner, court, make_user, sms, push, mailbox):
    [person] = on_call_people(make_user, court, push, 1)
    raise_alert(court, action="arrest", area="hallway")
    queue_email("someone@example.org", "A notice", "Hello")
    db.session.commit()
    result = runner.invoke(args=["notify", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "queued 0 reminders; sent 3, failed 0 (will retry), gave up 0"
    assert texts_to(sms) == {person.phone: 1}
    assert [r.path for r in push.received] == [f"/push/device-{person.id}"]
    assert [m["Subject"] for m in mailbox.to("someone@example.org")] == ["A notice"]


def test_a_worker_process_delivers_an_alert_queued_in_another_process_within_seconds(
    app, cli_env, court, make_user, sms, push, is_postgres
):
    [person] = on_call_people(make_user, court, push, 1)
    worker = Worker(cli_env)
    try:
        ready = worker.wait_ready()
        # PostgreSQL: the worker sleeps up to a minute between runs when nothing is due, so only the
        # notification sent at commit can wake it in time. SQLite: it looks every second.
        assert ("LISTEN" in ready) if is_postgres else ("polling every second" in ready)
        raise_alert(court, action="arrest", area="hallway")
        db.session.commit()
        assert wait_for(lambda: texts_to(sms) == {person.phone: 1} and len(push.received) == 1)
        # A rolled-back alert sends nothing.
        raise_alert(court, action="arrest", area="hallway")
        db.session.rollback()
        time.sleep(1)
    finally:
        status, out = worker.stop()
    assert status == 0
    assert "sent" in out
    assert texts_to(sms) == {person.phone: 1} and len(push.received) == 1


def test_two_workers_at_once_never_send_a_message_twice(app, cli_env, court, make_user, sms, push):
    people = on_call_people(make_user, court, push, 40)
    workers = [Worker(cli_env), Worker(cli_env)]
    try:
        for worker in workers:
            worker.wait_ready()
        raise_alert(court, action="arrest", area="hallway")  # both wake at the same commit
        db.session.commit()
        assert wait_for(lambda: len(sms.received) >= 40 and len(push.received) >= 40)
        time.sleep(1)  # a duplicate, if any, would arrive meanwhile
    finally:
        stopped = [worker.stop() for worker in workers]
    assert [status for status, _out in stopped] == [0, 0]
    assert texts_to(sms) == {person.phone: 1 for person in people}
    assert Counter(r.path for r in push.received) == {f"/push/device-{person.id}": 1 for person in people}
    db.session.expire_all()
    statuses = Counter(db.session.scalars(select(OutboxMessage.status)))
    assert statuses == {OutboxStatus.SENT: 80}


def test_a_hung_mail_server_holds_up_no_alert_and_no_run_piles_up(
    app, cli_env, court, make_user, sms, push, coordinator
):
    hung = SilentServer()
    cli_env.update(
        COURTWATCH_SMTP_PORT=str(hung.port), COURTWATCH_SMTP_TIMEOUT="15", COURTWATCH_NOTIFY_RUN_SECONDS="20"
    )
    [person] = on_call_people(make_user, court, push, 1)
    for n in range(5):
        queue_email(f"notice{n}@example.org", "A notice", "Hello")
    raise_alert(court, action="arrest", area="hallway")  # the coordinator has only email
    db.session.commit()
    flask = [str(ROOT / ".venv/bin/flask"), "--app", "courtwatch", "notify", "send-due"]
    first = subprocess.Popen(flask, cwd=ROOT, env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert hung.accepted.wait(60), first.stderr.read() if first.poll() is not None else "no connection"
        # While the first run waits on the mail server, a second one (cron's next minute) gives way.
        second = subprocess.run(flask, cwd=ROOT, env=cli_env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 0
        assert second.stdout.strip() == "notify send-due: another run holds the lock; nothing done"
        out, err = first.communicate(timeout=60)
    finally:
        hung.close()
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, err
    # The alert went out on push and SMS while the mail server hung.
    assert texts_to(sms) == {person.phone: 1} and len(push.received) == 1
    # One email waited out the timeout (one failed attempt); the rest were not tried and stay as they
    # were: the run did not wait out the timeout six times.
    assert out.strip() == "queued 0 reminders; sent 2, failed 1 (will retry), gave up 0, left 5 for the next run"
    db.session.expire_all()
    emails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "email")).all()
    assert sorted((m.status, m.attempts) for m in emails) == [("pending", 0)] * 5 + [("pending", 1)]
    [tried] = [m for m in emails if m.attempts]
    assert tried.to_address == coordinator.email  # the alert first, as its priority says
    assert "did not answer" in tried.last_error
    assert len(hung.connections) == 1


def test_a_run_claims_nothing_after_its_deadline(app, test_config, court, make_user, sms, push, mailbox):
    slow = SilentServer(hang_up_after=2)
    app.config.update(SMTP_PORT=slow.port, SMTP_TIMEOUT=30, NOTIFY_RUN_SECONDS=1)
    try:
        for n in range(3):
            queue_email(f"notice{n}@example.org", "A notice", "Hello")
        db.session.commit()
        report = send_due()
    finally:
        slow.close()
    # The first email took longer than the run may last (the server hung up after 2 s): the run
    # stopped there and left the other two untouched for the next one.
    assert (report.sent, report.failed, report.deferred) == (0, 1, 2)
    assert report.summary() == "sent 0, failed 1 (will retry), gave up 0, left 2 for the next run"
    db.session.expire_all()
    emails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.status, m.attempts) for m in emails] == [("pending", 1), ("pending", 0), ("pending", 0)]
    assert len(slow.connections) == 1
