"""Hearings, the accompaniment requests attached to them, and the record of how they changed.

The accompaniment request holds the most sensitive data in the system (who is being
accompanied). It lives in its own table so that lists, feeds, exports and logs built from
hearings cannot pick it up by accident, and so that purging it leaves the hearing (and the
statistics) intact.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courtwatch.courts.models import Courthouse
from courtwatch.db import Base, UTCDateTime, utcnow


class HearingStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Hearing(Base):
    __tablename__ = "hearing"
    __table_args__ = (
        # Re-imports find "the same hearing" by its key within its source (ICS UID + RECURRENCE-ID,
        # or the spreadsheet key such as courthouse + case number + date).
        UniqueConstraint("source_id", "external_key"),
        Index("ix_hearing_courthouse_starts", "courthouse_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    courthouse_id: Mapped[int] = mapped_column(ForeignKey("courthouse.id"))
    source_id: Mapped[int | None] = mapped_column(ForeignKey("calendar_source.id", ondelete="SET NULL"),
                                                  index=True)
    external_key: Mapped[str | None] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(300), default="")
    courtroom: Mapped[str] = mapped_column(String(100), default="")
    case_number: Mapped[str] = mapped_column(String(100), default="", index=True)
    court_type: Mapped[str] = mapped_column(String(40), default="")
    case_type: Mapped[str] = mapped_column(String(100), default="")
    judge: Mapped[str] = mapped_column(String(120), default="")
    hearing_type: Mapped[str] = mapped_column(String(120), default="")
    language: Mapped[str] = mapped_column(String(60), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=HearingStatus.SCHEDULED, index=True)
    needs_accompaniment: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    courthouse: Mapped[Courthouse] = relationship(lazy="joined")
    accompaniment_request: Mapped[AccompanimentRequest | None] = relationship(
        back_populates="hearing", cascade="all, delete-orphan", uselist=False, lazy="select")

    @property
    def is_cancelled(self) -> bool:
        return self.status == HearingStatus.CANCELLED

    def __repr__(self) -> str:
        return f"<Hearing {self.id} {self.starts_at:%Y-%m-%d %H:%M}Z {self.status}>"


class AccompanimentRequest(Base):
    """Who asked to be accompanied. Coordinators only; assigned volunteers see first name + language."""

    __tablename__ = "accompaniment_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearing.id", ondelete="CASCADE"), unique=True)
    person_label: Mapped[str] = mapped_column(String(60))  # first name or initials, nothing more
    language: Mapped[str] = mapped_column(String(60), default="")
    interpreter_booked: Mapped[bool] = mapped_column(Boolean, default=False)
    meeting_notes: Mapped[str] = mapped_column(Text, default="")  # shown to assigned volunteers
    private_notes: Mapped[str] = mapped_column(Text, default="")  # coordinators only
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    purge_after: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    hearing: Mapped[Hearing] = relationship(back_populates="accompaniment_request")


class HearingChangeKind(StrEnum):
    MOVED = "moved"  # time changed
    ROOM_CHANGED = "room_changed"
    CANCELLED = "cancelled"
    REINSTATED = "reinstated"


class HearingChange(Base):
    """What an import changed about a hearing; the shifts area tells the volunteers on it."""

    __tablename__ = "hearing_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearing.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    old_value: Mapped[str] = mapped_column(String(200), default="")
    new_value: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
