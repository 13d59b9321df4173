"""The lock row a scheduled job holds on SQLite (PostgreSQL uses an advisory lock instead)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from courtwatch.db import Base, UTCDateTime, utcnow


class JobLock(Base):
    __tablename__ = "job_lock"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    holder: Mapped[str] = mapped_column(String(80))  # random per run: only its holder releases it
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A run that crashed without releasing frees the job once this has passed.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
