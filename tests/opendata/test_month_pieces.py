"""After a change in one month, the next answer recounts that month's coverage only, and equals a recount.

Each month's shift coverage is stored under that month's own validator (opendata/stored.py,
``reports.queries.coverage_fingerprints``), so the first answer after a verified report or a
staffed shift reads the untouched months back. These tests prove the two halves through the API:
the answer after a change is exactly the answer counted from nothing (every stored answer, month
and remembered suppression deleted), complementary suppression included; and what was counted
again is the changed month alone (read from the SQL: only counting coverage asks for check-out
times, and its window is in the statement's parameters).
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, event, select

from courtwatch import create_app
from courtwatch.db import db
from courtwatch.observations.verification import verify_observation
from courtwatch.opendata.memory import RememberedSuppression
from courtwatch.opendata.publication import Period, read_inputs
from courtwatch.opendata.stored import StoredPublication
from courtwatch.shifts.models import Shift
from tests.opendata.conftest import add_watched_shift, at, report

SUMMARY = "/api/v1/incidents/summary"
QUARTER = {"from": "2025-01", "to": "2025-03"}
TABLES = ("courthouse", "month", "county", "action", "agency")


def _answers(test_config) -> tuple[dict, list]:
    """Every table's answer from new apps (the first one counts), and the first answer's (SQL, parameters)."""
    statements, answers = [], {}
    for by in TABLES:
        app = create_app({**test_config, "OPENDATA_CACHE_SECONDS": 300})
        client = app.test_client()
        client.get("/api/v1/dictionary.json")
        with app.app_context():
            engine = db.engine

        def record(_conn, _cursor, statement, parameters, *_args):
            statements.append((statement, parameters))

        if not answers:
            event.listen(engine, "before_cursor_execute", record)
        try:
            answer = client.get(SUMMARY, query_string={**QUARTER, "by": by})
        finally:
            if not answers:
                event.remove(engine, "before_cursor_execute", record)
        assert answer.status_code == 200, answer.data
        answers[by] = answer.get_json()
    return answers, statements


def _from_scratch(app, test_config) -> dict:
    with app.app_context():
        db.session.execute(delete(StoredPublication))
        db.session.execute(delete(RememberedSuppression))
        db.session.commit()
    return _answers(test_config)[0]


def _coverage_windows(statements) -> list[tuple[str, str]]:
    """The first and last UTC day among each coverage count's moments (one count of the hours each)."""
    windows = []
    for statement, parameters in statements:
        if "checked_out_at" in statement:
            values = [str(v) for v in (parameters.values() if isinstance(parameters, dict) else parameters)]
            days = [v[:10] for v in values if len(v) >= 16 and v[4] == "-" and v[7] == "-"]
            windows.append((min(days), max(days)))
    return windows


def _row(answer, key):
    return next(row for row in answer["rows"] if row["key"] == key)


@pytest.fixture
def counted(app, test_config, published):
    """The quarter counted and stored once: the state before each change."""
    first, statements = _answers(test_config)
    assert _coverage_windows(statements) == [("2025-01-01", "2025-04-01")]  # nothing stored: the quarter
    assert _row(first["courthouse"], "alpha")["arrest"] is None  # the small count and its complement
    return first


def test_a_shift_staffed_in_one_month_recounts_that_month_and_equals_a_recount(
    app, test_config, published, counted, make_user
):
    with app.app_context():
        add_watched_shift(db.session.merge(published["beta"]), at("2025-02-12 08:30"), 5, make_user())
        db.session.commit()
    after, statements = _answers(test_config)
    assert _coverage_windows(statements) == [("2025-02-01", "2025-03-01")]  # February alone
    assert _row(after["courthouse"], "beta")["shifts_staffed"] == 1
    assert _row(after["month"], "2025-02")["hours_observed"] == 5.0
    assert after == _from_scratch(app, test_config)


def test_a_verified_report_recounts_no_coverage_and_equals_a_recount(app, test_config, published, counted, make_user):
    with app.app_context():
        beta = db.session.merge(published["beta"])
        pending = report(beta, at("2025-02-25 11:00"), "attempted_arrest", status="unverified")
        db.session.commit()
        verify_observation(make_user(role="coordinator"), pending, "confirmed", "Seen by two watchers")
        db.session.commit()
    after, statements = _answers(test_config)
    assert _coverage_windows(statements) == []  # no shift changed: every month's coverage read back
    assert after["courthouse"]["totals"]["incidents"] == counted["courthouse"]["totals"]["incidents"] + 1
    assert _row(after["courthouse"], "alpha")["arrest"] is None  # still hidden, still with its complement
    assert after == _from_scratch(app, test_config)


def test_a_shift_at_a_month_boundary_recounts_both_months_and_equals_a_recount(
    app, test_config, published, counted, make_user
):
    # 23:30 on 31 January in Boston is 1 February in UTC: a January shift near the UTC edge.
    with app.app_context():
        add_watched_shift(db.session.merge(published["alpha"]), at("2025-01-31 23:30"), 2, make_user())
        db.session.commit()
    after, statements = _answers(test_config)
    assert _coverage_windows(statements) == [("2025-01-01", "2025-03-01")]  # the edge: both months
    assert _row(after["month"], "2025-01")["shifts_scheduled"] == 3
    assert after == _from_scratch(app, test_config)


def test_an_unchanged_month_is_read_back_from_its_stored_coverage(app, test_config, published, counted, make_user):
    # Plant a figure in January's stored coverage: after a change in February, January shows it.
    with app.app_context():
        rows = db.session.scalars(select(StoredPublication).where(StoredPublication.body.not_like('{"period%'))).all()
        january = [row for row in rows if json.loads(row.body).get(str(published["alpha"].id), [0])[0] == 2]
        assert len(january) == 1
        january[0].body = json.dumps({str(published["alpha"].id): [2, 2, 99.0]})
        add_watched_shift(db.session.merge(published["beta"]), at("2025-02-12 08:30"), 5, make_user())
        db.session.commit()
    after, _statements = _answers(test_config)
    assert _row(after["month"], "2025-01")["hours_observed"] == 99.0


def test_a_change_moves_only_its_own_months_validator(app, published):
    from courtwatch.reports.queries import coverage_fingerprints  # here: main's code has none (the test must fail)

    with app.app_context():
        report_filter = read_inputs(Period("2025-01", "2025-03")).report_filter
        before = coverage_fingerprints(report_filter)
        shift = db.session.scalars(select(Shift).order_by(Shift.id)).first()  # 10 January
        shift.capacity = 3
        db.session.commit()
        after = coverage_fingerprints(report_filter)
    assert after["2025-01"] != before["2025-01"]
    assert (after["2025-02"], after["2025-03"]) == (before["2025-02"], before["2025-03"])
