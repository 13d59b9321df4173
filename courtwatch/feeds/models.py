"""Feed tokens: the capability URLs that let a calendar app read someone's shifts.

A calendar server (Google, Apple, Microsoft) fetches the feed without a login, so the URL itself
is the credential. Only a SHA-256 hash of the token is stored: a copy of the database (a backup,
a leaked dump) does not let anyone read a feed. The short prefix is what people and logs see.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courtwatch.auth.models import User
from courtwatch.courts.models import Courthouse
from courtwatch.db import Base, UTCDateTime, utcnow


class FeedScope(StrEnum):
    VOLUNTEER = "volunteer"  # the owner's own shifts
    COURTHOUSE = "courthouse"  # every shift at one courthouse (coordinators)
    ALL = "all"  # every shift at every courthouse (coordinators)


class FeedToken(Base):
    __tablename__ = "feed_token"
    __table_args__ = (
        # The account page lists a user's live links; suspension revokes them all.
        Index("ix_feed_token_user_revoked", "user_id", "revoked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(60), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the token
    prefix: Mapped[str] = mapped_column(String(6))  # first characters of the token, for display
    scope: Mapped[str] = mapped_column(String(20), default=FeedScope.VOLUNTEER)
    courthouse_id: Mapped[int | None] = mapped_column(ForeignKey("courthouse.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
    courthouse: Mapped[Courthouse | None] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def __repr__(self) -> str:
        return f"<FeedToken {self.id} {self.prefix}… {self.scope}>"
