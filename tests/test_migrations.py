"""The migrations build exactly the models' schema, and every revision downgrades.

Runs on a fresh SQLite file and, when COURTWATCH_TEST_DATABASE_URL is set, on a scratch
PostgreSQL database created (and dropped) for this test alone: never on the suite's database,
whose schema comes from ``create_all``.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from courtwatch import create_app
from courtwatch.db import db
from tests.conftest import TEST_SECRET, _postgres_database

VERSIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"


def _databases(tmp_path):
    yield "sqlite", f"sqlite:///{tmp_path / 'migrated.sqlite'}", None
    base = os.environ.get("COURTWATCH_TEST_DATABASE_URL")
    if base:
        admin, name, url = _postgres_database(base)
        yield "postgresql", url, (admin, name)


def _drop(admin, name) -> None:
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (name,)
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


def _schema_differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": False})
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    with db.engine.connect() as connection:
        return set(inspect(connection).get_table_names()) - {"alembic_version"}


def test_there_is_a_migration():
    revisions = [p for p in VERSIONS.glob("*.py") if not p.name.startswith("_")]
    assert revisions, "migrations/versions holds no revision: run `flask db migrate` and review it"


def test_upgrade_gives_the_models_schema_and_downgrade_removes_it(tmp_path):
    checked = []
    for dialect, url, cleanup in _databases(tmp_path):
        try:
            app = create_app({"DATABASE_URL": url, "SECRET_KEY": TEST_SECRET, "ENV_NAME": "testing"})
            with app.app_context():
                upgrade(revision="head")
                differences = _schema_differences()
                assert differences == [], f"{dialect}: migrations differ from the models: {differences}"
                assert _tables() == {t.name for t in db.metadata.sorted_tables}

                downgrade(revision="base")
                assert _tables() == set(), f"{dialect}: downgrade to base left tables behind"

                # Downgrading left nothing half-dropped: the chain applies cleanly again.
                upgrade(revision="head")
                assert _schema_differences() == []
                db.session.remove()
                db.engine.dispose()
            checked.append(dialect)
        finally:
            if cleanup:
                _drop(*cleanup)
    expected = ["sqlite", "postgresql"] if os.environ.get("COURTWATCH_TEST_DATABASE_URL") else ["sqlite"]
    assert checked == expected
