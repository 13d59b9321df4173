"""What keeps an import from cancelling hearings that are still on.

A calendar that was read only in part cancels nothing (the planner checks ``summary.partial``).
A plan that would cancel more than ``IMPORT_HOLD_CANCEL_COUNT`` hearings, or more than
``IMPORT_HOLD_CANCEL_PERCENT`` % of a source's future hearings, is held: nothing of it is
written, the file is kept as a held plan, and coordinators are told by email and by a banner on
the calendars page. A coordinator who has looked at the preview applies it (or discards it).

Coordinators are told about problems with a source by email: once per distinct problem, so a
feed that stays broken is not announced every 30 minutes.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from sqlalchemy import func, select

from courtwatch.courts.hearing_models import Hearing, HearingStatus
from courtwatch.db import db, utcnow
from courtwatch.notify.messages import render_email
from courtwatch.notify.services import queue_email
from courtwatch.shifts.notices import coordinators


class PlanHeld(Exception):
    """Raised inside the import's savepoint to undo a plan that must wait for a coordinator."""


def future_hearing_count(source_id: int | None) -> int:
    if source_id is None:
        return 0
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Hearing)
            .where(
                Hearing.source_id == source_id, Hearing.status == HearingStatus.SCHEDULED, Hearing.starts_at >= utcnow()
            )
        )
        or 0
    )


def needs_review(summary) -> bool:
    """True when the plan cancels more than the settings allow without a coordinator's look."""
    cancelled = summary.cancelled
    if cancelled <= 0:
        return False
    if cancelled > int(current_app.config["IMPORT_HOLD_CANCEL_COUNT"]):
        return True
    percent = float(current_app.config["IMPORT_HOLD_CANCEL_PERCENT"])
    return summary.future_before > 0 and cancelled * 100 > percent * summary.future_before


def tell_coordinators(source, kind: str, detail: str, fingerprint: str = "") -> None:
    """Email every coordinator about a source: kind is held | partial | error.

    The dedupe key holds the problem's fingerprint, so the same problem is mailed once.
    Only the source's name and counts are sent: never a hearing's title or case number.
    """
    digest = hashlib.sha256(f"{kind}|{fingerprint or detail}".encode()).hexdigest()[:16]
    for user in coordinators():
        subject, body = render_email(
            "calendar_problem", user.locale, problem=kind, source_name=source.name, detail=detail
        )
        queue_email(user.email, subject, body, dedupe_key=f"calendar-{kind}:{source.id}:{digest}:{user.id}")
