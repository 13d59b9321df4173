"""`flask notify worker`: a long-running delivery process, so an alert goes out within a second
of the report that raised it instead of at the next cron minute.

Several workers (on one host or several) may run at once: messages are claimed by one
``UPDATE`` that re-checks each row (``runs.claim``), so no job lock is taken here; a lock would leave every worker
but one idle, and the point of a second worker is to carry on when the first one's host is gone.
``notify send-due`` from cron keeps its lock and runs beside the workers as the fallback.

Waking: on PostgreSQL the worker LISTENs on ``courtwatch_outbox`` on a connection of its own;
``queue_email`` notifies it when the queueing transaction commits. Between notifications it
sleeps until the earliest retry or scheduled message comes due (at most ``IDLE_SECONDS``, in
case a notification was lost with a dropped connection). On SQLite, which has no notifications,
it looks once a second.

SIGTERM or SIGINT (systemd stop, Ctrl-C): no new message is claimed, the ones in hand are
finished, and the process exits 0.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url

from courtwatch.db import db, utcnow
from courtwatch.notify.runs import ChannelPauses, DeliveryReport
from courtwatch.notify.services import OUTBOX_CHANNEL, next_due_at, send_due

IDLE_SECONDS = 60  # PostgreSQL: the longest sleep without a notification
POLL_SECONDS = 1  # SQLite: how often to look
REMINDER_SECONDS = 60  # how often the shift reminders that came due are queued
# A worker leaves a channel whose server timed out alone this long (a cron run: for the run).
PAUSE_SECONDS = 60


def queue_reminders() -> int:
    """Shift reminders that have come due, in a transaction of their own (dedupe keys make two
    processes doing this at once queue each reminder once)."""
    from courtwatch.shifts.reminders import queue_due_reminders

    try:
        queued = queue_due_reminders()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return queued


class Stop:
    """Set by SIGTERM/SIGINT; the loop and the delivery run check it before claiming more."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def __call__(self) -> bool:
        return self.event.is_set()

    @contextmanager
    def on_signals(self) -> Iterator[None]:
        def handle(_signum, _frame):
            self.event.set()

        previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


class PollWaiter:
    """SQLite: no notifications, so look again after a second."""

    how = "polling every second (SQLite)"

    def wait(self, seconds: float, stop: Stop) -> None:
        stop.event.wait(min(seconds, POLL_SECONDS))

    def close(self) -> None:
        pass


class ListenWaiter:
    """PostgreSQL: LISTEN on a dedicated autocommit connection (not one from the app's pool, which
    is handed between transactions and would lose the LISTEN)."""

    how = f"listening on {OUTBOX_CHANNEL} (PostgreSQL LISTEN/NOTIFY)"

    def __init__(self, url) -> None:
        import psycopg

        conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.connection = psycopg.connect(conninfo, autocommit=True)
        self.connection.execute(f"LISTEN {OUTBOX_CHANNEL}")

    def wait(self, seconds: float, stop: Stop) -> None:
        # In slices of a second, so a SIGTERM is noticed at once; a slice only waits on the
        # socket, it sends no query.
        deadline = time.monotonic() + seconds
        while not stop():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            # stop_after=1 still hands over every notification already received: a burst of
            # commits is one wake-up.
            if list(self.connection.notifies(timeout=min(left, 1.0), stop_after=1)):
                return

    def close(self) -> None:
        self.connection.close()


def _waiter():
    if db.engine.dialect.name == "postgresql":
        return ListenWaiter(db.engine.url)
    return PollWaiter()


def _seconds_until_due() -> float:
    due = next_due_at()
    if due is None:
        return IDLE_SECONDS
    return min(max((due - utcnow()).total_seconds(), 0.0), IDLE_SECONDS)


def run_worker(
    report_run: Callable[[DeliveryReport], None] | None = None,
    stop: Stop | None = None,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Deliver until stopped: a run whenever there may be work, then wait for the next. ``ready``
    hears, once, how the worker waits, when it first does."""
    stop = stop or Stop()
    limit = 500
    pauses = ChannelPauses(PAUSE_SECONDS)
    waiter = _waiter()  # listening before the first run: nothing queued meanwhile is missed
    last_reminders = -float("inf")
    try:
        while not stop():
            if time.monotonic() - last_reminders >= REMINDER_SECONDS:
                queue_reminders()
                last_reminders = time.monotonic()
            report = send_due(limit=limit, pauses=pauses, should_stop=stop)
            if report_run and (report.sent or report.failed or report.gave_up):
                report_run(report)
            progress = report.sent + report.failed + report.gave_up
            if progress >= limit:
                continue  # a full batch: there is probably more
            wait = _seconds_until_due()
            if not progress:
                # What is due is on a paused channel: wait out the pause (a notification still
                # wakes us for new work) rather than spin.
                wait = max(wait, min(pauses.seconds_left(), IDLE_SECONDS), POLL_SECONDS)
            if ready:
                ready(waiter.how)
                ready = None
            waiter.wait(wait, stop)
    finally:
        waiter.close()
        db.session.remove()
