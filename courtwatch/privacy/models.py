"""The audit trail: who did what to which object, and when. Never where from (no IP addresses)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courtwatch.auth.models import User
from courtwatch.db import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Nullable: the CLI and cron act without a logged-in person; a deleted user keeps the event.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    # JSON text: the details needed to read the event later (old and new role, export filters...).
    detail: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship(lazy="joined")


class DataKey(Base):
    """A random AES-256 key, stored only wrapped (encrypted) by the master key from configuration.

    Each hearing's private fields are sealed under its own data key; purging the hearing deletes
    the key, after which ciphertext left behind in free pages, WAL, replicas or backups is noise.
    One long-lived key (MATCH_KEY_ID) keys the HMAC that re-imports match hearings on.
    """

    __tablename__ = "data_key"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # random hex, chosen by the app
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
