"""Each month's suppression is remembered in the database, and only ever under its own inputs.

A fresh worker (the in-process memory off) must not count and suppress every past month again,
so the decision is stored under a hash of what it depends on. These tests prove both halves from
the answers: a remembered decision is what the answer uses (a planted row changes what is hidden),
and a changed count is never answered from a stale row.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, func, select

from courtwatch import create_app
from courtwatch.db import db
from courtwatch.opendata.memory import RememberedSuppression
from courtwatch.opendata.settings import update_settings
from courtwatch.opendata.stored import StoredPublication
from tests.opendata.conftest import at, report

SUMMARY = "/api/v1/incidents/summary"


@pytest.fixture
def campaign(app, make_courthouse):
    alpha = make_courthouse(name="Alpha Courthouse", slug="alpha", county="Suffolk County")
    beta = make_courthouse(name="Beta Courthouse", slug="beta", county="Worcester County")
    for day in range(5):
        report(alpha, at(f"2025-01-{10 + day} 09:15"), "sighting")
        report(beta, at(f"2025-02-{10 + day} 10:00"), "arrest")
    db.session.commit()
    update_settings(None, enabled=True)
    db.session.commit()
    return alpha


def _fresh_client(test_config):
    return create_app({**test_config, "OPENDATA_CACHE_SECONDS": 0}).test_client()


def _alpha(client, month):
    answer = client.get(SUMMARY, query_string={"from": month, "to": month, "by": "courthouse"})
    assert answer.status_code == 200, answer.data
    return next(row for row in answer.get_json()["rows"] if row["key"] == "alpha")


def test_a_month_is_suppressed_once_and_then_read_back(app, test_config, campaign):
    client = _fresh_client(test_config)
    assert _alpha(client, "2025-01")["sighting"] == 5
    with app.app_context():
        rows = db.session.execute(select(RememberedSuppression)).scalars().all()
        assert len(rows) == 1  # January's decision
        # Plant a different decision under January's key: a fresh answer must use it, not recount.
        rows[0].hidden = json.dumps([["courthouse", "alpha", "sighting"]])
        db.session.execute(delete(StoredPublication))  # the finished answer is stored too (test_stored.py)
        db.session.commit()
    assert _alpha(_fresh_client(test_config), "2025-01")["sighting"] is None


def test_a_changed_count_is_never_answered_from_a_stale_decision(app, test_config, campaign):
    client = _fresh_client(test_config)
    assert _alpha(client, "2025-01")["sighting"] == 5
    with app.app_context():
        report(db.session.merge(campaign), at("2025-01-20 09:15"), "arrest")  # one arrest: a small count
        db.session.commit()
    january = _alpha(_fresh_client(test_config), "2025-01")
    assert january["arrest"] is None  # suppressed (1 < 3), decided anew for the new counts
    assert january["sighting"] is None  # and its complement, or 6 = 7 - 1 would give the arrest away
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RememberedSuppression)) == 2


def test_a_year_answered_by_a_fresh_worker_decides_no_month_twice(app, test_config, campaign):
    _fresh_client(test_config).get(SUMMARY, query_string={"from": "2025-01", "to": "2025-12", "by": "month"})
    with app.app_context():
        first = db.session.scalar(select(func.count()).select_from(RememberedSuppression))
    _fresh_client(test_config).get(SUMMARY, query_string={"from": "2025-01", "to": "2025-06", "by": "county"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(RememberedSuppression)) == first
