"""An announcement and the people it was sent to.

The recipients are stored, not recomputed: a volunteer's home page shows the announcements that
were sent to *them*, and who matched "on call at Chelsea" last Tuesday cannot be worked out later.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courtwatch.auth.models import User
from courtwatch.db import Base, UTCDateTime, utcnow


class Announcement(Base):
    __tablename__ = "announcement"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The token the preview page carried: a double click (or a resent form) finds this row
    # instead of sending the announcement a second time.
    send_token: Mapped[str] = mapped_column(String(64), unique=True)
    subject: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    # A readable description of the filters ("Language: Spanish; On call"), for the sent list.
    audience: Mapped[str] = mapped_column(String(500), default="")
    recipient_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    author: Mapped[User | None] = relationship(lazy="joined")


class AnnouncementRecipient(Base):
    __tablename__ = "announcement_recipient"
    __table_args__ = (
        UniqueConstraint("announcement_id", "user_id"),
        # The home page: "my announcements of the last 14 days".
        Index("ix_announcement_recipient_user", "user_id", "announcement_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcement.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
