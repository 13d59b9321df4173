"""The know-your-rights card per language, training pages, and who read which version of a page.

A read mark names the page version that was read: when a coordinator rewrites a page its version
goes up, and the older marks stop counting as "read" (they stay as history) until the volunteer
reads it again. Marks are never deleted by an edit, so the roster can say "read an older version".
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courtwatch.auth.models import Training, User
from courtwatch.db import Base, UTCDateTime, utcnow


class RightsCard(Base):
    """An admin's text of the card in one language; with no row the shipped default is shown."""

    __tablename__ = "rights_card"

    id: Mapped[int] = mapped_column(primary_key=True)
    locale: Mapped[str] = mapped_column(String(12), unique=True)
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class TrainingPage(Base):
    __tablename__ = "training_page"
    __table_args__ = (Index("ix_training_page_training_position", "training_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("training.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # +1 whenever the title or text changes: a read mark counts only for the version it names.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    training: Mapped[Training] = relationship(lazy="joined")


class TrainingPageRead(Base):
    """'I have read this': who, when, and which version of the page."""

    __tablename__ = "training_page_read"
    __table_args__ = (
        UniqueConstraint("page_id", "user_id", "version", name="uq_training_page_read_version"),
        Index("ix_training_page_read_user", "user_id", "page_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("training_page.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    page: Mapped[TrainingPage] = relationship()
    user: Mapped[User] = relationship()
