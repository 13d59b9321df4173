"""Courthouses. Hearings and calendar sources live beside them (hearing_models.py)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from courtwatch.db import Base, UTCDateTime, utcnow
from courtwatch.labels import LabelledChoice


class CourtType(LabelledChoice):
    CRIMINAL = "criminal", _l("Criminal")
    FAMILY = "family", _l("Family")
    CIVIL_HOUSING = "civil_housing", _l("Civil / housing")
    TRAFFIC = "traffic", _l("Traffic")
    IMMIGRATION = "immigration", _l("Immigration")
    OTHER = "other", _l("Other")


COURT_TYPE_LABELS = CourtType.labels()


class Courthouse(Base):
    __tablename__ = "courthouse"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(60))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    street_address: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    county: Mapped[str] = mapped_column(String(100), default="", index=True)
    state: Mapped[str] = mapped_column(String(2), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    # Comma-separated CourtType values: a short fixed list, read whole with the courthouse.
    court_types: Mapped[str] = mapped_column(String(200), default="")
    notes: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def court_type_list(self) -> list[str]:
        return [t for t in self.court_types.split(",") if t]

    @property
    def address_line(self) -> str:
        parts = [self.street_address, self.city, f"{self.state} {self.postal_code}".strip()]
        return ", ".join(p for p in parts if p)

    def local(self, moment: datetime) -> datetime:
        """A stored UTC time as the courthouse's wall-clock time."""
        return moment.astimezone(self.zone)

    def __repr__(self) -> str:
        return f"<Courthouse {self.slug}>"
