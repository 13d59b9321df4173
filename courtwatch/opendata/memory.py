"""Each month's suppression, remembered in the database under a hash of everything it depends on.

Suppression is decided month by month (lattice.py), and most of a period's months are in the past:
their counts rarely change, yet a fresh worker, or any answer after the in-process memory
(cache.py) expires, used to count and suppress every month again, about a second for a year at
a million reports. So each month's hidden cells are stored under a SHA-256 of the month's cells,
their relations, what is published and the threshold: exactly the inputs of the decision.

Keyed by content, the memory needs no invalidation: a changed count, courthouse, county or
setting gives a new key, and a stale row is simply never asked for again. Any row may be deleted
at any time (it is recounted when next needed), so rows older than ``KEEP_DAYS`` are pruned when
new ones are written. Writes use their own short transaction and never fail an answer: a public
GET must not fail because a cache could not be written.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime, timedelta

from sqlalchemy import String, Text, delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from courtwatch.db import Base, UTCDateTime, db, dialect_insert, utcnow
from courtwatch.opendata.lattice import MonthCells, hidden_in_month

KEEP_DAYS = 90
log = logging.getLogger(__name__)


class RememberedSuppression(Base):
    """One month's hidden cells, under the hash of the month's cells, relations and settings."""

    __tablename__ = "opendata_suppression"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    hidden: Mapped[str] = mapped_column(Text)  # JSON list of cells, each a [kind, key, column] list
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def decision_key(cells: MonthCells, threshold: int) -> str:
    """SHA-256 of every input of the month's suppression, in a canonical order."""
    document = [
        threshold,
        sorted([list(cell), count] for cell, count in cells.values.items()),
        sorted(list(cell) for cell in cells.published),
        sorted([list(r.total), sorted(list(part) for part in r.parts)] for r in cells.relations),
    ]
    return hashlib.sha256(json.dumps(document, separators=(",", ":")).encode()).hexdigest()


def remembered_hidden_cells(cells_by_month: dict[str, MonthCells], threshold: int) -> dict[str, frozenset]:
    """month -> hidden cells: remembered ones read in one query, the rest decided and remembered."""
    keys = {month: decision_key(cells, threshold) for month, cells in cells_by_month.items()}
    stored = dict(
        db.session.execute(
            select(RememberedSuppression.key, RememberedSuppression.hidden).where(
                RememberedSuppression.key.in_(set(keys.values()))
            )
        ).all()
    )
    hidden, new_rows = {}, {}
    for month, cells in cells_by_month.items():
        if keys[month] in stored:
            hidden[month] = frozenset(tuple(cell) for cell in json.loads(stored[keys[month]]))
        else:
            hidden[month] = hidden_in_month(cells, threshold)
            new_rows[keys[month]] = json.dumps(sorted(list(cell) for cell in hidden[month]))
    if new_rows:
        _remember(new_rows)
    return hidden


def _remember(rows: dict[str, str]) -> None:
    engine = db.engine
    statement = (
        (dialect_insert(engine.dialect.name) or dialect_insert("sqlite"))(RememberedSuppression)
        .values([{"key": key, "hidden": hidden, "created_at": utcnow()} for key, hidden in rows.items()])
        .on_conflict_do_nothing(index_elements=["key"])
    )
    try:
        with engine.begin() as connection:
            connection.execute(
                delete(RememberedSuppression).where(
                    RememberedSuppression.created_at < utcnow() - timedelta(days=KEEP_DAYS)
                )
            )
            connection.execute(statement)
    except SQLAlchemyError as error:  # a busy or full database: the answer is right without the memory
        log.warning("Could not remember %d months' suppression: %s", len(rows), type(error).__name__)
