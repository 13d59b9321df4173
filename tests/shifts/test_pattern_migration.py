"""A weekly pattern saved before the pattern rules existed is still a weekly pattern after the
upgrade, and still generates its shifts (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from courtwatch import create_app
from courtwatch.db import db
from courtwatch.shifts import patterns
from courtwatch.shifts.models import Shift, ShiftPattern
from tests.conftest import TEST_MASTER_KEY, TEST_SECRET
from tests.test_migration_data import _row
from tests.test_migrations import _databases, _drop

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
RULES_REVISION = "c1d5e2f7a9b3"


def _insert(connection, name: str, parents: dict, **values) -> int:
    table = sa.Table(name, sa.MetaData(), autoload_with=connection)
    row = {**_row(table, 0, 0, parents), **values}
    return connection.execute(table.insert().values(row).returning(table.c.id)).scalar_one()


def test_existing_weekly_patterns_survive_the_upgrade(tmp_path):
    before = ScriptDirectory(str(MIGRATIONS)).get_revision(RULES_REVISION).down_revision
    for _dialect, url, cleanup in _databases(tmp_path):
        try:
            app = create_app(
                {"DATABASE_URL": url, "SECRET_KEY": TEST_SECRET, "ENV_NAME": "testing", "MASTER_KEY": TEST_MASTER_KEY}
            )
            with app.app_context():
                upgrade(revision=before)
                with db.engine.begin() as connection:
                    courthouse_id = _insert(connection, "courthouse", {}, timezone="America/New_York", state="MA")
                    _insert(
                        connection,
                        "shift_pattern",
                        {"courthouse": [courthouse_id]},
                        weekdays="135",
                        start_time=time(9),
                        end_time=time(12),
                        capacity=2,
                        minimum=1,
                        active=True,
                    )
                upgrade(revision="head")
                pattern = db.session.scalar(sa.select(ShiftPattern))
                assert (pattern.rule, pattern.starts_on, pattern.month_weeks) == ("weekly", None, "")
                # Tuesday 1 December 2026, 7:00 in New York: Wed 2 to Mon 14 December.
                assert patterns.generate_shifts(horizon_days=13, now=datetime(2026, 12, 1, 12, tzinfo=UTC)) == 6
                days = {
                    pattern.courthouse.local(s.starts_at).isoweekday() for s in db.session.scalars(sa.select(Shift))
                }
                assert days == {1, 3, 5}
                db.session.remove()
                db.engine.dispose()
        finally:
            if cleanup:
                _drop(*cleanup)
