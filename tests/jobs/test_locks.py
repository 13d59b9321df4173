"""Scheduled commands on several hosts at once: real processes, one holding a job's lock while the
command runs again beside it (PostgreSQL advisory lock, or the SQLite lock row)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import time as clock_time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update

from courtwatch.db import db, utcnow
from courtwatch.jobs.locks import advisory_key
from courtwatch.jobs.models import JobLock
from courtwatch.shifts.models import Shift, ShiftPattern
from tests.conftest import TEST_MASTER_KEY
from tests.support.servers import ROOT, gunicorn_env

SCHEDULED = {
    "notify send-due": ["notify", "send-due"],
    "calendars sync": ["calendars", "sync"],
    "privacy purge": ["privacy", "purge"],
    "shifts generate": ["shifts", "generate"],
    "reports recount": ["reports", "recount"],
}

# A process that takes the named jobs' locks, says so, and holds them until its stdin closes.
HOLDER = """
import sys
from contextlib import ExitStack
from courtwatch import create_app
from courtwatch.jobs.locks import job_lock
app = create_app()
with app.app_context(), ExitStack() as stack:
    taken = [stack.enter_context(job_lock(job)) for job in sys.argv[1:]]
    print("held" if all(taken) else "refused", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def cli_env(test_config, tmp_path):
    env = gunicorn_env(test_config, tmp_path / "cron-instance")
    env["COURTWATCH_MASTER_KEY"] = TEST_MASTER_KEY
    return env


def flask(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ROOT / ".venv/bin/flask"), "--app", "courtwatch", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def hold(env, *jobs) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, *jobs],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = holder.stdout.readline().strip()
    assert line == "held", line + holder.stderr.read()
    return holder


@pytest.fixture
def weekly_pattern(make_courthouse):
    courthouse = make_courthouse()
    db.session.add(
        ShiftPattern(
            courthouse_id=courthouse.id,
            weekdays="1234567",
            start_time=clock_time(9, 0),
            end_time=clock_time(12, 0),
            capacity=2,
            minimum=1,
        )
    )
    db.session.commit()


def shift_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Shift))


def test_a_second_run_of_every_scheduled_command_waits_for_the_first(cli_env, weekly_pattern):
    holder = hold(cli_env, *SCHEDULED)
    try:
        for job, args in SCHEDULED.items():
            second = flask(cli_env, *args)
            assert second.returncode == 0, second.stderr
            assert f"{job}: another run holds the lock" in second.stdout, (job, second.stdout, second.stderr)
            assert "Traceback" not in second.stderr
        assert shift_count() == 0  # the refused `shifts generate` did nothing
    finally:
        holder.communicate("", timeout=30)
    assert holder.returncode == 0
    after = flask(cli_env, "shifts", "generate")
    assert after.returncode == 0 and "shifts created" in after.stdout, after.stderr
    assert shift_count() > 0


def test_two_runs_started_together_generate_each_shift_once(cli_env, weekly_pattern):
    command = [str(ROOT / ".venv/bin/flask"), "--app", "courtwatch", "shifts", "generate"]
    runs = [
        subprocess.Popen(command, cwd=ROOT, env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err for _out, err in results]
    assert all("Traceback" not in err for _out, err in results)
    created = shift_count()
    assert created > 0
    assert db.session.scalar(select(func.count(func.distinct(Shift.starts_at))).select_from(Shift)) == created


def _wait_until_postgres_lets_go(job: str) -> None:
    """The killed holder's backend ends when PostgreSQL sees its socket close (bounded wait)."""
    for _ in range(300):
        held = db.session.execute(
            text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = :low AND classid = :high"),
            {"low": advisory_key(job) & 0xFFFFFFFF, "high": (advisory_key(job) >> 32) & 0xFFFFFFFF},
        ).scalar()
        db.session.rollback()
        if not held:
            return
        time.sleep(0.1)
    pytest.fail("the killed run's advisory lock was never released")


def test_a_crashed_run_frees_the_job(cli_env, weekly_pattern, is_postgres):
    holder = hold(cli_env, "shifts generate")
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=30)
    if is_postgres:
        _wait_until_postgres_lets_go("shifts generate")  # the lock went with the run's connection
    else:
        # The row outlives the crash until it expires (JOB_LOCK_SECONDS); until then, runs wait.
        refused = flask(cli_env, "shifts", "generate")
        assert "another run holds the lock" in refused.stdout
        db.session.execute(update(JobLock).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    after = flask(cli_env, "shifts", "generate")
    assert after.returncode == 0 and "shifts created" in after.stdout, after.stdout + after.stderr
    assert db.session.scalar(select(func.count()).select_from(JobLock)) == 0
