"""Where hearings come from: an uploaded file's source or a subscribed calendar URL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courtwatch.courts.models import Courthouse
from courtwatch.db import Base, UTCDateTime, utcnow


class CalendarSource(Base):
    __tablename__ = "calendar_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Null when the rows name their own courthouse (a multi-court spreadsheet).
    courthouse_id: Mapped[int | None] = mapped_column(ForeignKey("courthouse.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # ics | csv | xlsx
    url: Mapped[str | None] = mapped_column(String(2000))  # set for subscriptions
    mapping: Mapped[str | None] = mapped_column(Text)  # JSON: confirmed column mapping
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[str | None] = mapped_column(String(40))
    last_error: Mapped[str | None] = mapped_column(String(1000))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    courthouse: Mapped[Courthouse | None] = relationship(lazy="joined")
