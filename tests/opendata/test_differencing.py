"""Differencing: the answers for overlapping periods, put side by side, must not give a month's small count away.

Alpha has 5, 4, 1 and 3 sightings in January to April 2025; Beta 4, 3, 0 and 4 arrests. Each
answer on its own hides nothing (every period total is 3 or more), but January-March minus
January-February is Alpha's March: 1 sighting. The audit takes every answer the public API gives
for every from/to pair of the four months, writes each shown figure as a sum of the unknown
month-grain counts, and asks linear algebra whether any month-grain count that its own one-month
answer hides is fixed by them all. It reads only the HTTP answers, not the code under test.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from courtwatch.db import db
from courtwatch.opendata.settings import update_settings
from tests.opendata.conftest import at, report

SUMMARY = "/api/v1/incidents/summary"
MONTHS = ("2025-01", "2025-02", "2025-03", "2025-04")
ACTIONS = ("sighting", "attempted_arrest", "arrest")
COLUMNS = (*ACTIONS, "incidents")
EXACT_VALUE_TABLES = ("court_type", "target_role", "warrant")  # one value per report here: they add up exactly
ALPHA = (5, 4, 1, 3)  # sightings per month
BETA = (4, 3, 0, 4)  # arrests per month


@pytest.fixture
def history(app, make_courthouse):
    alpha = make_courthouse(name="Alpha Courthouse", slug="alpha", county="Suffolk County")
    beta = make_courthouse(name="Beta Courthouse", slug="beta", county="Worcester County")
    for month, sightings, arrests in zip(MONTHS, ALPHA, BETA, strict=True):
        for day in range(sightings):
            report(alpha, at(f"{month}-{10 + day} 09:15"), "sighting")
        for day in range(arrests):
            report(beta, at(f"{month}-{10 + day} 11:00"), "arrest", court_type="family")
    db.session.commit()
    update_settings(None, enabled=True)
    db.session.commit()
    return {"alpha": alpha, "beta": beta}


def _answer(client, first, last, by):
    response = client.get(SUMMARY, query_string={"from": first, "to": last, "by": by})
    assert response.status_code == 200, response.data
    return response.get_json()


def test_two_overlapping_periods_do_not_give_away_a_month(client, history):
    three = _answer(client, "2025-01", "2025-03", "courthouse")
    two = _answer(client, "2025-01", "2025-02", "courthouse")
    alpha_three = next(row for row in three["rows"] if row["key"] == "alpha")["sighting"]
    alpha_two = next(row for row in two["rows"] if row["key"] == "alpha")["sighting"]
    # Before the fix both were shown (10 and 9), and 10 - 9 is Alpha's single March sighting.
    assert alpha_three is None or alpha_two is None
    march = _answer(client, "2025-03", "2025-03", "courthouse")
    assert next(row for row in march["rows"] if row["key"] == "alpha")["sighting"] is None
    # Periods whose months are all shown still are, and add up: January-February is 5 + 4.
    assert alpha_two == 9


# ---------------------------------------------------------------------------- the audit over every period
class Unknowns:
    """The month-grain counts a reader does not know: courthouse x action x month, and value x month."""

    def __init__(self, county_of: dict, value_keys: dict):
        self.county_of = county_of
        names = [("courthouse", slug, action, month) for slug in county_of for action in ACTIONS for month in MONTHS]
        names += [(by, key, month) for by, keys in value_keys.items() for key in keys for month in MONTHS]
        self.index = {name: n for n, name in enumerate(names)}

    def vector(self, kind: str, key: str, column: str, months) -> np.ndarray:
        """A shown figure as a sum of unknowns."""
        vector = np.zeros(len(self.index))
        if kind in EXACT_VALUE_TABLES or kind == "agency":
            for month in months:
                vector[self.index[kind, key, month]] += 1
            return vector
        slugs = {"courthouse": [key], "county": [s for s, c in self.county_of.items() if c == key]}.get(
            kind, list(self.county_of)
        )
        for slug, month in itertools.product(slugs, months):
            for action in ACTIONS if column == "incidents" else (column,):
                vector[self.index["courthouse", slug, action, month]] += 1
        return vector


def _note_row(shown: dict, by: str, row: dict, months: tuple) -> None:
    if by in (*EXACT_VALUE_TABLES, "agency"):
        shown[by, row["key"], "incidents", months] = row["incidents"]
    elif by == "action":
        shown["all", "", row["key"], months] = row["incidents"]
    elif by == "month":
        for column in COLUMNS:
            shown["all", "", column, (row["key"],)] = row[column]
    else:
        for column in COLUMNS:
            shown[by, row["key"], column, months] = row[column]


def _all_answers(client):
    """(kind, key, column, months) -> shown value or None, for every from/to pair and every table."""
    shown = {}
    county_of, value_keys = {}, {}
    for first, last in itertools.combinations_with_replacement(MONTHS, 2):
        months = tuple(m for m in MONTHS if first <= m <= last)
        for by in ("courthouse", "county", "month", "action", *EXACT_VALUE_TABLES, "agency"):
            answer = _answer(client, first, last, by)
            for column in COLUMNS:
                shown["all", "", column, months] = answer["totals"][column]
            for row in answer["rows"]:
                if by == "courthouse":
                    county_of[row["key"]] = row["county"]
                if by in (*EXACT_VALUE_TABLES, "agency"):
                    value_keys.setdefault(by, set()).add(row["key"])
                _note_row(shown, by, row, months)
    return shown, county_of, value_keys


def test_no_hidden_month_can_be_worked_out_from_every_period_together(client, history):
    shown, county_of, value_keys = _all_answers(client)
    unknowns = Unknowns(county_of, value_keys)
    # What a reader knows: every shown figure, and that the exact value tables add up to each month's incidents.
    rows = [
        unknowns.vector(kind, key, column, months)
        for (kind, key, column, months), value in shown.items()
        if value is not None
    ]
    for by, month in itertools.product(EXACT_VALUE_TABLES, MONTHS):
        rows.append(
            sum(unknowns.vector(by, key, "incidents", [month]) for key in value_keys[by])
            - unknowns.vector("all", "", "incidents", [month])
        )
    known = np.array(rows)
    rank = np.linalg.matrix_rank(known)
    hidden_months = [cell for cell, value in shown.items() if value is None and len(cell[3]) == 1]
    assert ("courthouse", "alpha", "sighting", ("2025-03",)) in hidden_months
    given_away = [
        cell for cell in hidden_months if np.linalg.matrix_rank(np.vstack([known, unknowns.vector(*cell)])) == rank
    ]
    assert given_away == []
    # Every one-month figure that is shown is 0 or at least the threshold, and every shown period figure is true.
    assert all(value == 0 or value >= 3 for cell, value in shown.items() if value is not None and len(cell[3]) == 1)
    truth = {"alpha": ALPHA, "beta": BETA}
    for (kind, key, column, months), value in shown.items():
        if kind == "courthouse" and value is not None:
            action = "sighting" if key == "alpha" else "arrest"
            expected = sum(truth[key][MONTHS.index(m)] for m in months) if column in (action, "incidents") else 0
            assert value == expected, (kind, key, column, months)
