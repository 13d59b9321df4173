"""Retention: a hearing's private data is erased for good N days after the hearing.

N is ACCOMPANIMENT_PURGE_DAYS. What goes: the accompaniment request (who was accompanied), and the
hearing's caption, case number, notes, match key and keyed digest, whether or not the hearing
ever needed accompaniment, since dockets name people in captions. Then the hearing's data key is
deleted, so any copy of the ciphertext left in free pages, the WAL or a backup can no longer be
read (crypto-shredding). The hearing row itself stays (court, room, time, type: the statistics).
A case whose every hearing is purged loses its key (the hash of its number) the same way.

The audit trail records how many rows went, never what they said.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update

from courtwatch.courts.case_services import forget_purged_cases
from courtwatch.courts.hearing_models import AccompanimentRequest, Hearing
from courtwatch.db import db, utcnow
from courtwatch.privacy.keys import forget_data_keys
from courtwatch.privacy.models import DataKey
from courtwatch.privacy.services import record_event

BATCH = 500


def purge_private_hearing_data(now: datetime | None = None, actor=None) -> tuple[int, int]:
    """Erase what is private about every hearing past its retention; (requests, hearings) erased."""
    now = now or utcnow()
    horizon = now - timedelta(days=int(current_app.config["ACCOMPANIMENT_PURGE_DAYS"]))
    requests = (
        db.session.execute(
            delete(AccompanimentRequest)
            .where(AccompanimentRequest.purge_after < now)
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )
    hearings = 0
    while True:
        rows = db.session.execute(
            select(Hearing.id, Hearing.data_key_id)
            .where(
                Hearing.starts_at < horizon,
                or_(
                    Hearing.data_key_id.is_not(None),
                    Hearing.external_key.is_not(None),
                    Hearing.private_digest.is_not(None),
                ),
            )
            .order_by(Hearing.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        ids = [row.id for row in rows]
        key_ids = [row.data_key_id for row in rows if row.data_key_id]
        requests += (
            db.session.execute(
                delete(AccompanimentRequest)
                .where(AccompanimentRequest.hearing_id.in_(ids))
                .execution_options(synchronize_session=False)
            ).rowcount
            or 0
        )
        db.session.execute(
            update(Hearing)
            .where(Hearing.id.in_(ids))
            .values(
                sealed_title=None,
                sealed_case_number=None,
                sealed_notes=None,
                private_digest=None,
                external_key=None,
                data_key_id=None,
                private_purged_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if key_ids:
            db.session.execute(
                delete(DataKey).where(DataKey.id.in_(key_ids)).execution_options(synchronize_session=False)
            )
            forget_data_keys(key_ids)
        hearings += len(ids)
    forget_purged_cases()
    record_event(actor, "privacy.purged", object_type="hearing", accompaniment_requests=requests, hearings=hearings)
    db.session.expire_all()
    return requests, hearings


def purge_accompaniment_requests(now: datetime | None = None, actor=None) -> int:
    """Kept for callers of the older name: the full purge, returning the requests erased."""
    return purge_private_hearing_data(now, actor)[0]
