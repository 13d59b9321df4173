"""The outbox: mail survives an SMTP outage, is retried with backoff, and is never sent twice."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from courtwatch import create_app
from courtwatch.db import db, utcnow
from courtwatch.notify import runs
from courtwatch.notify.models import OutboxMessage, OutboxStatus
from courtwatch.notify.services import Attachment, queue_email, send_due
from tests.support.mail import free_port


def _queue(n: int = 1, **kw) -> list[int]:
    ids = [queue_email(f"person{i}@example.org", f"Subject {i}", f"Body {i}", **kw).id for i in range(n)]
    db.session.commit()
    return ids


@pytest.fixture
def down_app(test_config, app):
    """The same database, with SMTP pointed at a port where nothing listens."""
    return create_app({**test_config, "SMTP_PORT": free_port(), "SMTP_TIMEOUT": 2})


def test_queued_mail_is_delivered_once(app, mailbox):
    [message_id] = _queue(attachments=[Attachment("shift.ics", "text/calendar", b"BEGIN:VCALENDAR\r\n")])
    report = send_due()
    assert (report.sent, report.failed, report.gave_up) == (1, 0, 0)
    [received] = mailbox.messages
    assert received["To"] == "person0@example.org" and received["Subject"] == "Subject 0"
    assert mailbox.body(received).strip() == "Body 0"
    assert [part.get_filename() for part in received.iter_attachments()] == ["shift.ics"]
    assert send_due().sent == 0
    assert len(mailbox.messages) == 1
    db.session.expire_all()
    message = db.session.get(OutboxMessage, message_id)
    assert message.status == OutboxStatus.SENT and message.sent_at is not None


def test_smtp_outage_leaves_mail_queued_with_backoff(app, down_app, mailbox):
    [message_id] = _queue()
    started = utcnow()
    with down_app.app_context():
        report = send_due()
        db.session.remove()
    assert (report.sent, report.failed) == (0, 1)
    db.session.expire_all()
    message = db.session.get(OutboxMessage, message_id)
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert message.next_attempt_at > started
    assert message.last_error

    # Not due yet: a run right now (server up again) leaves it alone.
    assert send_due().sent == 0
    assert mailbox.messages == []

    # Once the backoff has passed, the server takes it, exactly once.
    later = message.next_attempt_at + timedelta(seconds=1)
    assert send_due(now=later).sent == 1
    assert send_due(now=later + timedelta(hours=1)).sent == 0
    assert len(mailbox.messages) == 1
    db.session.expire_all()
    message = db.session.get(OutboxMessage, message_id)
    assert message.status == OutboxStatus.SENT and message.attempts == 2


def test_backoff_grows_and_is_capped():
    assert runs.backoff(1) < runs.backoff(2) < runs.backoff(5)
    assert runs.backoff(50) == runs.MAX_BACKOFF


def test_gives_up_after_max_attempts(app, test_config, mailbox):
    failing = create_app({**test_config, "SMTP_PORT": free_port(), "SMTP_TIMEOUT": 2, "MAIL_MAX_ATTEMPTS": 2})
    [message_id] = _queue()
    now = utcnow()
    with failing.app_context():
        first = send_due(now=now)
        second = send_due(now=now + timedelta(days=1))
        third = send_due(now=now + timedelta(days=2))
        db.session.remove()
    assert (first.failed, first.gave_up) == (1, 0)
    assert (second.failed, second.gave_up) == (0, 1)
    assert (third.failed, third.gave_up, third.sent) == (0, 0, 0)
    db.session.expire_all()
    message = db.session.get(OutboxMessage, message_id)
    assert message.status == OutboxStatus.FAILED and message.attempts == 2
    assert send_due(now=now + timedelta(days=3)).sent == 0
    assert mailbox.messages == []


def test_concurrent_runs_never_send_a_message_twice(app, mailbox):
    ids = _queue(30)
    reports = []
    errors = []
    barrier = threading.Barrier(3)

    def run():
        try:
            with app.app_context():
                barrier.wait()
                reports.append(send_due())
                db.session.remove()
        except Exception as error:  # surfaced below; a thread cannot fail the test itself
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(r.sent for r in reports) == len(ids)
    received = sorted(m["To"] for m in mailbox.messages)
    assert received == sorted(f"person{i}@example.org" for i in range(30))
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENT)
        )
        == 30
    )


def test_dedupe_key_queues_a_notice_once(app, mailbox):
    first = queue_email("a@example.org", "Reminder", "Tomorrow", dedupe_key="reminder-24h-signup-7")
    second = queue_email("a@example.org", "Reminder", "Tomorrow", dedupe_key="reminder-24h-signup-7")
    db.session.commit()
    assert first is not None and second is None
    # Also across transactions (a cron run the next minute).
    assert queue_email("a@example.org", "Reminder", "Again", dedupe_key="reminder-24h-signup-7") is None
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    send_due()
    assert len(mailbox.messages) == 1


def test_a_message_the_mail_system_cannot_handle_does_not_block_the_others(app, mailbox):
    """One bad message (here an address smtplib refuses to encode) must not stop the queue."""
    bad = queue_email("pérez\n@example.org", "Broken", "x")
    good = queue_email("fine@example.org", "Fine", "y")
    db.session.commit()
    report = send_due()
    assert report.sent == 1
    assert [m["To"] for m in mailbox.messages] == ["fine@example.org"]
    db.session.expire_all()
    assert db.session.get(OutboxMessage, bad.id).status == OutboxStatus.PENDING
    assert db.session.get(OutboxMessage, bad.id).attempts == 1
    assert db.session.get(OutboxMessage, good.id).status == OutboxStatus.SENT


def test_urgent_mail_goes_first(app, mailbox):
    _queue(2)
    queue_email("urgent@example.org", "Hearing moved", "Now at 9:00", urgent=True)
    db.session.commit()
    send_due(limit=1)
    assert [m["To"] for m in mailbox.messages] == ["urgent@example.org"]
    assert mailbox.messages[0]["Importance"] == "high"


def test_not_before_holds_a_message_back(app, mailbox):
    queue_email("later@example.org", "Later", "x", not_before=utcnow() + timedelta(hours=2))
    db.session.commit()
    assert send_due().sent == 0
    assert send_due(now=utcnow() + timedelta(hours=3)).sent == 1


def test_send_due_command_reports(app, runner, down_app, mailbox):
    _queue(2)
    result = runner.invoke(args=["notify", "send-due"])
    assert result.exit_code == 0
    assert "sent 2, failed 0 (will retry), gave up 0" in result.output
    _queue(1)
    with down_app.app_context():  # the CLI runs in whichever app context is current
        result = down_app.test_cli_runner().invoke(args=["notify", "send-due"])
        db.session.remove()
    assert result.exit_code == 0
    assert "sent 0, failed 1 (will retry), gave up 0" in result.output
