"""What the campaign chose to publish, and the tokens partner organisations pull incidents with.

Publication settings live in the database, not in config files: an admin changes them from the
admin page without a deploy, and every change is written to the audit trail. One row (id 1)
holds them; it is created, with publication off, the first time anything reads it.

Partner tokens are stored as a SHA-256 hash only (like calendar links): a copy of the database
does not let anyone pull incidents. The short prefix is what admins see in lists.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courtwatch.auth.models import User
from courtwatch.db import Base, UTCDateTime, utcnow

SECTIONS = (
    "by_month",
    "by_courthouse",
    "by_county",
    "by_action",
    "by_court_type",
    "by_target_role",
    "by_warrant",
    "by_agency",
)
DEFAULT_THRESHOLD = 3
DATE_PRECISIONS = ("day", "week")
TOKEN_SCOPES = ("incidents",)


class OpenDataSettings(Base):
    __tablename__ = "opendata_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(200), default="")
    introduction: Mapped[str] = mapped_column(Text, default="")
    sections: Mapped[str] = mapped_column(String(300), default=",".join(SECTIONS))  # comma-separated SECTIONS
    threshold: Mapped[int] = mapped_column(Integer, default=DEFAULT_THRESHOLD)
    published_from: Mapped[str] = mapped_column(String(7), default="")  # "YYYY-MM"; empty: no lower limit
    date_precision: Mapped[str] = mapped_column(String(10), default="day")  # of partner incident rows
    frame_ancestors: Mapped[str] = mapped_column(Text, default="")  # origins, one per line
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    @property
    def section_list(self) -> list[str]:
        chosen = {s for s in (self.sections or "").split(",") if s}
        return [s for s in SECTIONS if s in chosen]

    @property
    def origin_list(self) -> list[str]:
        return [line.strip() for line in (self.frame_ancestors or "").split() if line.strip()]


class ApiToken(Base):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(80))
    scope: Mapped[str] = mapped_column(String(20))  # TOKEN_SCOPES
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the token
    prefix: Mapped[str] = mapped_column(String(12))  # first characters, for display
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship(lazy="select")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
