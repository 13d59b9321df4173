"""Cases: the hearings of one court case, followed from calendar to calendar.

A docket row names its case by number; the same number at the same courthouse in a later import
(or another source for that courthouse) is the same case. Case numbers identify people, so a case
holds only a keyed hash of its number (``case_key``, see ``courts.case_services.case_key_for``),
never the number, and even that hash goes when the last of its hearings is purged.

A continuance is a case's next hearing appearing while an earlier one had an accompaniment need.
It waits for a coordinator: confirmed, the need (and the request) carries to the new hearing and
the volunteers who went last time are offered the new shift first; dismissed, nothing carries.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courtwatch.courts.models import Courthouse
from courtwatch.db import Base, UTCDateTime, utcnow
from courtwatch.labels import LabelledChoice


class CourtCase(Base):
    __tablename__ = "court_case"
    # Key first: imports look cases up by key alone (the key already binds the courthouse).
    __table_args__ = (UniqueConstraint("case_key", "courthouse_id", name="uq_court_case_key_courthouse"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    courthouse_id: Mapped[int] = mapped_column(ForeignKey("courthouse.id"))
    # HMAC of the normalised case number (never the number); NULL once every hearing is purged.
    case_key: Mapped[str | None] = mapped_column(String(70))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    courthouse: Mapped[Courthouse] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<CourtCase {self.id} courthouse={self.courthouse_id}>"


class ContinuanceStatus(LabelledChoice):
    FOUND = "found", _l("next hearing found")
    CARRIED = "carried", _l("need carried")
    DISMISSED = "dismissed", _l("not carried")


class CaseContinuance(Base):
    """A case's next hearing, found after one that needed accompaniment; waits for a coordinator."""

    __tablename__ = "case_continuance"
    __table_args__ = (
        UniqueConstraint("to_hearing_id", name="uq_case_continuance_to_hearing"),
        Index("ix_case_continuance_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("court_case.id", ondelete="CASCADE"), index=True)
    from_hearing_id: Mapped[int] = mapped_column(ForeignKey("hearing.id", ondelete="CASCADE"), index=True)
    to_hearing_id: Mapped[int] = mapped_column(ForeignKey("hearing.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20), default=ContinuanceStatus.FOUND)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    case: Mapped[CourtCase] = relationship()
    from_hearing = relationship("Hearing", foreign_keys=[from_hearing_id])
    to_hearing = relationship("Hearing", foreign_keys=[to_hearing_id])

    @property
    def is_open(self) -> bool:
        return self.status == ContinuanceStatus.FOUND
