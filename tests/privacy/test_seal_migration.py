"""The `seal private fields` revision encrypts the hearings and requests already stored."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from flask_migrate import upgrade
from sqlalchemy import text

from courtwatch import create_app
from courtwatch.courts.hearing_models import Hearing
from courtwatch.db import db
from courtwatch.privacy.keys import match_key
from tests.conftest import TEST_MASTER_KEY, TEST_SECRET, _postgres_database


def _check(url: str) -> None:
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": TEST_SECRET, "ENV_NAME": "testing", "MASTER_KEY": TEST_MASTER_KEY}
    )
    with app.app_context():
        upgrade(revision="562b9776dd04")
        starts = datetime.now(UTC) + timedelta(days=3)
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO courthouse (id, name, short_name, slug, street_address, city, county, state, "
                    "postal_code, timezone, court_types, active, created_at) VALUES (1, 'C', 'C', 'c', '', '', '', "
                    "'', '', 'UTC', '', :t, :now)"
                ),
                {"t": True, "now": starts},
            )
            connection.execute(
                text(
                    "INSERT INTO hearing (id, courthouse_id, external_key, starts_at, all_day, title, courtroom, "
                    "case_number, court_type, case_type, judge, hearing_type, language, notes, status, "
                    "needs_accompaniment, created_at, updated_at) VALUES (1, 1, 'CR-77|x', :s, :f, "
                    "'People v. Old Plain', '4', 'CR-77', '', '', '', '', '', 'old note', 'scheduled', :t, :s, :s)"
                ),
                {"s": starts, "f": False, "t": True},
            )
            connection.execute(
                text(
                    "INSERT INTO accompaniment_request (id, hearing_id, person_label, language, interpreter_booked, "
                    "meeting_notes, private_notes, created_at, purge_after) VALUES (1, 1, 'Olda', 'Mam', :f, "
                    "'red coat', 'secret', :s, :s)"
                ),
                {"s": starts, "f": False},
            )
        upgrade(revision="head")
        db.session.remove()
        hearing = db.session.get(Hearing, 1)
        assert (hearing.title, hearing.case_number, hearing.notes) == ("People v. Old Plain", "CR-77", "old note")
        request_row = hearing.accompaniment_request
        assert (
            request_row.person_label,
            request_row.language,
            request_row.meeting_notes,
            request_row.private_notes,
        ) == ("Olda", "Mam", "red coat", "secret")
        assert hearing.external_key == match_key("CR-77|x")  # re-imports still find it
        raw = repr(db.session.execute(text("SELECT * FROM hearing")).all())
        raw += repr(db.session.execute(text("SELECT * FROM accompaniment_request")).all())
        for plain in ("Old Plain", "CR-77", "old note", "Olda", "red coat", "secret"):
            assert plain not in raw
        db.session.remove()
        db.engine.dispose()


def test_migration_encrypts_existing_rows(tmp_path):
    _check(f"sqlite:///{tmp_path / 'old.sqlite'}")
    base = os.environ.get("COURTWATCH_TEST_DATABASE_URL")
    if base:
        admin, name, url = _postgres_database(base)
        try:
            _check(url)
        finally:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.close()
