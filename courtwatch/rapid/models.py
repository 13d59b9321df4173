"""On-call windows, alerts, who was alerted and who answered.

An alert copies what it needs from the report (courthouse, area, action, agent count) instead of
pointing the dispatch page at the report: the report names its reporter and may describe the
targeted person, and an alert goes to people who must never see either.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courtwatch.auth.models import User
from courtwatch.courts.models import Courthouse
from courtwatch.db import Base, UTCDateTime, utcnow
from courtwatch.labels import LabelledChoice


class ResponseStatus(LabelledChoice):
    GOING = "going", _l("Going")
    ON_SCENE = "on_scene", _l("On scene")


class Verification(LabelledChoice):
    CONFIRMED = "confirmed", _l("Confirmed")
    FALSE_ALARM = "false_alarm", _l("False alarm")
    UNABLE_TO_VERIFY = "unable_to_verify", _l("Unable to verify")


class AlertSource(LabelledChoice):
    REPORT = "report", _l("Report")
    BUTTON = "button", _l("Agents here now")


# Escalation levels: who is added when nobody says "I'm going" in time.
LEVEL_FIRST = 0  # on call for the courthouse or its county, coordinators, responders
LEVEL_COUNTY = 1  # on call for another courthouse in the same county
LEVEL_OPTED_IN = 2  # approved volunteers who asked to hear about this courthouse
LAST_LEVEL = LEVEL_OPTED_IN

ETA_PRESETS = (5, 10, 15, 30, 60)


class OnCallWindow(Base):
    """A person can be reached for a courthouse (or every courthouse of a county) from start to end."""

    __tablename__ = "on_call_window"
    __table_args__ = (Index("ix_on_call_window_span", "starts_at", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # Exactly one of courthouse_id and county is set.
    courthouse_id: Mapped[int | None] = mapped_column(ForeignKey("courthouse.id", ondelete="CASCADE"), index=True)
    county: Mapped[str | None] = mapped_column(String(100), index=True)
    # The zone the person typed the times in (the courthouse's, or the county's first courthouse's).
    timezone: Mapped[str] = mapped_column(String(64))
    # The first (or only) occurrence; a weekly window repeats it at the same local wall-clock times.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    weekly: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
    courthouse: Mapped[Courthouse | None] = relationship(lazy="joined")

    def occurrences(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """The (UTC) spans of this window that overlap [start, end): weekly ones keep their local
        wall-clock times across daylight-saving changes."""
        if not self.weekly:
            return [(self.starts_at, self.ends_at)] if self.starts_at < end and self.ends_at > start else []
        zone = ZoneInfo(self.timezone)
        first = self.starts_at.astimezone(zone).replace(tzinfo=None)
        length = self.ends_at.astimezone(zone).replace(tzinfo=None) - first
        week = timedelta(days=7)
        k = max(0, (start.astimezone(zone).replace(tzinfo=None) - first - length) // week)
        spans = []
        while True:
            local_start = first + k * week
            span = (
                local_start.replace(tzinfo=zone).astimezone(UTC),
                (local_start + length).replace(tzinfo=zone).astimezone(UTC),
            )
            if span[0] >= end:
                return spans
            if span[1] > start:
                spans.append(span)
            k += 1


class AlertOptIn(Base):
    """An approved volunteer asked to be alerted about a courthouse when on-call people don't answer."""

    __tablename__ = "alert_opt_in"
    __table_args__ = (UniqueConstraint("user_id", "courthouse_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    courthouse_id: Mapped[int] = mapped_column(ForeignKey("courthouse.id", ondelete="CASCADE"), index=True)


class Alert(Base):
    __tablename__ = "alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    courthouse_id: Mapped[int] = mapped_column(ForeignKey("courthouse.id"), index=True)
    # SET NULL: a deleted report leaves the alert (and who went) in place.
    observation_id: Mapped[int | None] = mapped_column(
        ForeignKey("observation.id", ondelete="SET NULL"), unique=True, index=True
    )
    source: Mapped[str] = mapped_column(String(20))  # AlertSource
    area: Mapped[str | None] = mapped_column(String(30))  # observations.models.Area
    action: Mapped[str] = mapped_column(String(20))  # observations.models.Action
    agent_count: Mapped[int | None] = mapped_column(Integer)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    level: Mapped[int] = mapped_column(Integer, default=LEVEL_FIRST)
    level_since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stood_down_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verification: Mapped[str | None] = mapped_column(String(20))  # Verification
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    courthouse: Mapped[Courthouse] = relationship(lazy="joined")
    recipients: Mapped[list[AlertRecipient]] = relationship(
        back_populates="alert", cascade="all, delete-orphan", order_by="AlertRecipient.id"
    )
    responses: Mapped[list[AlertResponse]] = relationship(
        back_populates="alert", cascade="all, delete-orphan", order_by="AlertResponse.id"
    )

    @property
    def local_raised_at(self) -> datetime:
        return self.courthouse.local(self.raised_at)


class AlertRecipient(Base):
    __tablename__ = "alert_recipient"
    __table_args__ = (UniqueConstraint("alert_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    level: Mapped[int] = mapped_column(Integer, default=LEVEL_FIRST)
    alerted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    alert: Mapped[Alert] = relationship(back_populates="recipients")
    user: Mapped[User] = relationship(lazy="joined")


class AlertResponse(Base):
    """One person's answer to an alert: going (with an ETA in minutes) or on scene."""

    __tablename__ = "alert_response"
    __table_args__ = (UniqueConstraint("alert_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alert.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))  # ResponseStatus
    eta_minutes: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    alert: Mapped[Alert] = relationship(back_populates="responses")
    user: Mapped[User] = relationship(lazy="joined")

    @property
    def first_name(self) -> str:
        return (self.user.name or "").split(" ")[0]
