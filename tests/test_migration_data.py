"""Upgrading a database that holds data, one revision at a time, on SQLite and PostgreSQL.

At each revision the test adds rows to every table that revision has (every NOT NULL column
filled, foreign keys pointing at rows of the same step), so the database carries data written at
every point of its history. At the end no row is lost, and the report counts the data step of
``562b9776dd04`` wrote match the reports that were there, counted by each courthouse's local day
(one courthouse sits across the date line).

A revision must never import ``courtwatch``: the app's code follows the newest schema, so an old
revision running it against an old database breaks as soon as the models move on.
"""

from __future__ import annotations

import ast
import os
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from courtwatch import create_app
from courtwatch.db import db
from tests.conftest import TEST_MASTER_KEY, TEST_SECRET
from tests.test_migrations import _databases, _drop

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
ROWS = 3  # per table and revision; courthouse n sits in ZONES[n]
ZONES = ["Pacific/Auckland", "America/New_York", "UTC"]
DERIVED = {"alembic_version", "report_day_count", "report_month_count"}
COUNTS_REVISION = "562b9776dd04"
ACTIONS = ["arrest", "sighting", "none"]


def _revisions() -> list[str]:
    return [script.revision for script in reversed(list(ScriptDirectory(str(MIGRATIONS)).walk_revisions()))]


def _observed_at(step: int) -> datetime:
    # 11:30 UTC is 00:30 the next day in Auckland (NZDT), 06:30 in New York, 11:30 in UTC.
    return datetime(2026, 3, 1 + step, 11, 30, tzinfo=UTC)


OVERRIDES = {
    ("courthouse", "timezone"): lambda step, n: ZONES[n],
    ("observation", "observed_at"): lambda step, n: _observed_at(step),
    ("observation", "action"): lambda step, n: ACTIONS[n],
    ("observation", "nothing_observed"): lambda step, n: ACTIONS[n] == "none",
    ("observation", "status"): lambda step, n: "submitted",
    ("observation", "court_type"): lambda step, n: "criminal",
    ("observation", "target_role"): lambda step, n: "defendant" if ACTIONS[n] == "arrest" else None,
    ("observation_agency", "agency"): lambda step, n: "ice_ero",
    ("shift", "ends_at"): lambda step, n: datetime(2026, 1, 1, 15, tzinfo=UTC) + timedelta(days=n),
    ("shift", "kind"): lambda step, n: "observation",
    ("shift", "status"): lambda step, n: "open",
    ("user", "role"): lambda step, n: "volunteer",
    ("data_key", "id"): lambda step, n: f"key-{step}-{n}",  # a random id the app chooses
    ("passkey", "credential_id"): lambda step, n: f"credential-{step}-{n}".encode(),
    ("user", "status"): lambda step, n: "active",
    # A closure has exactly one scope (here a state) and one row per scope and day.
    ("court_closure", "state"): lambda step, n: "MA",
    ("court_closure", "day"): lambda step, n: date(2026, 1, 1) + timedelta(days=step * ROWS + n),
    # The n-th stored blob of this step (its key is a string the app chooses, not an id).
    ("stored_blob_chunk", "blob_key"): lambda step, n: f"{step}-{n}-stored_blob-key",
}


def _plain_value(column: sa.Column, step: int, n: int):
    kind = column.type.python_type
    if kind is bool:
        return False
    if kind is int:
        return n + 1
    if kind is datetime:
        return datetime(2026, 1, 1, 12, tzinfo=UTC) + timedelta(days=n)
    if kind is date:
        return date(2026, 1, 1) + timedelta(days=n)
    if kind is time:
        return time(9, 0)
    if kind is bytes:
        return b"x"
    if kind in (float, Decimal):
        return kind(1)
    if kind is dict:
        return {}
    # Step and row first: a short column (a 6-letter prefix) stays unique when cut.
    text = f"{step}-{n}-{column.table.name}-{column.name}"
    return text[: column.type.length] if getattr(column.type, "length", None) else text


def _row(table: sa.Table, step: int, n: int, new_ids: dict[str, list[int]]) -> dict:
    row = {}
    for column in table.columns:
        override = OVERRIDES.get((table.name, column.name))
        foreign = next(iter(column.foreign_keys), None)
        if override is not None:
            row[column.name] = override(step, n)
        elif column.autoincrement is True or (column.primary_key and column.name == "id" and foreign is None):
            continue
        elif foreign is not None:
            # The n-th row of this step in the parent table: pairs stay unique (one signup a person).
            row[column.name] = (
                new_ids[foreign.column.table.name][n] if not column.nullable or column.primary_key else None
            )
        elif not column.nullable:
            row[column.name] = _plain_value(column, step, n)
    return row


def _fill(connection, step: int) -> Counter:
    metadata = sa.MetaData()
    metadata.reflect(connection)
    inserted: Counter = Counter()
    new_ids: dict[str, list[int]] = {}
    for table in metadata.sorted_tables:
        if table.name in DERIVED:
            continue
        for n in range(ROWS):
            connection.execute(table.insert().values(_row(table, step, n, new_ids)))
        inserted[table.name] += ROWS
        if "id" in table.c:
            new_ids[table.name] = list(
                connection.scalars(sa.select(table.c.id).order_by(table.c.id.desc()).limit(ROWS))
            )[::-1]
    return inserted


def _expected_day_counts(connection) -> Counter:
    """(courthouse, local day, counted column) -> count, from the reports as stored."""
    expected: Counter = Counter()
    rows = connection.execute(
        sa.text(
            "SELECT courthouse.timezone, observation.courthouse_id, observation.action FROM observation "
            "JOIN courthouse ON courthouse.id = observation.courthouse_id ORDER BY observation.id"
        )
    )
    for step_and_n, (zone, courthouse_id, action) in enumerate(rows):
        day = _observed_at(step_and_n // ROWS).astimezone(ZoneInfo(zone)).date()
        expected[courthouse_id, day, "reports"] += 1
        expected[
            courthouse_id, day, {"arrest": "arrests", "sighting": "sightings", "none": "nothing_observed"}[action]
        ] += 1
    return expected


def _stored_day_counts(connection) -> Counter:
    stored: Counter = Counter()
    for row in connection.execute(
        sa.text("SELECT courthouse_id, day, reports, arrests, sightings, nothing_observed FROM report_day_count")
    ):
        day = row.day if isinstance(row.day, date) else date.fromisoformat(str(row.day))
        for name in ("reports", "arrests", "sightings", "nothing_observed"):
            if getattr(row, name):
                stored[row.courthouse_id, day, name] += getattr(row, name)
    return stored


def test_revisions_never_import_the_app():
    offenders = []
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [f"{path.name}: {name}" for name in names if name.split(".")[0] == "courtwatch"]
    assert offenders == []


def test_upgrading_one_revision_at_a_time_keeps_every_row_and_counts_them(tmp_path):
    revisions = _revisions()
    assert COUNTS_REVISION in revisions
    checked = []
    for dialect, url, cleanup in _databases(tmp_path):
        try:
            app = create_app(
                {"DATABASE_URL": url, "SECRET_KEY": TEST_SECRET, "ENV_NAME": "testing", "MASTER_KEY": TEST_MASTER_KEY}
            )
            with app.app_context():
                inserted: Counter = Counter()
                for step, revision in enumerate(revisions):
                    upgrade(revision=revision)
                    with db.engine.begin() as connection:
                        if revision == COUNTS_REVISION:
                            expected = _expected_day_counts(connection)
                            assert sum(v for (_c, _d, name), v in expected.items() if name == "reports") == step * ROWS
                            assert _stored_day_counts(connection) == expected, dialect
                            months = connection.execute(
                                sa.text("SELECT SUM(reports), SUM(arrests) FROM report_month_count")
                            ).one()
                            assert tuple(months) == (step * ROWS, step), dialect
                        inserted += _fill(connection, step)
                with db.engine.connect() as connection:
                    held = {table: connection.scalar(sa.text(f'SELECT COUNT(*) FROM "{table}"')) for table in inserted}
                # The sealing revision gives every hearing it encrypts its own data key: more keys
                # than were inserted, never fewer.
                assert held.pop("data_key") >= inserted.pop("data_key"), dialect
                assert held == dict(inserted), dialect
                db.session.remove()
                db.engine.dispose()
            checked.append(dialect)
        finally:
            if cleanup:
                _drop(*cleanup)
    expected_dialects = ["sqlite", "postgresql"] if os.environ.get("COURTWATCH_TEST_DATABASE_URL") else ["sqlite"]
    assert checked == expected_dialects
