"""Shifts volunteers take, the sign-ups on them, and the weekly patterns that generate them.

A sign-up row is never deleted: releasing or being removed only changes its status, so the
history (who was on a shift, when they left it, hours served) survives. "Live" sign-ups
(claimed or waitlisted) are what the rules count; a partial unique index makes one live sign-up
per user and shift a database guarantee, so a double tap can never create two.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courtwatch.auth.models import Training, User
from courtwatch.courts.hearing_models import Hearing
from courtwatch.courts.models import Courthouse
from courtwatch.db import Base, UTCDateTime, partial_index, utcnow
from courtwatch.labels import LabelledChoice


class ShiftKind(StrEnum):
    OBSERVATION = "observation"
    ACCOMPANIMENT = "accompaniment"


class ShiftStatus(StrEnum):
    OPEN = "open"
    CANCELLED = "cancelled"


class SignupStatus(StrEnum):
    CLAIMED = "claimed"
    WAITLISTED = "waitlisted"
    RELEASED = "released"
    REMOVED = "removed"


LIVE_SIGNUP_STATUSES = (SignupStatus.CLAIMED, SignupStatus.WAITLISTED)


class PatternRule(LabelledChoice):
    """How often a pattern repeats (an RRULE under the hood: ``courtwatch.shifts.recurrence``)."""

    WEEKLY = "weekly", _l("Every week")
    EVERY_OTHER_WEEK = "every_other_week", _l("Every other week")
    MONTHLY = "monthly", _l("Once a month (for example the 2nd Tuesday)")


class ShiftPattern(Base):
    """A repeating observation shift at a courthouse (e.g. Mon–Fri 8:30–12:30), in local time:
    every week, every other week, or on the nth weekday of each month (``rule``)."""

    __tablename__ = "shift_pattern"

    id: Mapped[int] = mapped_column(primary_key=True)
    courthouse_id: Mapped[int] = mapped_column(ForeignKey("courthouse.id"), index=True)
    # ISO weekdays as digits, Monday=1: "12345" is Monday to Friday.
    weekdays: Mapped[str] = mapped_column(String(7))
    rule: Mapped[str] = mapped_column(String(20), default=PatternRule.WEEKLY, server_default=PatternRule.WEEKLY.value)
    # The pattern's first day: no shift before it, and every-other-week counts weeks from its week.
    starts_on: Mapped[date | None] = mapped_column(Date)
    # Monthly rules: which weekday of the month, comma-separated: "2" (2nd), "1,3", "-1" (last).
    month_weeks: Mapped[str] = mapped_column(String(20), default="", server_default="")
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    capacity: Mapped[int] = mapped_column(Integer, default=2)
    minimum: Mapped[int] = mapped_column(Integer, default=1)
    training_id: Mapped[int | None] = mapped_column(ForeignKey("training.id", ondelete="SET NULL"))
    language: Mapped[str | None] = mapped_column(String(12))
    meeting_point: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    courthouse: Mapped[Courthouse] = relationship(lazy="joined")
    training: Mapped[Training | None] = relationship()

    @property
    def weekday_numbers(self) -> list[int]:
        return sorted({int(ch) for ch in self.weekdays if ch.isdigit() and 1 <= int(ch) <= 7})


class Shift(Base):
    __tablename__ = "shift"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        # /shifts and the gap view filter by status and time window, then courthouse.
        Index("ix_shift_status_starts", "status", "starts_at"),
        Index("ix_shift_courthouse_starts", "courthouse_id", "starts_at"),
        # A pattern generates at most one shift per start time: makes `shifts generate` idempotent.
        UniqueConstraint("pattern_id", "starts_at", name="uq_shift_pattern_starts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default=ShiftKind.OBSERVATION)
    courthouse_id: Mapped[int] = mapped_column(ForeignKey("courthouse.id"))
    hearing_id: Mapped[int | None] = mapped_column(ForeignKey("hearing.id", ondelete="SET NULL"), unique=True)
    pattern_id: Mapped[int | None] = mapped_column(ForeignKey("shift_pattern.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer, default=2)
    minimum: Mapped[int] = mapped_column(Integer, default=1)
    training_id: Mapped[int | None] = mapped_column(ForeignKey("training.id", ondelete="SET NULL"))
    # Accompaniment shifts always require the accompaniment training unless a coordinator waived
    # it for this one shift (audit-logged).
    training_waived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    language: Mapped[str | None] = mapped_column(String(12))
    meeting_point: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=ShiftStatus.OPEN)
    # iCal SEQUENCE: +1 whenever time, place or status changes, so calendar apps take the update.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # Denormalised count of claimed sign-ups, kept by the claim services under the shift lock;
    # lets lists and the gap view sort and filter by staffing without counting per row.
    claimed_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    courthouse: Mapped[Courthouse] = relationship(lazy="joined")
    hearing: Mapped[Hearing | None] = relationship()
    pattern: Mapped[ShiftPattern | None] = relationship()
    training: Mapped[Training | None] = relationship()
    signups: Mapped[list[ShiftSignup]] = relationship(back_populates="shift", order_by="ShiftSignup.id")

    @property
    def is_cancelled(self) -> bool:
        return self.status == ShiftStatus.CANCELLED

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.claimed_count, 0)

    @property
    def is_understaffed(self) -> bool:
        return self.claimed_count < self.minimum

    @property
    def short_title(self) -> str:
        """Courthouse and local start, e.g. "BMC Central, 2026-12-01 08:30" (subjects, messages)."""
        local = self.courthouse.local(self.starts_at)
        return f"{self.courthouse.short_name or self.courthouse.name}, {local:%Y-%m-%d %H:%M}"

    def __repr__(self) -> str:
        return f"<Shift {self.id} {self.kind} {self.starts_at:%Y-%m-%d %H:%M}Z {self.status}>"


class ShiftSignup(Base):
    __tablename__ = "shift_signup"
    __table_args__ = (
        # At most one live sign-up per user and shift: the database refuses a double tap.
        partial_index(
            "uq_shift_signup_live",
            "shift_id",
            "user_id",
            unique=True,
            where=text("status IN ('claimed', 'waitlisted')"),
        ),
        Index("ix_shift_signup_shift_status", "shift_id", "status", "created_at"),
        Index("ix_shift_signup_user_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default=SignupStatus.CLAIMED)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When a waitlisted volunteer got the place (order of promotion = order of created_at).
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    no_show: Mapped[bool] = mapped_column(Boolean, default=False)
    # A coordinator confirmed this volunteer for the accompaniment: the person's details may open.
    details_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    details_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # "Still coming?" the day before (``confirmations``): when it was asked and when the volunteer
    # said yes. An answer closes the link: a second tap says "already answered".
    attendance_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    shift: Mapped[Shift] = relationship(back_populates="signups")
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_SIGNUP_STATUSES

    @property
    def hours_served(self) -> float:
        """Hours from check-in to check-out; what happened, not what was planned."""
        if self.no_show or not self.checked_in_at or not self.checked_out_at:
            return 0.0
        seconds = (self.checked_out_at - self.checked_in_at).total_seconds()
        return round(max(seconds, 0) / 3600, 2)

    def __repr__(self) -> str:
        return f"<ShiftSignup {self.id} shift={self.shift_id} user={self.user_id} {self.status}>"
