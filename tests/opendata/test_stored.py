"""A finished public answer is stored once and served by every fresh worker, until any of its inputs changes.

A new app (a new worker or another host, nothing in its own memory) must answer from the stored
publication without counting shift coverage and hours again; and each kind of change a campaign
makes (verifying, unverifying, deleting or linking a report, cancelling a shift, a volunteer's
hours, a renamed courthouse) must show in the very next answer, never a stale stored one.
Whether an answer was counted is read from the SQL it ran: only counting reads the months'
remembered suppression, the stored answer's validator never does. (Coverage is stored month by
month, so a changed report no longer recounts the hours: test_month_pieces.py.)
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from courtwatch import create_app
from courtwatch.db import db
from courtwatch.observations.models import Observation
from courtwatch.observations.verification import link_observations, verify_observation
from courtwatch.opendata.stored import StoredPublication
from courtwatch.shifts.models import Shift, ShiftSignup
from tests.opendata.conftest import CHICAGO, PERIOD, at, report

SUMMARY = "/api/v1/incidents/summary"


def _fresh_answer(test_config, by="courthouse") -> tuple[dict, list[str]]:
    """(JSON, SQL statements) of the first answer of a new app on the same database."""
    app = create_app({**test_config, "OPENDATA_CACHE_SECONDS": 300})
    client = app.test_client()
    client.get("/api/v1/dictionary.json")  # the app's first request (settings, templates) out of the count
    statements = []
    with app.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        answer = client.get(SUMMARY, query_string={**PERIOD, "by": by})
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert answer.status_code == 200, answer.data
    return answer.get_json(), statements


def _counted(statements) -> bool:
    return any("opendata_suppression" in statement for statement in statements)


def _row(answer, key):
    return next(row for row in answer["rows"] if row["key"] == key)


def _stored_answer(test_config, by="courthouse") -> dict:
    """Count once, then prove a second fresh worker is served the stored answer: the state before a change."""
    first, statements = _fresh_answer(test_config, by)
    assert _counted(statements)
    again, statements = _fresh_answer(test_config, by)
    assert not _counted(statements), statements
    assert again == first
    return again


def _answer_after_change(test_config, by="courthouse") -> dict:
    answer, statements = _fresh_answer(test_config, by)
    assert _counted(statements)  # the change made the stored answer unusable: counted anew
    return answer


def test_a_fresh_worker_serves_the_stored_answer_without_counting(app, test_config, published):
    first, counting = _fresh_answer(test_config)
    assert _counted(counting)
    second, serving = _fresh_answer(test_config)
    assert second == first
    assert not _counted(serving)
    assert not any("opendata_suppression" in statement for statement in serving)  # no month arranged either
    assert len(serving) < len(counting)
    # What is served is the stored row itself: plant a different figure, a fresh worker shows it.
    with app.app_context():
        # (the table also holds each month's coverage: the answer is the row with the tables in it)
        stored = db.session.scalars(
            select(StoredPublication).where(StoredPublication.body.contains('"Beta Courthouse"'))
        ).one()
        stored.body = stored.body.replace('"Beta Courthouse"', '"Planted Courthouse"')
        db.session.commit()
    assert _row(_fresh_answer(test_config)[0], "beta")["label"] == "Planted Courthouse"


def test_a_newly_verified_report_is_in_the_next_answer(app, test_config, published, make_user):
    with app.app_context():
        gamma = db.session.merge(published["gamma"])
        pending = report(gamma, at("2025-01-24 08:00", CHICAGO), "sighting", status="unverified")
        db.session.commit()
        pending_id = pending.id
    before = _stored_answer(test_config)
    assert (_row(before, "gamma")["sighting"], before["totals"]["incidents"]) == (3, 20)
    with app.app_context():
        coordinator = make_user(role="coordinator")
        verify_observation(coordinator, db.session.get(Observation, pending_id), "confirmed", "Seen by two watchers")
        db.session.commit()
    after = _answer_after_change(test_config)
    assert (_row(after, "gamma")["sighting"], after["totals"]["incidents"]) == (4, 21)


def test_an_unverified_report_leaves_the_next_answer(app, test_config, published, make_user):
    assert _stored_answer(test_config)["totals"]["incidents"] == 20
    with app.app_context():
        coordinator = make_user(role="coordinator")
        arrest = db.session.scalars(
            select(Observation).where(Observation.courthouse_id == published["beta"].id, Observation.action == "arrest")
        ).first()
        verify_observation(coordinator, arrest, "unverified", "The caller withdrew the account")
        db.session.commit()
    assert _answer_after_change(test_config)["totals"]["incidents"] == 19


def test_a_deleted_report_leaves_the_next_answer(app, test_config, published):
    assert _stored_answer(test_config)["totals"]["incidents"] == 20
    with app.app_context():
        sighting = db.session.scalars(
            select(Observation).where(
                Observation.courthouse_id == published["beta"].id, Observation.action == "sighting"
            )
        ).first()
        db.session.delete(sighting)
        db.session.commit()
    assert _answer_after_change(test_config)["totals"]["incidents"] == 19


def test_reports_linked_into_one_incident_count_once_in_the_next_answer(app, test_config, published, make_user):
    assert _stored_answer(test_config)["totals"]["incidents"] == 20
    with app.app_context():
        sightings = db.session.scalars(
            select(Observation.id).where(
                Observation.courthouse_id == published["beta"].id, Observation.action == "sighting"
            )
        ).all()
        link_observations(make_user(role="coordinator"), sightings[:2])
        db.session.commit()
    assert _answer_after_change(test_config)["totals"]["incidents"] == 19  # one Incident, counted once


def test_changed_volunteer_hours_show_in_the_next_answer(app, test_config, published):
    assert _row(_stored_answer(test_config), "alpha")["hours_observed"] == 7.0
    with app.app_context():
        signup = db.session.scalars(select(ShiftSignup).order_by(ShiftSignup.id)).first()
        signup.checked_out_at = signup.checked_out_at + timedelta(hours=1)  # a coordinator's correction
        db.session.commit()
    assert _row(_answer_after_change(test_config), "alpha")["hours_observed"] == 8.0


def test_a_no_show_changes_shifts_staffed_in_the_next_answer(app, test_config, published):
    assert _row(_stored_answer(test_config), "alpha")["shifts_staffed"] == 2
    with app.app_context():
        signup = db.session.scalars(select(ShiftSignup).order_by(ShiftSignup.id)).first()
        signup.no_show, signup.checked_in_at, signup.checked_out_at = True, None, None
        db.session.commit()
    changed = _row(_answer_after_change(test_config), "alpha")
    assert (changed["shifts_staffed"], changed["hours_observed"]) == (1, 4.0)


def test_a_shift_cancelled_by_a_bulk_update_changes_coverage_in_the_next_answer(app, test_config, published):
    assert _row(_stored_answer(test_config), "alpha")["shifts_scheduled"] == 2
    with app.app_context():
        first = db.session.scalars(select(Shift.id).order_by(Shift.id)).first()
        db.session.execute(update(Shift).where(Shift.id == first).values(status="cancelled"))  # Core, not the ORM
        db.session.commit()
    assert _row(_answer_after_change(test_config), "alpha")["shifts_scheduled"] == 1


def test_a_renamed_courthouse_shows_in_the_next_answer(app, test_config, published):
    assert _row(_stored_answer(test_config), "beta")["label"] == "Beta Courthouse"
    with app.app_context():
        db.session.merge(published["beta"]).name = "Beta Justice Center"
        db.session.commit()
    assert _row(_answer_after_change(test_config), "beta")["label"] == "Beta Justice Center"


@pytest.mark.parametrize("by", ["county", "month"])
def test_every_table_of_a_stored_answer_matches_a_counted_one(app, test_config, published, by):
    counted = _fresh_answer(test_config, by)[0]
    served, statements = _fresh_answer(test_config, by)
    assert not _counted(statements)
    assert json.dumps(served, sort_keys=True) == json.dumps(counted, sort_keys=True)
