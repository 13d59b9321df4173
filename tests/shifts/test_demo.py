"""`flask demo load` gives every shifts screen something to show."""

from __future__ import annotations

from sqlalchemy import func, select

from courtwatch.auth.models import User
from courtwatch.db import db, utcnow
from courtwatch.notify.models import OutboxMessage
from courtwatch.shifts import services, staffing
from courtwatch.shifts.models import Shift, ShiftPattern, ShiftSignup


def test_demo_shifts(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ShiftPattern)) >= 2
    accompaniment = db.session.scalars(select(Shift).where(Shift.kind == "accompaniment")).all()
    assert len(accompaniment) >= 3 and all(s.hearing_id for s in accompaniment)
    for number in range(1, 5):
        user = db.session.scalar(select(User).where(User.email == f"volunteer{number}@example.org"))
        upcoming = services.list_my_signups(user, past=False)
        assert any(s.status == "claimed" and s.shift.starts_at > utcnow() for s in upcoming), number
    assert (
        db.session.scalar(select(func.count()).select_from(ShiftSignup).where(ShiftSignup.status == "waitlisted")) >= 1
    )
    assert staffing.list_gaps(days=14)
    # counts match the sign-ups, and loading sent nobody any mail about shifts
    for shift in db.session.scalars(select(Shift)):
        claimed = db.session.scalar(
            select(func.count())
            .select_from(ShiftSignup)
            .where(ShiftSignup.shift_id == shift.id, ShiftSignup.status == "claimed")
        )
        assert claimed == shift.claimed_count <= shift.capacity
    assert (
        db.session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.subject.like("Shift%")))
        == 0
    )
