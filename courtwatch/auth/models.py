"""People who use Courtwatch and the trainings they have completed.

Accompanied people are *not* users and never appear here (see courts.models).
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courtwatch.db import Base, UTCDateTime, utcnow
from courtwatch.labels import LabelledChoice


class Role(LabelledChoice):
    VOLUNTEER = "volunteer", _l("volunteer")
    # Legal observers and lawyers: alerted about every rapid-response alert, no coordinator powers.
    RESPONDER = "responder", _l("responder")
    COORDINATOR = "coordinator", _l("coordinator")
    ADMIN = "admin", _l("admin")


class AccountStatus(LabelledChoice):
    PENDING = "pending", _l("pending")
    ACTIVE = "active", _l("active")
    REJECTED = "rejected", _l("rejected")
    SUSPENDED = "suspended", _l("suspended")


ROLE_LABELS = Role.labels()
STATUS_LABELS = AccountStatus.labels()


class User(UserMixin, Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.VOLUNTEER, index=True)
    status: Mapped[str] = mapped_column(String(20), default=AccountStatus.PENDING, index=True)
    # Comma-separated language codes (see auth.languages); small and read whole, so no join table.
    languages: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str | None] = mapped_column(String(10))
    # Bumped on password change, suspension or "log out everywhere": old session cookies stop working.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_demo: Mapped[bool] = mapped_column(default=False)
    # Accompanied people's details: a trusted volunteer sees them without a coordinator confirming
    # each pairing; a paused one (released shifts after seeing details) sees none until cleared.
    details_trusted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    details_paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    trainings: Mapped[list[UserTraining]] = relationship(
        back_populates="user", cascade="all, delete-orphan", foreign_keys="UserTraining.user_id"
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users at login and on load
        return self.status in (AccountStatus.ACTIVE, AccountStatus.PENDING)

    @property
    def is_approved(self) -> bool:
        return self.status == AccountStatus.ACTIVE

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.COORDINATOR, Role.ADMIN)

    @property
    def language_codes(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    def has_role(self, *roles: str) -> bool:
        # An admin can do whatever a coordinator can.
        if self.role == Role.ADMIN:
            return True
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role} {self.status}>"


class Training(Base):
    """A training the campaign gives (e.g. "Accompaniment training"); shifts may require one."""

    __tablename__ = "training"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    # Coordinators cannot record this training for someone who has not read all its pages
    # (the handbook area's pages; see handbook.training).
    pages_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class UserTraining(Base):
    __tablename__ = "user_training"
    __table_args__ = (UniqueConstraint("user_id", "training_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("training.id", ondelete="CASCADE"))
    completed_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="trainings", foreign_keys=[user_id])
    training: Mapped[Training] = relationship(lazy="joined")
