"""Subscription updates held for a coordinator's review: a plan that would cancel more hearings
than the hold settings allow is kept, unapplied, as a pending upload of its source, until a
coordinator applies it (seeing the preview first) or discards it. See ``imports.safeguards``.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from courtwatch.db import db, utcnow
from courtwatch.errors import NotFound
from courtwatch.imports.models import CalendarSource
from courtwatch.imports.pending import PendingUpload, create_pending, discard_pending, load_pending
from courtwatch.imports.planner import ImportSummary
from courtwatch.imports.safeguards import tell_coordinators
from courtwatch.imports.services import import_file, record_run
from courtwatch.privacy.services import record_event


def hold_plan(
    source: CalendarSource,
    stream,
    summary: ImportSummary,
    *,
    kind: str = "ics",
    mapping: dict | None = None,
    fingerprint: str = "",
) -> None:
    """Keep a plan that cancels too much as a held upload of the source, and tell coordinators."""
    if source.held_token:
        discard_pending(
            PendingUpload(
                token=source.held_token, user_id=None, filename="", kind="", courthouse_id=None, source_name=""
            )
        )
    pending = create_pending(
        stream,
        user_id=None,
        filename=f"{source.name}.{kind}",
        courthouse_id=source.courthouse_id,
        source_name=source.name,
        full=True,
        kind_of=lambda _name, _head: kind,
    )
    pending.mapping = mapping
    pending.save()
    source.held_token = pending.token
    source.held_at = utcnow()
    source.last_status = "held"
    source.last_error = _(
        "Held for review: this update would cancel %(count)s of %(future)s future hearings.",
        count=summary.cancelled,
        future=summary.future_before,
    )
    tell_coordinators(
        source,
        "held",
        _(
            "It would add %(added)s, change %(changed)s and cancel %(cancelled)s hearings "
            "(of %(future)s future hearings).",
            added=summary.added,
            changed=summary.changed,
            cancelled=summary.cancelled,
            future=summary.future_before,
        ),
        fingerprint=fingerprint or pending.token,
    )


def held_plan(source: CalendarSource) -> PendingUpload | None:
    if not source.held_token:
        return None
    try:
        return load_pending(source.held_token, None)
    except NotFound:
        return None


def held_sources() -> list[CalendarSource]:
    return list(
        db.session.scalars(
            select(CalendarSource).where(CalendarSource.held_token.is_not(None)).order_by(CalendarSource.id).limit(100)
        )
    )


def preview_held(source: CalendarSource) -> ImportSummary:
    pending = held_plan(source)
    if pending is None:
        raise NotFound(_("This held update is no longer waiting."))
    return import_file(
        pending.path,
        kind=pending.kind,
        courthouse=source.courthouse,
        source=source,
        mapping=pending.mapping,
        apply=False,
        full=True,
    )


def apply_held(actor, source: CalendarSource) -> ImportSummary:
    """A coordinator looked at the held plan and applies it as it is."""
    pending = held_plan(source)
    if pending is None:
        raise NotFound(_("This held update is no longer waiting."))
    summary = import_file(
        pending.path,
        kind=pending.kind,
        courthouse=source.courthouse,
        source=source,
        mapping=pending.mapping,
        apply=True,
        full=True,
        confirm_cancellations=True,
    )
    record_run(actor, source, summary, pending.filename, status="ok")
    discard_held(actor, source, reason="applied")
    return summary


def discard_held(actor, source: CalendarSource, reason: str = "discarded") -> None:
    pending = held_plan(source)
    if pending is not None:
        discard_pending(pending)
    source.held_token = None
    source.held_at = None
    if reason == "discarded":
        source.last_status = "held_discarded"
        record_event(actor, "calendar.held_discarded", source)
