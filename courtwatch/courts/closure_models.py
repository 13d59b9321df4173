"""Closure days: dates on which a courthouse, or every courthouse of a state, does not sit.

A closure is a date in the courthouse's own calendar (not a UTC instant): "closed on 2026-12-25"
means the local day at each courthouse it covers, whatever zone the server runs in. A state-wide
closure names the state, not a list of courthouses, so a courthouse added to that state later is
closed on that day too.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courtwatch.courts.models import Courthouse
from courtwatch.db import Base, UTCDateTime, partial_index, utcnow
from courtwatch.labels import LabelledChoice


class ClosureSource(LabelledChoice):
    TYPED = "typed", _l("Typed in")
    CALENDAR = "calendar", _l("Holiday calendar")


class CourtClosure(Base):
    __tablename__ = "court_closure"
    __table_args__ = (
        # Exactly one scope: one courthouse, or every courthouse of one state.
        CheckConstraint(
            "(courthouse_id IS NULL AND state IS NOT NULL) OR (courthouse_id IS NOT NULL AND state IS NULL)",
            name="one_scope",
        ),
        # One closure a day and scope: typing a date twice or re-importing a calendar adds nothing.
        partial_index(
            "uq_court_closure_courthouse_day",
            "courthouse_id",
            "day",
            unique=True,
            where=text("courthouse_id IS NOT NULL"),
        ),
        partial_index(
            "uq_court_closure_state_day",
            "state",
            "day",
            unique=True,
            where=text("state IS NOT NULL"),
        ),
        Index("ix_court_closure_day", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(200))
    courthouse_id: Mapped[int | None] = mapped_column(ForeignKey("courthouse.id", ondelete="CASCADE"))
    state: Mapped[str | None] = mapped_column(String(2))
    source: Mapped[str] = mapped_column(String(20), default=ClosureSource.TYPED)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    courthouse: Mapped[Courthouse | None] = relationship(lazy="joined")

    def covers(self, courthouse: Courthouse) -> bool:
        if self.courthouse_id is not None:
            return self.courthouse_id == courthouse.id
        return bool(courthouse.state) and courthouse.state == self.state

    def __repr__(self) -> str:
        return f"<CourtClosure {self.day} {self.state or self.courthouse_id} {self.label!r}>"
