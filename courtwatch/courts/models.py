"""Courthouses. Hearings and calendar sources live beside them (hearing_models.py)."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Float, String, Text
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
    # Kept from bulk imports (or typed in): the page shows them with a directions link.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    phone: Mapped[str] = mapped_column(String(100), default="", server_default="")
    hours: Mapped[str] = mapped_column(String(500), default="", server_default="")
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

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def tel_uri(self) -> str:
        """tel: for the first number in the phone text ("(617) 782-6540, Press 5"); "" if none."""
        match = re.match(r"[\d\s().+-]+", self.phone or "")
        digits = re.sub(r"\D", "", match.group(0)) if match else ""
        if len(digits) == 10:
            return f"tel:+1{digits}"
        if len(digits) == 11 and digits.startswith("1"):
            return f"tel:+{digits}"
        return f"tel:{digits}" if len(digits) >= 7 else ""

    @property
    def geo_uri(self) -> str:
        """geo: opens the phone's own map app (RFC 5870; the q= label is read by Android's apps)."""
        if self.has_location:
            point = f"{self.latitude},{self.longitude}"
            return f"geo:{point}?q={point}({quote(self.name)})"
        if self.address_line:
            return f"geo:0,0?q={quote(self.address_line)}"
        return ""

    @property
    def maps_url(self) -> str:
        """Directions on the web (and in the maps app where one claims the link): a link only,
        nothing of the map is loaded by our pages."""
        if self.has_location:
            destination = f"{self.latitude},{self.longitude}"
        elif self.address_line:
            destination = f"{self.name}, {self.address_line}"
        else:
            return ""
        return "https://www.google.com/maps/dir/?" + urlencode({"api": "1", "destination": destination})

    def local(self, moment: datetime) -> datetime:
        """A stored UTC time as the courthouse's wall-clock time."""
        return moment.astimezone(self.zone)

    def __repr__(self) -> str:
        return f"<Courthouse {self.slug}>"
