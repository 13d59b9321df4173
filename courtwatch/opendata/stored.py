"""Finished publications stored in the database under a validator of everything they are counted from.

A fresh worker, another app host, or any answer after the in-process memory (cache.py) expires
used to count the whole publication again: about 120 ms of CPU for a year at a million reports,
most of it shift coverage, volunteer hours and arranging the months for suppression. Now the
answer is stored once, keyed by a SHA-256 of its inputs, and the next worker anywhere reads it
back after the validator's queries.

The validator holds the inputs themselves where they are cheap (the period's stored report counts
and the courthouses' shown columns: exact, so a verified, unverified, moved or deleted report
changes it at once, through the counts' own upkeep in reports/counts.py) and a fingerprint where
they are not (the linked reports and their agencies, the observation shifts of the window and
their sign-ups: count, sum of ids, latest and total ``updated_at``, read from small covering
indexes: ``reports.queries.linked_fingerprint``, and ``coverage_fingerprints`` month by month), plus the period,
the language, the published sections, the threshold, the first published month and
``FORMAT_VERSION``. The fingerprints rely on every writer setting ``updated_at``, as the models'
``onupdate`` does for ORM and Core updates alike (raw SQL that bypasses it must set it too).

Each month's coverage is stored too, under that month's own validator (``stored_coverage``): the
first answer after a change then counts the shifts of the months it touched, not the whole period.

What is stored is the finished public answer (suppressed cells are already ``null`` in it) and each
month's coverage per courthouse (never suppressed, shown by that month's own answer), so the table
holds nothing the public API does not show. Keyed by content, it needs no invalidation: a
change gives a new key and the old row is never asked for again; rows older than ``KEEP_DAYS`` are
pruned when a new one is written. Writes use their own short transaction and never fail an answer.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import replace
from datetime import date, datetime, timedelta

from flask_babel import get_locale
from sqlalchemy import Index, String, Text, delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from courtwatch.db import Base, UTCDateTime, db, dialect_insert, partial_index, utcnow
from courtwatch.observations.models import Observation
from courtwatch.opendata.models import OpenDataSettings
from courtwatch.opendata.publication import (
    COVERAGE_COLUMNS,
    Period,
    Publication,
    PublicationInputs,
    PublishedTable,
    Row,
    build_publication,
    count_coverage,
    read_inputs,
)
from courtwatch.reports.queries import coverage_fingerprints, linked_fingerprint
from courtwatch.shifts.models import Shift, ShiftSignup

FORMAT_VERSION = 1  # raise when the publication's shape or counting rules change: old rows are then never read
KEEP_DAYS = 7
log = logging.getLogger(__name__)


class StoredPublication(Base):
    """One finished public answer (suppressed cells already removed), under the hash of its inputs."""

    __tablename__ = "opendata_answer"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[str] = mapped_column(Text)  # JSON of the Publication
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def answer_key(settings: OpenDataSettings, period: Period, inputs: PublicationInputs, coverage_prints: dict) -> str:
    """SHA-256 of every input's exact value or fingerprint (a new row order only costs a recount)."""
    courthouses = [(c.id, c.slug, c.name, c.county, c.timezone) for c in inputs.report_filter.courthouses]
    document = (
        FORMAT_VERSION,
        (period.first_month, period.last_month, str(get_locale())),
        (settings.sections, settings.threshold, settings.published_from),
        courthouses,
        inputs.action_rows,
        inputs.value_rows,
        linked_fingerprint(inputs.report_filter),
        sorted(coverage_prints.items()),
    )
    return hashlib.sha256(repr(document).encode()).hexdigest()


def stored_publication(settings: OpenDataSettings, period: Period) -> Publication:
    """The period's publication: read back when its inputs are unchanged, otherwise counted and stored."""
    inputs = read_inputs(period)
    coverage_prints = coverage_fingerprints(inputs.report_filter)
    key = answer_key(settings, period, inputs, coverage_prints)
    body = db.session.scalar(select(StoredPublication.body).where(StoredPublication.key == key))
    if body is not None:
        return publication_from_json(json.loads(body))
    coverage, new_rows = stored_coverage(inputs.report_filter, coverage_prints)
    publication = build_publication(settings, period, inputs, coverage)
    new_rows[key] = json.dumps(publication_to_json(publication), separators=(",", ":"))
    _store(new_rows)  # the counted months' coverage and the answer, in one short transaction
    return publication


# ---------------------------------------------------------------------------- each month's coverage
def coverage_key(report_filter, month: str, fingerprint: tuple) -> str:
    """SHA-256 of one month's coverage inputs: the month's shifts and sign-ups, the courthouses' zones."""
    zones = [(c.id, c.timezone) for c in report_filter.courthouses]
    document = (FORMAT_VERSION, "coverage", month, zones, fingerprint)
    return hashlib.sha256(repr(document).encode()).hexdigest()


def stored_coverage(report_filter, coverage_prints: dict) -> tuple[dict, dict]:
    """(courthouse id, month) -> coverage, and the rows to store: unchanged months read back, the
    others counted (the caller stores them with the answer, in one transaction).

    The first answer after a change used to count the whole period's shifts and hours again (about
    45 ms of CPU for a year at a million reports, most of the recount); a verified report or a
    staffed shift touches one month, so only that month is counted now. A month's coverage is public
    anyway (each one-month answer shows it, never suppressed), so these rows hold nothing more.
    """
    keys = {month: coverage_key(report_filter, month, fingerprint) for month, fingerprint in coverage_prints.items()}
    found = dict(
        db.session.execute(
            select(StoredPublication.key, StoredPublication.body).where(StoredPublication.key.in_(set(keys.values())))
        ).all()
    )
    coverage = {}
    for month, key in keys.items():
        if key in found:
            for courthouse_id, figures in json.loads(found[key]).items():
                coverage[int(courthouse_id), month] = dict(zip(COVERAGE_COLUMNS, figures, strict=True))
    missing = sorted(month for month, key in keys.items() if key not in found)
    new_rows = {}
    if missing:
        first, last = date.fromisoformat(missing[0] + "-01"), Period(missing[-1], missing[-1]).last_day
        counted = count_coverage(replace(report_filter, date_from=first, date_to=last))
        pieces = {month: {} for month in missing}
        for (courthouse_id, month), figures in counted.items():
            if month in pieces:
                coverage[courthouse_id, month] = figures
                pieces[month][courthouse_id] = [figures[column] for column in COVERAGE_COLUMNS]
        new_rows = {keys[month]: json.dumps(piece, separators=(",", ":")) for month, piece in pieces.items()}
    return coverage, new_rows


# ---------------------------------------------------------------------------- (de)serialising
def _row_to_json(row: Row) -> list:
    return [row.key, row.label, row.counts, row.coverage, row.county]


def _row_from_json(data: list) -> Row:
    return Row(*data)


def publication_to_json(publication: Publication) -> dict:
    return {
        "period": [publication.period.first_month, publication.period.last_month],
        "threshold": publication.threshold,
        "totals": _row_to_json(publication.totals),
        "hidden_cells": publication.hidden_cells,
        "tables": [
            [t.key, t.dimension, list(t.columns), [_row_to_json(r) for r in t.rows]]
            for t in publication.tables.values()
        ],
    }


def publication_from_json(data: dict) -> Publication:
    publication = Publication(Period(*data["period"]), data["threshold"], _row_from_json(data["totals"]))
    publication.hidden_cells = data["hidden_cells"]
    for key, dimension, columns, rows in data["tables"]:
        publication.tables[key] = PublishedTable(key, dimension, [_row_from_json(r) for r in rows], tuple(columns))
    return publication


def _store(rows: dict[str, str]) -> None:
    engine = db.engine
    insert = dialect_insert(engine.dialect.name) or dialect_insert("sqlite")
    statement = (
        insert(StoredPublication)
        .values([{"key": key, "body": body, "created_at": utcnow()} for key, body in rows.items()])
        .on_conflict_do_nothing(index_elements=["key"])
    )
    try:
        with engine.begin() as connection:
            connection.execute(
                delete(StoredPublication).where(StoredPublication.created_at < utcnow() - timedelta(days=KEEP_DAYS))
            )
            connection.execute(statement)
    except SQLAlchemyError as error:  # a busy or full database: the answer is right without the store
        log.warning("Could not store a public answer: %s", type(error).__name__)


# The validator's reads (reports.queries.*_fingerprint), answered from these indexes alone (SQLite).
# Declared here, beside their only reader, rather than in the shifts area.
Index("ix_shift_starts_updated", Shift.starts_at, Shift.updated_at)
Index("ix_shift_signup_shift_updated", ShiftSignup.shift_id, ShiftSignup.updated_at)
partial_index(
    "ix_observation_linked_updated",
    Observation.observed_at,
    Observation.updated_at,
    Observation.incident_id,
    where=Observation.incident_id.is_not(None),
)
