"""First offers: a shift held for named volunteers for a while before anyone else may claim it.

Made when a coordinator carries a case's accompaniment need to its next hearing: the volunteers
who went with the person last time are asked first (the person meets a face they know). Until
``opens_at`` only they can claim; after it, or once each of them has answered, anyone can.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from courtwatch.auth.models import User
from courtwatch.db import Base, UTCDateTime, utcnow
from courtwatch.labels import LabelledChoice
from courtwatch.shifts.models import Shift


class OfferStatus(LabelledChoice):
    OFFERED = "offered", _l("offered")
    CLAIMED = "claimed", _l("claimed")
    DECLINED = "declined", _l("declined")


class ShiftOffer(Base):
    __tablename__ = "shift_offer"
    __table_args__ = (
        UniqueConstraint("shift_id", "user_id", name="uq_shift_offer_shift_user"),
        Index("ix_shift_offer_shift_status", "shift_id", "status", "opens_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=OfferStatus.OFFERED)
    # Until then the shift is held for the volunteers offered it; then it opens to everyone.
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    shift: Mapped[Shift] = relationship()
    user: Mapped[User] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status == OfferStatus.OFFERED
