"""Where hearings come from (an uploaded file's source or a subscribed calendar URL), and the
record of each import run."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courtwatch.courts.models import Courthouse
from courtwatch.db import Base, UTCDateTime, utcnow


class CalendarSource(Base):
    __tablename__ = "calendar_source"
    # Re-uploading "the same file" means the same courthouse and source name: that is what makes
    # a re-import idempotent and lets the confirmed column mapping be remembered.
    __table_args__ = (UniqueConstraint("courthouse_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Null when the rows name their own courthouse (a multi-court spreadsheet).
    courthouse_id: Mapped[int | None] = mapped_column(ForeignKey("courthouse.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # ics | csv | xlsx
    url: Mapped[str | None] = mapped_column(String(2000))  # set for subscriptions
    mapping: Mapped[str | None] = mapped_column(Text)  # JSON: confirmed column mapping
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    # SHA-256 of the last body imported completely: the same bytes again are not parsed or planned.
    body_sha256: Mapped[str | None] = mapped_column(String(64))
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[str | None] = mapped_column(String(40))
    last_error: Mapped[str | None] = mapped_column(String(1000))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # A sync whose plan would cancel too much waits here (a pending upload's token) for review.
    held_token: Mapped[str | None] = mapped_column(String(64))
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    courthouse: Mapped[Courthouse | None] = relationship(lazy="joined")


class ImportRun(Base):
    """One committed upload or subscription sync: what it did, for the coordinator's history.

    Counts only: the rows themselves are hearings, and nothing here names a person.
    """

    __tablename__ = "import_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("calendar_source.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    added: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    cancelled: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
