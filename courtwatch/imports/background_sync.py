""" "Sync now" from the web, off the request: the fetch and the read of a big subscription can
take longer than gunicorn's timeout, and a worker held that long is killed mid-sync.

The request only claims the source (one conditional UPDATE: of two clicks, or two hosts, one
wins) and starts the sync on a thread of the worker, with its own app context, session and
transaction; the calendar itself is still read in the limited parsing process (imports.isolation).
The coordinator's page polls the source's status. No extra service is needed, as for the
upload preview. A claim whose sync vanished (the worker restarted) is taken as gone after
``STALE_SECONDS``, so the button never stays dead. The CLI's ``calendars sync`` stays synchronous.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, update

from courtwatch.db import db, utcnow
from courtwatch.imports.models import CalendarSource

SYNCING = "syncing"
# Fetch timeout, the reader's CPU limit and planning fit well inside this.
STALE_SECONDS = 15 * 60
log = logging.getLogger(__name__)


def is_syncing(source: CalendarSource) -> bool:
    started = source.last_synced_at
    return (
        source.last_status == SYNCING and started is not None and started > utcnow() - timedelta(seconds=STALE_SECONDS)
    )


def claim_sync(source: CalendarSource) -> bool:
    """Mark the source as syncing unless a sync of it is under way; True when this call won."""
    cutoff = utcnow() - timedelta(seconds=STALE_SECONDS)
    claimed = db.session.execute(
        update(CalendarSource)
        .where(
            CalendarSource.id == source.id,
            or_(
                CalendarSource.last_status.is_(None),
                CalendarSource.last_status != SYNCING,
                CalendarSource.last_synced_at.is_(None),
                CalendarSource.last_synced_at < cutoff,
            ),
        )
        .values(last_status=SYNCING, last_synced_at=utcnow(), last_error=None)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(source)
    return claimed.rowcount == 1


def start_sync(source_id: int, actor_id: int | None) -> None:
    """Run the sync on a thread of this worker (the claim must be committed first)."""
    app = current_app._get_current_object()
    threading.Thread(target=_run, args=(app, source_id, actor_id), daemon=True, name="calendar-sync").start()


def _run(app, source_id: int, actor_id: int | None) -> None:
    from courtwatch.auth.models import User
    from courtwatch.imports.sync import sync_source

    with app.app_context():
        try:
            source = db.session.get(CalendarSource, source_id)
            if source is None:
                return
            actor = db.session.get(User, actor_id) if actor_id is not None else None
            sync_source(source, actor)
            if source.last_status == SYNCING:
                source.last_status = "ok"
            db.session.commit()
            for hook in app.extensions.get("courtwatch_after_commit", []):
                hook()
        except Exception as error:  # never a silent "syncing" forever; nothing of the feed in the log
            db.session.rollback()
            log.error("calendar sync of source %s failed: %s", source_id, type(error).__name__)
            _give_up(source_id)
        finally:
            db.session.remove()


def _give_up(source_id: int) -> None:
    try:
        db.session.execute(
            update(CalendarSource)
            .where(CalendarSource.id == source_id, CalendarSource.last_status == SYNCING)
            .values(last_status="error", last_error=_("The sync stopped before the end; nothing was changed."))
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
