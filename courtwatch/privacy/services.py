"""Writing and reading the audit trail."""

from __future__ import annotations

import json

from sqlalchemy import select

from courtwatch.db import db
from courtwatch.privacy.models import AuditEvent

AUDIT_PAGE_SIZE = 50


def record_event(
    actor, action: str, obj=None, *, object_type: str | None = None, object_id: int | None = None, **detail
) -> AuditEvent:
    """Add an audit event to the current transaction; it commits (or not) with the change it records."""
    if obj is not None:
        # current_user is a proxy; the table name belongs to the object behind it.
        obj = obj._get_current_object() if hasattr(obj, "_get_current_object") else obj
        object_type = object_type or type(obj).__tablename__
        object_id = object_id if object_id is not None else obj.id
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type or "",
        object_id=object_id,
        detail=json.dumps(detail, default=str, sort_keys=True) if detail else None,
    )
    db.session.add(event)
    return event


def list_events(
    *, action: str | None = None, before_id: int | None = None, limit: int = AUDIT_PAGE_SIZE
) -> list[AuditEvent]:
    """Newest first, keyset-paginated by id so deep pages stay fast."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEvent.action == action)
    if before_id:
        query = query.where(AuditEvent.id < before_id)
    return list(db.session.scalars(query))


def event_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
