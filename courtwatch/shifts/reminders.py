"""Queueing the 24-hour and 2-hour reminders (``REMINDER_HOURS``), run by ``notify send-due``.

The same run asks "Still coming?" the day before (``confirmations``). Each run looks at claimed sign-ups on shifts starting within the longest reminder window and
queues, per sign-up, the reminder of the *smallest* window the start already falls into (a
shift claimed three hours ahead gets one reminder, not two at once). The outbox's dedupe key
makes every reminder unique, so two runs at the same moment queue it once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from courtwatch.auth.models import User
from courtwatch.db import db, utcnow
from courtwatch.shifts.confirmations import queue_due_confirmations
from courtwatch.shifts.models import Shift, ShiftSignup, ShiftStatus, SignupStatus
from courtwatch.shifts.notices import queue_reminder


def reminder_hours() -> list[int]:
    raw = str(current_app.config.get("REMINDER_HOURS", "24,2"))
    return sorted({int(part) for part in raw.split(",") if part.strip().isdigit() and int(part) > 0})


def queue_due_reminders(now: datetime | None = None) -> int:
    """Queue the reminders due now (and the day-before "Still coming?" asks, which are counted
    apart by ``queue_due_confirmations``); returns the number of reminders."""
    now = now or utcnow()
    queue_due_confirmations(now)
    hours = reminder_hours()
    if not hours:
        return 0
    rows = db.session.execute(
        select(ShiftSignup, User)
        .join(ShiftSignup.shift)
        .join(User, User.id == ShiftSignup.user_id)
        .options(contains_eager(ShiftSignup.shift))
        .where(
            ShiftSignup.status == SignupStatus.CLAIMED,
            Shift.status == ShiftStatus.OPEN,
            Shift.starts_at > now,
            Shift.starts_at <= now + timedelta(hours=max(hours)),
            User.status == "active",
        )
        .order_by(Shift.starts_at)
    ).all()
    queued = 0
    for signup, user in rows:
        remaining = signup.shift.starts_at - now
        window = next(h for h in hours if remaining <= timedelta(hours=h))
        queued += queue_reminder(signup, user, window)
    return queued
