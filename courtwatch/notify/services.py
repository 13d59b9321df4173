"""Queueing mail in the current transaction, and delivering what is due.

Queueing is part of the caller's transaction: if a claim rolls back, so does its confirmation.
Delivery is the exception to "one transaction per command": messages are claimed, sent and
marked in transactions of their own (one at a time for email, small batches for push and SMS:
``notify.runs``), so that a failure on message 7 does not resend messages 1-6 and two
``send-due`` runs started at the same moment never both send one message.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError

from courtwatch.db import db, utcnow
from courtwatch.notify.models import PRIORITY, Channel, MessageKind, OutboxAttachment, OutboxMessage, OutboxStatus
from courtwatch.notify.runs import ChannelPauses, DeliveryReport, DeliveryRun

# Threads that post push and SMS in one run. SQLite takes one writer at a time, so more threads
# there only queue up for its lock.
HTTP_LANES = 8
SQLITE_HTTP_LANES = 2
# The PostgreSQL channel ``notify worker`` listens on; queueing notifies it at commit.
OUTBOX_CHANNEL = "courtwatch_outbox"


@dataclass
class Attachment:
    filename: str
    content_type: str
    content: bytes


def queue_email(
    to_address: str,
    subject: str,
    body_text: str,
    *,
    dedupe_key: str | None = None,
    urgent: bool = False,
    attachments: list[Attachment] | None = None,
    not_before: datetime | None = None,
    kind: str = MessageKind.NOTICE,
    channel: str = Channel.EMAIL,
    user_id: int | None = None,
    link: str | None = None,
) -> OutboxMessage | None:
    """Queue a message; returns None when a message with this dedupe_key was queued before.

    ``kind`` sets its priority (alerts first). To reach a person on the channels they chose, use
    ``notify.preferences.queue_for_person``, which calls this once per channel."""
    if dedupe_key and db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)):
        return None
    wake_workers()
    message = OutboxMessage(
        to_address=to_address,
        subject=subject,
        body_text=body_text,
        dedupe_key=dedupe_key,
        urgent=urgent,
        kind=str(kind),
        priority=PRIORITY[MessageKind(kind)],
        channel=str(channel),
        user_id=user_id,
        link=link,
        next_attempt_at=not_before or utcnow(),
        attachments=[
            OutboxAttachment(filename=a.filename, content_type=a.content_type, content=a.content)
            for a in attachments or []
        ],
    )
    if dedupe_key is None:
        db.session.add(message)
        db.session.flush()
        return message
    try:
        # A savepoint: a concurrent process that queued the same notice first must not
        # roll back the rest of this transaction.
        with db.session.begin_nested():
            db.session.add(message)
        return message
    except IntegrityError:
        return None


def queue_many(rows: list[dict]) -> int:
    """Queue many messages in one INSERT, in the caller's transaction; how many. Each row gives
    ``queue_email``'s fields (to_address, subject, body_text, kind, channel, user_id, link,
    urgent, dedupe_key). No dedupe look-up and no savepoint: for messages nobody can have queued
    before (``preferences.queue_for_crowd``); a clash is an error that rolls the caller back."""
    if not rows:
        return 0
    now = utcnow()
    db.session.execute(
        insert(OutboxMessage),
        [
            {
                **row,
                "priority": PRIORITY[MessageKind(row["kind"])],
                "status": OutboxStatus.PENDING.value,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for row in rows
        ],
    )
    wake_workers()
    return len(rows)


def wake_workers() -> None:
    """On PostgreSQL, ``NOTIFY courtwatch_outbox`` in the queueing transaction: delivered when it
    commits (never for a rollback), it wakes every ``notify worker`` at once. Once per transaction:
    PostgreSQL folds identical notifications anyway, this saves the round trips."""
    if db.engine.dialect.name != "postgresql":
        return
    session = db.session()
    transaction = session.get_transaction()
    if transaction is not None and session.info.get("outbox_woken") is transaction:
        return
    session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": OUTBOX_CHANNEL})
    # Inside a savepoint the notification could be rolled back with it: do not remember it then.
    if not session.in_nested_transaction():
        session.info["outbox_woken"] = session.get_transaction()


def due_messages(now: datetime, limit: int) -> list[tuple[int, str]]:
    """(id, channel) of what is due: alerts first, then reminders and notices, then announcements;
    within one priority urgent ones first, then oldest."""
    rows = db.session.execute(
        select(OutboxMessage.id, OutboxMessage.channel)
        .where(
            or_(
                (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= now),
                (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.claimed_until < now),
            )
        )
        .order_by(OutboxMessage.priority, OutboxMessage.urgent.desc(), OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    return [(message_id, channel) for message_id, channel in rows]


def send_due(
    now: datetime | None = None,
    limit: int = 500,
    *,
    run_seconds: float | None = None,
    pauses: ChannelPauses | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> DeliveryReport:
    """Deliver every message whose time has come, in priority order, until NOTIFY_RUN_SECONDS.

    Push and SMS (HTTP calls of a few milliseconds each, mostly waiting) go out on a few threads,
    so 2,000 alert messages take seconds; email goes one at a time on this thread beside them, so
    a hung mail server delays no alert. After the deadline (or ``should_stop``: the worker was
    told to stop) nothing more is claimed; what was claimed is finished. A channel whose server
    timed out is not used again in this run (``pauses``: or for as long as the caller says)."""
    now = now or utcnow()
    config = current_app.config
    if run_seconds is None:
        run_seconds = float(config["NOTIFY_RUN_SECONDS"])
    run = DeliveryRun(now, time.monotonic() + run_seconds, pauses or ChannelPauses(), should_stop)
    due = due_messages(now, limit)
    emails = [message_id for message_id, channel in due if channel == Channel.EMAIL]
    work: queue.SimpleQueue = queue.SimpleQueue()
    for item in due:
        if item[1] != Channel.EMAIL:
            work.put(item)
    lanes = min(HTTP_LANES if db.engine.dialect.name == "postgresql" else SQLITE_HTTP_LANES, len(due) - len(emails))
    with ThreadPoolExecutor(max_workers=max(lanes, 1), thread_name_prefix="outbox") as pool:
        running = [pool.submit(run.lane, work) for _ in range(lanes)]
        for message_id in emails:
            run.deliver(message_id, Channel.EMAIL)
        for lane in running:
            lane.result()  # a bug in a lane surfaces here, not in a thread nobody watches
    return run.report


def next_due_at() -> datetime | None:
    """When the earliest waiting message (a retry, a scheduled reminder, an expired claim) comes due."""
    pending = db.session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(OutboxMessage.status == OutboxStatus.PENDING)
    )
    claimed = db.session.scalar(
        select(func.min(OutboxMessage.claimed_until)).where(OutboxMessage.status == OutboxStatus.SENDING)
    )
    db.session.commit()
    return min((t for t in (pending, claimed) if t is not None), default=None)


def outbox_counts() -> dict[str, int]:
    rows = db.session.execute(select(OutboxMessage.status, db.func.count()).group_by(OutboxMessage.status))
    return {status: count for status, count in rows}


def print_outbox_after_commit() -> None:
    """Development only: show queued mail on the console right after the request commits."""
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.status == OutboxStatus.PENDING).limit(1)):
        send_due(limit=50)


def erase_delivered_mail(now: datetime | None = None, batch: int = 1000) -> int:
    """Blank the address, subject, body and attachments of mail delivered (or given up on) more than
    SENT_MAIL_RETENTION_DAYS ago. The rows stay, so counts by status remain; who was told what,
    where and when does not."""
    now = now or utcnow()
    horizon = now - timedelta(days=int(current_app.config["SENT_MAIL_RETENTION_DAYS"]))
    erased = 0
    while True:
        ids = db.session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.to_address != "",
                or_(
                    (OutboxMessage.status == OutboxStatus.SENT) & (OutboxMessage.sent_at < horizon),
                    (OutboxMessage.status == OutboxStatus.FAILED) & (OutboxMessage.created_at < horizon),
                    # A message a coordinator cancelled is never sent, and is erased like one given up on.
                    (OutboxMessage.status == OutboxStatus.CANCELLED) & (OutboxMessage.created_at < horizon),
                ),
            )
            .order_by(OutboxMessage.id)
            .limit(batch)
        ).all()
        if not ids:
            return erased
        db.session.execute(delete(OutboxAttachment).where(OutboxAttachment.message_id.in_(ids)))
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(to_address="", subject="", body_text="", last_error=None)
            .execution_options(synchronize_session=False)
        )
        erased += len(ids)
