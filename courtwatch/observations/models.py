"""Observation reports, the photos attached to them, the incidents that group them, and their edits.

These rows are the campaign's evidence, so the schema is shaped by what campaigns count
(PRODUCT.md, "The observation form") and by what must never happen to a report:

* never doubled: one report per (reporter, idempotency key), and a hash of the submitted
  content so that the same key arriving with different content is refused, not merged;
* never silently rewritten: coordinator edits keep the original narrative and a revision row
  with the values before and after;
* counted once: several reports of one arrest are linked to one ``Incident``; summaries count
  ``incident_id`` when set and the report itself otherwise.

Choices worth knowing (the summaries area reads these):

* Agency allows several values (ICE ERO with local police assisting is common). They live in a
  small ``observation_agency`` table with one row per (report, agency) so that "by agency"
  counts are a plain GROUP BY, not string matching.
* Tri-state answers (agents present, identified themselves, force used) are strings from the
  enums below; "unknown"/"unsure" is a real answer volunteers need, so no booleans there.
* Agent details are cleared by the service when ``agents_present`` is "no" and everything but
  time/place is cleared for ``nothing_observed`` reports, so the columns never contradict.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courtwatch.auth.models import User
from courtwatch.courts.models import COURT_TYPE_LABELS, Courthouse, CourtType  # noqa: F401
from courtwatch.db import Base, UTCDateTime, utcnow
from courtwatch.labels import LabelledChoice

if TYPE_CHECKING:  # the shifts area is imported by string name; it may load after us
    from courtwatch.shifts.models import Shift


class Area(LabelledChoice):
    INSIDE_COURTROOM = "inside_courtroom", _l("Inside the courtroom")
    HALLWAY = "hallway", _l("Hallway")
    ENTRANCE_EXIT = "entrance_exit", _l("Entrance or exit")
    OUTSIDE_STEPS = "outside_steps", _l("Outside / steps")
    PARKING = "parking", _l("Parking")
    NEARBY_STREET = "nearby_street", _l("Nearby street")


AREA_LABELS = Area.labels()


class AgentsPresent(LabelledChoice):
    YES = "yes", _l("Yes")
    NO = "no", _l("No")
    UNSURE = "unsure", _l("Unsure")


AGENTS_PRESENT_LABELS = AgentsPresent.labels()


class YesNoUnknown(LabelledChoice):
    YES = "yes", _l("Yes")
    NO = "no", _l("No")
    UNKNOWN = "unknown", _l("Don't know")


YES_NO_UNKNOWN_LABELS = YesNoUnknown.labels()


class Agency(LabelledChoice):
    ICE_ERO = "ice_ero", _l("ICE ERO")
    HSI = "hsi", _l("HSI")
    CBP = "cbp", _l("CBP")
    LOCAL_POLICE = "local_police", _l("Local police assisting")
    OTHER_UNKNOWN = "other_unknown", _l("Other or unknown")


AGENCY_LABELS = Agency.labels()


class Attire(LabelledChoice):
    PLAINCLOTHES = "plainclothes", _l("Plainclothes")
    UNIFORMED = "uniformed", _l("Uniformed")
    MIXED = "mixed", _l("Some of each")
    UNKNOWN = "unknown", _l("Don't know")


ATTIRE_LABELS = Attire.labels()


class Action(LabelledChoice):
    NONE = "none", _l("None")
    SIGHTING = "sighting", _l("Sighting only")
    ATTEMPTED_ARREST = "attempted_arrest", _l("Attempted arrest")
    ARREST = "arrest", _l("Arrest")


ACTION_LABELS = Action.labels()

# Higher is more serious: an incident takes the most serious action among its reports.
ACTION_SEVERITY = {Action.NONE: 0, Action.SIGHTING: 1, Action.ATTEMPTED_ARREST: 2, Action.ARREST: 3}
URGENT_ACTIONS = frozenset({Action.ATTEMPTED_ARREST, Action.ARREST})


class TargetRole(LabelledChoice):
    DEFENDANT = "defendant", _l("Defendant")
    VICTIM_SURVIVOR = "victim_survivor", _l("Victim / survivor")
    WITNESS = "witness", _l("Witness")
    FAMILY_LITIGANT = "family_litigant", _l("Family-court litigant")
    FAMILY_MEMBER = "family_member", _l("Family member")
    OTHER = "other", _l("Other")
    UNKNOWN = "unknown", _l("Unknown")


TARGET_ROLE_LABELS = TargetRole.labels()


class Warrant(LabelledChoice):
    JUDICIAL = "judicial", _l("Judicial warrant (signed by a judge)")
    ADMINISTRATIVE = "administrative", _l("Administrative warrant (ICE form)")
    NONE_SHOWN = "none_shown", _l("None shown")
    UNKNOWN = "unknown", _l("Unknown")


WARRANT_LABELS = Warrant.labels()


class ObservationStatus(LabelledChoice):
    UNVERIFIED = "unverified", _l("Unverified")
    CONFIRMED = "confirmed", _l("Confirmed")
    FALSE_ALARM = "false_alarm", _l("False alarm")
    UNABLE_TO_VERIFY = "unable_to_verify", _l("Unable to verify")


OBSERVATION_STATUS_LABELS = ObservationStatus.labels()


class Observation(Base):
    __tablename__ = "observation"
    __table_args__ = (
        # The heart of "never doubled": a resend finds the stored report by this pair.
        UniqueConstraint("reporter_id", "idempotency_key"),
        Index("ix_observation_courthouse_observed", "courthouse_id", "observed_at"),
        Index("ix_observation_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Nullable + SET NULL: a deleted volunteer's reports stay in the statistics, unattributed.
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    # active_history: a move to another courthouse or time must recount the day it left
    # (reports/counts.py reads the old value at flush, even when it was not loaded before).
    courthouse_id: Mapped[int] = mapped_column(ForeignKey("courthouse.id"), index=True, active_history=True)
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shift.id", ondelete="SET NULL"), index=True)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True, active_history=True)

    courtroom: Mapped[str] = mapped_column(String(100), default="")
    area: Mapped[str | None] = mapped_column(String(30))  # Area
    court_type: Mapped[str | None] = mapped_column(String(40), index=True)  # CourtType

    agents_present: Mapped[str] = mapped_column(String(10), default=AgentsPresent.NO)
    agent_count: Mapped[int | None] = mapped_column(Integer)
    attire: Mapped[str | None] = mapped_column(String(20))  # Attire
    markings: Mapped[str] = mapped_column(String(500), default="")
    badges_seen: Mapped[str] = mapped_column(String(500), default="")
    vehicles: Mapped[str] = mapped_column(Text, default="")  # make, colour, plate
    identified_themselves: Mapped[str | None] = mapped_column(String(10))  # YesNoUnknown

    action: Mapped[str] = mapped_column(String(20), default=Action.NONE, index=True)
    target_role: Mapped[str | None] = mapped_column(String(20), index=True)  # TargetRole
    warrant: Mapped[str | None] = mapped_column(String(20), index=True)  # Warrant
    force_used: Mapped[str | None] = mapped_column(String(10))  # YesNoUnknown
    court_staff_involvement: Mapped[str] = mapped_column(Text, default="")
    narrative: Mapped[str] = mapped_column(Text, default="")
    # Set on the first coordinator edit: what the volunteer wrote, word for word.
    original_narrative: Mapped[str | None] = mapped_column(Text)
    nothing_observed: Mapped[bool] = mapped_column(Boolean, default=False, index=True)

    status: Mapped[str] = mapped_column(String(20), default=ObservationStatus.UNVERIFIED, index=True)
    verification_note: Mapped[str] = mapped_column(Text, default="")
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id", ondelete="SET NULL"), index=True)

    idempotency_key: Mapped[str] = mapped_column(String(64))
    # SHA-256 of the normalised submission: same key + different hash = a conflict, not a resend.
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    amended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last change by the reporter

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id], lazy="select")
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id], lazy="select")
    courthouse: Mapped[Courthouse] = relationship(lazy="joined")
    shift: Mapped[Shift | None] = relationship("Shift", lazy="select")
    incident: Mapped[Incident | None] = relationship(back_populates="observations", lazy="select")
    agencies: Mapped[list[ObservationAgency]] = relationship(
        back_populates="observation", cascade="all, delete-orphan", lazy="selectin", order_by="ObservationAgency.agency"
    )
    photos: Mapped[list[ObservationPhoto]] = relationship(
        back_populates="observation", cascade="all, delete-orphan", lazy="select", order_by="ObservationPhoto.id"
    )
    revisions: Mapped[list[ObservationRevision]] = relationship(
        back_populates="observation", cascade="all, delete-orphan", lazy="select", order_by="ObservationRevision.id"
    )

    @property
    def agency_list(self) -> list[str]:
        return [a.agency for a in self.agencies]

    @property
    def is_urgent(self) -> bool:
        return self.action in URGENT_ACTIONS

    @property
    def local_observed_at(self) -> datetime:
        return self.courthouse.local(self.observed_at)

    def __repr__(self) -> str:
        return f"<Observation {self.id} {self.action} {self.status}>"


class ObservationAgency(Base):
    """One agency seen in one report (several allowed: e.g. ICE ERO with local police assisting)."""

    __tablename__ = "observation_agency"

    observation_id: Mapped[int] = mapped_column(ForeignKey("observation.id", ondelete="CASCADE"), primary_key=True)
    agency: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)  # Agency

    observation: Mapped[Observation] = relationship(back_populates="agencies")


class Incident(Base):
    """One real-world event that one or more reports describe; summaries count it once."""

    __tablename__ = "incident"

    id: Mapped[int] = mapped_column(primary_key=True)
    courthouse_id: Mapped[int] = mapped_column(ForeignKey("courthouse.id"), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    courthouse: Mapped[Courthouse] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(lazy="select")
    observations: Mapped[list[Observation]] = relationship(
        back_populates="incident", lazy="select", order_by="Observation.observed_at"
    )

    def __repr__(self) -> str:
        return f"<Incident {self.id}>"


class ObservationPhoto(Base):
    """A re-encoded photo (no EXIF, no GPS) stored under a random name outside the static folder."""

    __tablename__ = "observation_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observation.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)  # bytes on disk after re-encoding
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    observation: Mapped[Observation] = relationship(back_populates="photos")


class ObservationRevision(Base):
    """The values a change replaced: reporter amendments and coordinator edits for clarity."""

    __tablename__ = "observation_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observation.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))  # "amend" (reporter) | "edit" (coordinator)
    # {field: [before, after]} for every field that changed; plain JSON-safe values only.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    observation: Mapped[Observation] = relationship(back_populates="revisions")
    editor: Mapped[User | None] = relationship(lazy="joined")
