"""What an account holds beyond its password: live sessions, second factors, recovery codes and
one-time enrolment grants.

Secrets are never stored as given: session tokens and enrolment links by their SHA-256 (they
carry 256 random bits, so a plain hash is enough to make a stolen table useless), recovery codes
by a password hash. No IP address is stored anywhere here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courtwatch.auth.models import User
from courtwatch.db import Base, UTCDateTime, utcnow


class UserSession(Base):
    """One login: ended by logout, password change, suspension, "log out everywhere", or expiry."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    browser_family: Mapped[str] = mapped_column(String(60), default="")

    user: Mapped[User] = relationship()


class RecoveryCode(Base):
    """A single-use code for when the authenticator is lost. ``lookup`` is the code's first group,
    kept plain so a login checks one password hash, not ten."""

    __tablename__ = "recovery_code"
    __table_args__ = (UniqueConstraint("user_id", "lookup"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    lookup: Mapped[str] = mapped_column(String(8))
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Passkey(Base):
    """A WebAuthn credential registered as a staff member's second factor."""

    __tablename__ = "passkey"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1024), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(2048))
    sign_count: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EnrolmentGrant(Base):
    """A one-time permission to enrol a second factor, sent by email or issued by an admin.
    Whoever learns a password cannot enrol their own authenticator without it."""

    __tablename__ = "enrolment_grant"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
