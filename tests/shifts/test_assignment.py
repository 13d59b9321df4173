"""A coordinator's assignment never overfills a shift (claims.assign_volunteer's docstring said it could)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from courtwatch.db import db
from courtwatch.errors import DomainError
from courtwatch.shifts import claims
from courtwatch.shifts.models import ShiftSignup


def test_assigning_to_a_full_shift_is_refused_and_changes_nothing(make_shift, make_user, coordinator):
    shift = make_shift(capacity=1)
    holder, other = make_user(), make_user()
    claims.claim_shift(holder, shift.id)
    db.session.commit()
    with pytest.raises(DomainError, match="The shift is full"):
        claims.assign_volunteer(coordinator, shift.id, other)
    db.session.rollback()
    db.session.refresh(shift)
    assert shift.claimed_count == 1
    assert db.session.scalar(select(ShiftSignup).where(ShiftSignup.user_id == other.id)) is None
