"""Reminders 24 h and 2 h before, each once even when `notify send-due` runs twice at once."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from courtwatch.db import db, utcnow
from courtwatch.notify.models import OutboxMessage
from courtwatch.shifts import claims
from courtwatch.shifts.reminders import queue_due_reminders


def _reminders():
    db.session.expire_all()
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject.like("Reminder:%")).order_by(OutboxMessage.id)
    ).all()


def test_24h_then_2h_reminder_each_once(volunteer, make_shift):
    shift = make_shift(hours_ahead=30)
    claims.claim_shift(volunteer, shift.id)
    db.session.commit()
    now = utcnow()
    assert queue_due_reminders(now) == 0  # 30 h ahead: nothing yet
    assert queue_due_reminders(now + timedelta(hours=7)) == 1  # 23 h before
    assert queue_due_reminders(now + timedelta(hours=8)) == 0
    assert queue_due_reminders(now + timedelta(hours=28, minutes=30)) == 1  # 1.5 h before
    assert queue_due_reminders(now + timedelta(hours=29)) == 0
    db.session.commit()
    bodies = [m.body_text for m in _reminders()]
    assert len(bodies) == 2 and "24 hours" in bodies[0] and "2 hours" in bodies[1]


def test_released_and_cancelled_get_no_reminder(volunteer, make_user, make_shift):
    from courtwatch.shifts import services

    released = make_shift(hours_ahead=20)
    claims.claim_shift(volunteer, released.id)
    claims.release_shift(volunteer, released.id)
    cancelled = make_shift(hours_ahead=22, capacity=3)
    claims.claim_shift(make_user(), cancelled.id)
    services.cancel_shift(None, cancelled)
    db.session.commit()
    assert queue_due_reminders() == 0


def test_send_due_twice_at_once_sends_each_reminder_once(app, runner, make_user, make_shift, mailbox):
    shift = make_shift(hours_ahead=10, capacity=5)
    people = [make_user() for _ in range(4)]
    for person in people:
        claims.claim_shift(person, shift.id)
    db.session.commit()
    barrier = threading.Barrier(2)
    results = []

    def run():
        with app.app_context():
            barrier.wait()
            results.append(app.test_cli_runner().invoke(args=["notify", "send-due"]))
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r.exit_code == 0 for r in results), [r.output for r in results]
    assert len(_reminders()) == 4
    for person in people:
        reminders = [m for m in mailbox.to(person.email) if m["Subject"].startswith("Reminder")]
        assert len(reminders) == 1
    # and a third run later sends nothing new
    runner.invoke(args=["notify", "send-due"])
    assert (
        db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.subject.like("Reminder:%"))
        )
        == 4
    )
