"""One delivery run: claiming due outbox rows, sending them, and marking what happened.

HTTP messages (push, SMS) are claimed and marked in small batches: one ``UPDATE ... RETURNING``
claims up to ``BATCH_SIZE`` rows (PostgreSQL locks them first with ``SELECT ... FOR UPDATE SKIP
LOCKED``), one query loads them (and one their push subscriptions), and one ``UPDATE`` marks the
sent ones: a batch of 16 costs a handful of round trips instead of five per message. The claim is
still row by row: an ``UPDATE`` re-checks its ``WHERE`` on each row it locks (PostgreSQL, where
rows another worker is claiming at that moment are skipped, not waited for) or runs alone
(SQLite), so two workers never both claim one row. Email stays one at a time (``deliver``): a
hung mail server must not hold a batch of claims, and each email is marked the moment it is
handed over.

The price of marking a batch at its end: a process killed in the middle of one leaves up to
``BATCH_SIZE`` sent rows claimed; they go out again when the claim expires (CLAIM_SECONDS). A
push replaces its own notification (one tag per row); a text would arrive twice.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from courtwatch.db import db, utcnow
from courtwatch.notify.channels import HttpClients, deliver_on_channel
from courtwatch.notify.delivery import ChannelTimedOut, DeliveryFailed
from courtwatch.notify.models import OutboxMessage, OutboxStatus, PushSubscription

CLAIM_SECONDS = 300
MAX_BACKOFF = timedelta(hours=6)
# HTTP messages claimed, sent and marked together by one lane. Small: it bounds what a crash
# can resend and how long a run may overrun its deadline (each message is a few milliseconds).
BATCH_SIZE = 16


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0
    deferred: int = 0  # left pending, not attempted: the deadline passed or its server timed out

    def summary(self) -> str:
        line = f"sent {self.sent}, failed {self.failed} (will retry), gave up {self.gave_up}"
        return line + (f", left {self.deferred} for the next run" if self.deferred else "")


def backoff(attempts: int) -> timedelta:
    # Cap the exponent too: timedelta(minutes=2 ** 50) overflows (a large MAIL_MAX_ATTEMPTS).
    return min(timedelta(minutes=2 ** min(attempts, 20)), MAX_BACKOFF)


def claimable(now: datetime, clock: datetime):
    return or_(
        (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.claimed_until < clock),
    )


def claim(message_ids: list[int], now: datetime) -> list[int]:
    """Claim those of ``message_ids`` nobody else holds, in one transaction; the ids won.

    The claim runs on the real clock, not on the run's start time ``now``: a long run that
    claimed message 400 with "start + 5 minutes" would hand another sender an already expired
    claim, and both would send it."""
    if not message_ids:
        return []
    clock = max(now, utcnow())
    if db.engine.dialect.name == "postgresql":
        # Rows another worker is claiming at this moment are skipped rather than waited for: they
        # are about to be its own. FOR UPDATE re-checks ``claimable`` on each row once locked. A
        # statement of its own: as a subquery of the UPDATE, a fresh table without statistics got
        # a plan that scanned it once per row (a 2,000-message fan-out took 25 s instead of 4).
        message_ids = db.session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.id.in_(message_ids), claimable(now, clock))
            .with_for_update(skip_locked=True)
        ).all()
        if not message_ids:
            db.session.commit()
            return []
    won = db.session.scalars(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), claimable(now, clock))
        .values(status=OutboxStatus.SENDING, claimed_until=clock + timedelta(seconds=CLAIM_SECONDS))
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return list(won)


class ChannelPauses:
    """Channels whose server timed out, left alone for ``seconds`` (a run's own: for the rest of
    the run). Without it a hung mail server makes every queued email wait out SMTP_TIMEOUT in turn,
    and the run outlives its deadline and the next cron run."""

    def __init__(self, seconds: float = math.inf):
        self.seconds = seconds
        self._until: dict[str, float] = {}

    def pause(self, channel: str) -> None:
        self._until[channel] = time.monotonic() + self.seconds

    def paused(self, channel: str) -> bool:
        return time.monotonic() < self._until.get(channel, -math.inf)

    def seconds_left(self) -> float:
        """Until the first paused channel may be tried again (0 when none is paused)."""
        now = time.monotonic()
        return min((until - now for until in self._until.values() if until > now), default=0.0)


class DeliveryRun:
    """One delivery run's shared state: its clock, deadline, paused channels and tally. Its lanes
    (threads) each claim, send and mark a batch at a time in transactions of their own."""

    def __init__(self, now: datetime, stop_at: float, pauses: ChannelPauses, should_stop: Callable[[], bool] | None):
        self.app = current_app._get_current_object()
        self.now, self.stop_at, self.pauses = now, stop_at, pauses
        self.should_stop = should_stop or (lambda: False)
        self.report = DeliveryReport()
        self._tally = threading.Lock()

    def count(self, field_name: str, how_many: int = 1) -> None:
        with self._tally:
            setattr(self.report, field_name, getattr(self.report, field_name) + how_many)

    def holding_back(self, channel: str) -> bool:
        """Past the deadline, told to stop, or the channel's server timed out: send no more on it."""
        return time.monotonic() >= self.stop_at or self.should_stop() or self.pauses.paused(channel)

    def _failed(self, message: OutboxMessage, error: Exception) -> None:
        if isinstance(error, ChannelTimedOut):
            self.pauses.pause(message.channel)
        elif not isinstance(error, DeliveryFailed):
            error = DeliveryFailed(f"{type(error).__name__}: {error}"[:480])
        message.attempts += 1
        message.last_error = str(error)
        message.claimed_until = None
        if message.attempts >= int(self.app.config["MAIL_MAX_ATTEMPTS"]):
            message.status = OutboxStatus.FAILED
            self.count("gave_up")
        else:
            message.status = OutboxStatus.PENDING
            message.next_attempt_at = self.now + backoff(message.attempts)
            self.count("failed")

    def deliver(self, message_id: int, channel: str) -> None:
        """One message (email): claimed, sent and marked in transactions of its own."""
        if self.holding_back(channel):
            self.count("deferred")  # never claimed: it stays pending, no attempt counted
            return
        if not claim([message_id], self.now):
            return  # another sender took it
        message = db.session.get(OutboxMessage, message_id)
        try:
            deliver_on_channel(message, self.app.config)
        except Exception as error:  # noqa: BLE001  one unsendable message must not stall the queue
            self._failed(message, error)
        else:
            message.status = OutboxStatus.SENT
            message.sent_at = utcnow()
            message.claimed_until = None
            message.attempts += 1
            self.count("sent")
        db.session.commit()

    def deliver_batch(self, batch: list[tuple[int, str]], clients: HttpClients) -> None:
        """HTTP messages: one claim, one load, each sent, one mark (see the module's docstring)."""
        wanted = [message_id for message_id, channel in batch if not self.holding_back(channel)]
        self.count("deferred", len(batch) - len(wanted))
        won = set(claim(wanted, self.now))
        if not won:
            return
        messages = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.id.in_(won))
            .order_by(OutboxMessage.priority, OutboxMessage.urgent.desc(), OutboxMessage.id)
        ).all()
        people = {m.user_id for m in messages if m.channel == "push" and m.user_id is not None}
        devices: dict[int, list[PushSubscription]] = defaultdict(list)
        if people:
            for subscription in db.session.scalars(
                select(PushSubscription).where(PushSubscription.user_id.in_(people)).order_by(PushSubscription.id)
            ):
                devices[subscription.user_id].append(subscription)
        sent, released = [], []
        for message in messages:
            if self.holding_back(message.channel):
                released.append(message.id)  # its server timed out (or the deadline came) mid-batch
                continue
            try:
                deliver_on_channel(message, self.app.config, clients, devices.get(message.user_id, []))
            except Exception as error:  # noqa: BLE001  one unsendable message must not stall the batch
                self._failed(message, error)
            else:
                sent.append(message.id)
        self._mark(sent, released)

    def _mark(self, sent: list[int], released: list[int]) -> None:
        if sent:
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(sent))
                .values(
                    status=OutboxStatus.SENT,
                    sent_at=utcnow(),
                    claimed_until=None,
                    attempts=OutboxMessage.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            )
        if released:
            # Back to pending as it was: never attempted, so no attempt is counted.
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(released))
                .values(status=OutboxStatus.PENDING, claimed_until=None)
                .execution_options(synchronize_session=False)
            )
        db.session.commit()
        self.count("sent", len(sent))
        self.count("deferred", len(released))

    def lane(self, work: queue.SimpleQueue) -> None:
        """A thread's share of the HTTP messages, with a session of its own (its own app context)
        and its own HTTP connections."""
        with self.app.app_context(), HttpClients() as clients:
            while True:
                batch = []
                while len(batch) < BATCH_SIZE:
                    try:
                        batch.append(work.get_nowait())
                    except queue.Empty:
                        break
                if not batch:
                    return
                self.deliver_batch(batch, clients)
