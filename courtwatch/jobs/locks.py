"""One run of a scheduled job at a time, across every app host: cron can run on all of them.

On PostgreSQL a job takes a session-level advisory lock (``pg_try_advisory_lock``) on a connection
of its own, held while the command runs; a run that dies loses its connection and so its lock.
On SQLite (one host, several processes) it inserts a row in ``job_lock`` that expires after
JOB_LOCK_SECONDS, so a run that crashed without releasing frees the job by itself.

A run that finds the lock taken prints "another run holds the lock" and exits 0: the other run is
doing the work, which is not an error for cron to mail about.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import click
from flask import current_app
from sqlalchemy import delete, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from courtwatch.db import db, utcnow
from courtwatch.jobs.models import JobLock

LOCK_HELD = "another run holds the lock"


def advisory_key(job: str) -> int:
    """A stable signed 64-bit key per job name (the same on every host and every release)."""
    digest = hashlib.sha256(f"courtwatch job {job}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def _postgres_lock(engine, job: str) -> Iterator[bool]:
    key = advisory_key(job)
    connection = engine.connect()
    try:
        acquired = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
        connection.commit()
        if not acquired:
            yield False
            return
        try:
            yield True
        finally:
            try:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()
            except Exception:
                # Never hand a connection that may still hold the lock back to the pool.
                connection.invalidate()
                raise
    finally:
        connection.close()


@contextmanager
def _row_lock(engine, job: str) -> Iterator[bool]:
    holder = secrets.token_hex(8)
    now = utcnow()
    expires = now + timedelta(seconds=int(current_app.config["JOB_LOCK_SECONDS"]))
    with engine.begin() as connection:
        connection.execute(delete(JobLock).where(JobLock.name == job, JobLock.expires_at < now))
        inserted = connection.execute(
            sqlite_insert(JobLock)
            .values(name=job, holder=holder, acquired_at=now, expires_at=expires)
            .on_conflict_do_nothing(index_elements=["name"])
        ).rowcount
    if inserted != 1:
        yield False
        return
    try:
        yield True
    finally:
        with engine.begin() as connection:
            connection.execute(delete(JobLock).where(JobLock.name == job, JobLock.holder == holder))


@contextmanager
def job_lock(job: str) -> Iterator[bool]:
    """Yields True while this run holds the job's lock, False when another run holds it."""
    engine = db.engine
    lock = _postgres_lock if engine.dialect.name == "postgresql" else _row_lock
    with lock(engine, job) as acquired:
        yield acquired


def single_run(job: str):
    """Decorate a CLI command so that only one run of it, on any host, works at a time."""

    def decorate(command):
        @functools.wraps(command)
        def wrapper(*args, **kwargs):
            with job_lock(job) as acquired:
                if not acquired:
                    click.echo(f"{job}: {LOCK_HELD}; nothing done")
                    return None
                return command(*args, **kwargs)

        return wrapper

    return decorate
