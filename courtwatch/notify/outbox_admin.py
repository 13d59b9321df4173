"""The outbox as staff see it: what waits or failed, per channel, and retrying or cancelling one.

Retry and cancel are conditional updates (``WHERE status IN ...``), not read-then-write: a
delivery run may claim the same row between the page being drawn and the button being pressed,
and a message a sender holds ("sending") must be neither reset nor called off under its feet.
Message bodies are never read here: they carry sign-in links (password resets, enrolment links,
one-tap confirmations) that would let whoever reads them act as the recipient.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import lazyload, load_only

from courtwatch.auth.models import User
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.notify.models import Channel, OutboxMessage, OutboxStatus
from courtwatch.privacy.services import record_event

PAGE_SIZE = 50
# What the page lists: waiting (pending, or held by a sender right now) and given up on.
LISTED = {
    "queued": (OutboxStatus.PENDING, OutboxStatus.SENDING),
    "failed": (OutboxStatus.FAILED,),
}
COUNTED = (OutboxStatus.PENDING, OutboxStatus.SENDING, OutboxStatus.FAILED, OutboxStatus.CANCELLED)
RETRYABLE = (OutboxStatus.PENDING, OutboxStatus.FAILED)
CANCELLABLE = (OutboxStatus.PENDING, OutboxStatus.FAILED)


@dataclass
class OutboxRow:
    message: OutboxMessage
    person: str | None  # the recipient's name, for push rows (which have no address)


def counts_by_channel() -> dict[str, dict[str, int]]:
    """{channel: {status: count}} for every channel and the statuses staff act on (zeros included)."""
    table = {channel.value: dict.fromkeys(COUNTED, 0) for channel in Channel}
    rows = db.session.execute(
        select(OutboxMessage.channel, OutboxMessage.status, func.count())
        .where(OutboxMessage.status.in_(COUNTED))
        .group_by(OutboxMessage.channel, OutboxMessage.status)
    )
    for channel, status, count in rows:
        table.setdefault(channel, dict.fromkeys(COUNTED, 0))[status] = count
    return table


def list_messages(
    *, which: str = "queued", channel: str | None = None, before_id: int | None = None, limit: int = PAGE_SIZE
) -> list[OutboxRow]:
    """Newest first, keyset-paginated by id; one query with the recipient's name joined in."""
    query = (
        select(OutboxMessage, User.name)
        .outerjoin(User, User.id == OutboxMessage.user_id)
        .options(
            lazyload(OutboxMessage.attachments),
            load_only(
                OutboxMessage.id,
                OutboxMessage.channel,
                OutboxMessage.kind,
                OutboxMessage.to_address,
                OutboxMessage.subject,
                OutboxMessage.status,
                OutboxMessage.attempts,
                OutboxMessage.next_attempt_at,
                OutboxMessage.last_error,
                OutboxMessage.created_at,
                OutboxMessage.user_id,
            ),
        )
        .where(OutboxMessage.status.in_(LISTED.get(which, LISTED["queued"])))
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    if channel:
        query = query.where(OutboxMessage.channel == channel)
    if before_id:
        query = query.where(OutboxMessage.id < before_id)
    return [OutboxRow(message, name) for message, name in db.session.execute(query)]


def _change(actor, message_id: int, allowed: tuple, values: dict, action: str, refusal: str) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id, options=[lazyload(OutboxMessage.attachments)])
    if message is None:
        raise NotFound(_("That message is no longer in the outbox."))
    previous, attempts = message.status, message.attempts
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status.in_(allowed))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise DomainError(refusal)
    db.session.refresh(message)
    record_event(
        actor,
        action,
        message,
        channel=message.channel,
        kind=message.kind,
        from_status=previous,
        attempts=attempts,
    )
    db.session.flush()
    return message


def retry_message(actor, message_id: int) -> OutboxMessage:
    """Due again now, with a fresh allowance of attempts (the fault was presumably fixed)."""
    return _change(
        actor,
        message_id,
        RETRYABLE,
        {"status": OutboxStatus.PENDING, "next_attempt_at": utcnow(), "attempts": 0, "claimed_until": None},
        "outbox.retry",
        _("Only a waiting or failed message can be retried; this one is being sent or is done."),
    )


def cancel_message(actor, message_id: int) -> OutboxMessage:
    """Never to be delivered; the row stays so the counts and the audit trail still add up."""
    return _change(
        actor,
        message_id,
        CANCELLABLE,
        {"status": OutboxStatus.CANCELLED, "claimed_until": None},
        "outbox.cancel",
        _("Only a waiting or failed message can be cancelled; this one is being sent or is done."),
    )
