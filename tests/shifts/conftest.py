"""Shift factories for the shifts tests."""

from __future__ import annotations

from datetime import timedelta

import pytest

from courtwatch.db import db, utcnow
from courtwatch.shifts import services
from tests.support.cases import case_with_history  # noqa: F401  (the continuance tests' case)


@pytest.fixture
def make_shift(app, make_courthouse):
    state = {}

    def make(
        *,
        courthouse=None,
        hours_ahead: float = 48,
        length: float = 4,
        capacity: int = 2,
        minimum: int = 1,
        kind: str = "observation",
        **extra,
    ):
        if courthouse is None:
            courthouse = state.get("courthouse") or make_courthouse()
            state["courthouse"] = courthouse
        starts = utcnow().replace(microsecond=0) + timedelta(hours=hours_ahead)
        shift = services.create_shift(
            None,
            courthouse=courthouse,
            kind=kind,
            starts_at=starts,
            ends_at=starts + timedelta(hours=length),
            capacity=capacity,
            minimum=minimum,
            **extra,
        )
        db.session.commit()
        return shift

    return make
