"""Hearings, the accompaniment requests attached to them, and the record of how they changed.

The accompaniment request holds the most sensitive data in the system (who is being
accompanied). It lives in its own table so that lists, feeds, exports and logs built from
hearings cannot pick it up by accident, and so that purging it leaves the hearing (and the
statistics) intact.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courtwatch.courts.case_models import CourtCase  # noqa: F401  (hearing.case_id points at it)
from courtwatch.courts.models import Courthouse
from courtwatch.db import Base, UTCDateTime, db, utcnow
from courtwatch.privacy.keys import new_data_key, private_digest
from courtwatch.privacy.models import DataKey
from courtwatch.privacy.sealed import SealedText


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
    source_id: Mapped[int | None] = mapped_column(ForeignKey("calendar_source.id", ondelete="SET NULL"), index=True)
    # The case this hearing belongs to (same case number at the same courthouse; see case_models).
    case_id: Mapped[int | None] = mapped_column(ForeignKey("court_case.id", ondelete="SET NULL"), index=True)
    external_key: Mapped[str | None] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    courtroom: Mapped[str] = mapped_column(String(100), default="")
    court_type: Mapped[str] = mapped_column(String(40), default="")
    case_type: Mapped[str] = mapped_column(String(100), default="")
    judge: Mapped[str] = mapped_column(String(120), default="")
    hearing_type: Mapped[str] = mapped_column(String(120), default="")
    language: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[str] = mapped_column(String(20), default=HearingStatus.SCHEDULED, index=True)
    needs_accompaniment: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Private data (docket captions name people; case numbers identify them): sealed under the
    # hearing's own data key, erased with it N days after the hearing (privacy.retention).
    data_key_id: Mapped[str | None] = mapped_column(ForeignKey("data_key.id", ondelete="SET NULL"), index=True)
    sealed_title: Mapped[bytes | None] = mapped_column(LargeBinary)
    sealed_case_number: Mapped[bytes | None] = mapped_column(LargeBinary)
    sealed_notes: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Keyed digest of the three, so a re-import sees "unchanged" without opening the key.
    private_digest: Mapped[str | None] = mapped_column(String(64))
    private_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    title = SealedText()  # the docket caption, e.g. "People v. <name>"
    case_number = SealedText()
    notes = SealedText()

    courthouse: Mapped[Courthouse] = relationship(lazy="joined")
    data_key: Mapped[DataKey | None] = relationship(lazy="joined")
    accompaniment_request: Mapped[AccompanimentRequest | None] = relationship(
        back_populates="hearing", cascade="all, delete-orphan", uselist=False, lazy="select"
    )

    @property
    def is_cancelled(self) -> bool:
        return self.status == HearingStatus.CANCELLED

    def sealing_key(self) -> tuple[str, bytes]:
        """The hearing's data key, made on first use."""
        if self.data_key is None:
            if self.data_key_id is not None:  # set by id, not loaded yet
                return self.data_key_id, None
            self.data_key = new_data_key()
        return self.data_key.id, self.data_key.wrapped

    def opening_key(self) -> tuple[str | None, bytes | None]:
        if self.data_key is not None:
            return self.data_key.id, self.data_key.wrapped
        return self.data_key_id, None

    def sealed_field_changed(self, name: str) -> None:
        self.private_digest = private_digest(self.title, self.case_number, self.notes)

    def __repr__(self) -> str:
        return f"<Hearing {self.id} {self.starts_at:%Y-%m-%d %H:%M}Z {self.status}>"


class AccompanimentRequest(Base):
    """Who asked to be accompanied. Coordinators only; assigned volunteers see first name + language."""

    __tablename__ = "accompaniment_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearing.id", ondelete="CASCADE"), unique=True)
    interpreter_booked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Sealed under the hearing's data key (see Hearing): gone for good when the hearing is purged.
    sealed_person_label: Mapped[bytes | None] = mapped_column(LargeBinary)
    sealed_language: Mapped[bytes | None] = mapped_column(LargeBinary)
    sealed_meeting_notes: Mapped[bytes | None] = mapped_column(LargeBinary)
    sealed_private_notes: Mapped[bytes | None] = mapped_column(LargeBinary)
    sealed_contact: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    purge_after: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    person_label = SealedText()  # first name or initials, nothing more
    language = SealedText()
    meeting_notes = SealedText()  # shown to the volunteers who go, when they go
    private_notes = SealedText()  # coordinators only
    contact = SealedText()  # how coordinators reach the person; coordinators only

    hearing: Mapped[Hearing] = relationship(back_populates="accompaniment_request")

    def _own_hearing(self) -> Hearing | None:
        if self.hearing is None and self.hearing_id is not None:
            return db.session.get(Hearing, self.hearing_id)
        return self.hearing

    def sealing_key(self) -> tuple[str, bytes | None]:
        hearing = self._own_hearing()
        if hearing is None:
            raise RuntimeError("give the request its hearing before writing its details")
        return hearing.sealing_key()

    def opening_key(self) -> tuple[str | None, bytes | None]:
        hearing = self._own_hearing()
        return hearing.opening_key() if hearing is not None else (None, None)


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
