"""Queueing mail in the current transaction, and delivering what is due.

Queueing is part of the caller's transaction: if a claim rolls back, so does its confirmation.
Delivery is the exception to "one transaction per command": each message is claimed, sent and
marked in transactions of its own, so that a failure on message 7 does not resend messages 1-6
and two ``send-due`` runs started at the same moment never both send one message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from courtwatch.db import db, utcnow
from courtwatch.notify.channels import deliver_on_channel
from courtwatch.notify.delivery import DeliveryFailed
from courtwatch.notify.models import PRIORITY, Channel, MessageKind, OutboxAttachment, OutboxMessage, OutboxStatus

CLAIM_SECONDS = 300
MAX_BACKOFF = timedelta(hours=6)


@dataclass
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0


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


def backoff(attempts: int) -> timedelta:
    # Cap the exponent too: timedelta(minutes=2 ** 50) overflows (a large MAIL_MAX_ATTEMPTS).
    return min(timedelta(minutes=2 ** min(attempts, 20)), MAX_BACKOFF)


def _claim(message_id: int, now: datetime) -> bool:
    # The claim runs on the real clock, not on the run's start time ``now``: a long run that
    # claimed message 400 with "start + 5 minutes" would hand another sender an already
    # expired claim, and both would send it.
    clock = max(now, utcnow())
    claimable = or_(
        (OutboxMessage.status == OutboxStatus.PENDING) & (OutboxMessage.next_attempt_at <= now),
        (OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.claimed_until < clock),
    )
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, claimable)
        .values(status=OutboxStatus.SENDING, claimed_until=clock + timedelta(seconds=CLAIM_SECONDS))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def send_due(now: datetime | None = None, limit: int = 500) -> DeliveryReport:
    """Deliver every message whose time has come: alerts first, then reminders and notices, then
    announcements; within one priority urgent ones first, then oldest."""
    now = now or utcnow()
    config = current_app.config
    due_ids = db.session.scalars(
        select(OutboxMessage.id)
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
    report = DeliveryReport()
    for message_id in due_ids:
        if not _claim(message_id, now):
            continue  # another sender took it
        message = db.session.get(OutboxMessage, message_id)
        try:
            deliver_on_channel(message, config)
        except Exception as error:  # noqa: BLE001  one unsendable message must not stall the queue
            if not isinstance(error, DeliveryFailed):
                error = DeliveryFailed(f"{type(error).__name__}: {error}"[:480])
            message.attempts += 1
            message.last_error = str(error)
            message.claimed_until = None
            if message.attempts >= int(config["MAIL_MAX_ATTEMPTS"]):
                message.status = OutboxStatus.FAILED
                report.gave_up += 1
            else:
                message.status = OutboxStatus.PENDING
                message.next_attempt_at = now + backoff(message.attempts)
                report.failed += 1
        else:
            message.status = OutboxStatus.SENT
            message.sent_at = utcnow()
            message.claimed_until = None
            message.attempts += 1
            report.sent += 1
        db.session.commit()
    return report


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
