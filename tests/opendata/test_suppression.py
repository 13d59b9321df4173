"""Small-count suppression: primary cells hidden, and complements so no total gives one back.

The audit below is independent of the code under test: it takes only what a reader sees (the
numbers in the API answers) and the sums any reader knows hold (a row's incidents are its actions
added up; a column's total is its rows added up; a county is its courthouses), and asks linear
algebra whether a hidden cell is fixed by them.
"""

from __future__ import annotations

import numpy as np

from courtwatch.opendata.suppression import Relation, suppress
from tests.opendata.conftest import PERIOD

ACTIONS = ("sighting", "attempted_arrest", "arrest")
COLUMNS = (*ACTIONS, "incidents")


def determined_cells(values: dict, relations: list[Relation]) -> set:
    """Hidden cells (value None) whose value follows from the visible ones through the relations."""
    hidden = sorted((cell for cell, value in values.items() if value is None), key=repr)
    if not hidden:
        return set()
    index = {cell: n for n, cell in enumerate(hidden)}
    matrix = []
    for relation in relations:
        row = np.zeros(len(hidden))
        for cell, sign in [(relation.total, -1), *((part, 1) for part in relation.parts)]:
            if cell in index:
                row[index[cell]] += sign
        if row.any():
            matrix.append(row)
    if not matrix:
        return set()
    system = np.array(matrix)
    rank = np.linalg.matrix_rank(system)
    return {
        cell for cell in hidden if np.linalg.matrix_rank(np.vstack([system, np.eye(len(hidden))[index[cell]]])) == rank
    }


# ---------------------------------------------------------------------------- the rule itself
def _row_table(values):
    relations = [Relation(("row", "incidents"), [("row", a) for a in ACTIONS])]
    return values, relations


def test_a_lone_hidden_cell_in_a_row_gets_a_complement():
    values, relations = _row_table(
        {("row", "sighting"): 6, ("row", "attempted_arrest"): 0, ("row", "arrest"): 1, ("row", "incidents"): 7}
    )
    result = suppress(values, relations, threshold=3)
    assert result.primary == {("row", "arrest")}
    # Hiding only the 1 would leave 7 - 6 - 0 = 1: the smallest positive other cell goes too.
    assert result.complementary == {("row", "sighting")}
    shown = {cell: None if cell in result.hidden else value for cell, value in values.items()}
    assert determined_cells(shown, relations) == set()


def test_zeros_stay_and_nothing_is_hidden_without_small_counts():
    values, relations = _row_table(
        {("row", "sighting"): 6, ("row", "attempted_arrest"): 0, ("row", "arrest"): 3, ("row", "incidents"): 9}
    )
    assert suppress(values, relations, threshold=3).hidden == set()


def test_a_derivable_unpublished_cell_does_not_protect_a_hidden_one():
    # A county made of two courthouses; the county table is not published but a reader can add up the
    # courthouses, so the courthouse relation must still be protected on its own.
    values = {("a", "arrest"): 1, ("b", "arrest"): 5, ("county", "arrest"): 6, ("all", "arrest"): 6}
    relations = [
        Relation(("county", "arrest"), [("a", "arrest"), ("b", "arrest")]),
        Relation(("all", "arrest"), [("county", "arrest")]),
    ]
    result = suppress(values, relations, threshold=3, published={("a", "arrest"), ("b", "arrest"), ("all", "arrest")})
    assert ("a", "arrest") in result.primary
    assert result.complementary & {("b", "arrest"), ("all", "arrest")}


# ---------------------------------------------------------------------------- through the API, every table together
def _table_relations(values: dict, answers: dict, county_of: dict) -> list[Relation]:
    """Rows add up to their incidents; columns to the totals; counties are their courthouses."""
    relations = []
    for kind in ("all", "courthouse", "county", "month"):
        for key in {k for (k_kind, k, _c) in values if k_kind == kind}:
            relations.append(Relation((kind, key, "incidents"), [(kind, key, a) for a in ACTIONS]))
    for column in COLUMNS:
        for by in ("courthouse", "county", "month"):
            relations.append(Relation(("all", "", column), [(by, row["key"], column) for row in answers[by]["rows"]]))
        for county in set(county_of.values()):
            parts = [("courthouse", slug, column) for slug, c in county_of.items() if c == county]
            relations.append(Relation(("county", county, column), parts))
    return relations


def _published_cells(client) -> tuple[dict, list[Relation]]:
    """Every count the public API shows for the period, and the sums a reader knows hold between them."""
    values, county_of = {}, {}
    answers = {
        by: client.get("/api/v1/incidents/summary", query_string={**PERIOD, "by": by}).get_json()
        for by in ("courthouse", "county", "month", "action", "court_type", "target_role", "warrant", "agency")
    }
    totals = answers["month"]["totals"]
    for column in COLUMNS:
        values["all", "", column] = totals[column]
    for by in ("courthouse", "county", "month"):
        for row in answers[by]["rows"]:
            for column in COLUMNS:
                values[by, row["key"], column] = row[column]
            if by == "courthouse":
                county_of[row["key"]] = row["county"]
    for row in answers["action"]["rows"]:
        assert row["incidents"] == totals[row["key"]]  # the action table is the totals row
    relations = _table_relations(values, answers, county_of)
    for by in ("court_type", "target_role", "warrant"):  # one value an unlinked report: these add up exactly here
        for row in answers[by]["rows"]:
            values[by, row["key"], "incidents"] = row["incidents"]
        relations.append(
            Relation(("all", "", "incidents"), [(by, row["key"], "incidents") for row in answers[by]["rows"]])
        )
    return values, relations


def test_no_hidden_cell_can_be_worked_out_from_what_the_api_publishes(client, published):
    values, relations = _published_cells(client)
    # Alpha's single January arrest: hidden, and it is the case that needs complements (row 7 = 6 + 0 + 1,
    # and the arrest column 5 = 1 + 4).
    assert values["courthouse", "alpha", "arrest"] is None
    assert values["courthouse", "beta", "arrest"] == 4 or values["all", "", "arrest"] is None
    assert determined_cells(values, relations) == set()
    shown = [value for value in values.values() if value is not None]
    assert all(value == 0 or value >= 3 for value in shown), shown


TRUE_FIGURES = {  # (sighting, attempted_arrest, arrest, incidents), from the campaign fixture's docstring
    ("all", ""): (14, 1, 5, 20),
    ("courthouse", "alpha"): (6, 1, 1, 8),
    ("courthouse", "beta"): (5, 0, 4, 9),
    ("courthouse", "gamma"): (3, 0, 0, 3),
    ("county", "Suffolk County"): (9, 1, 1, 11),
    ("county", "Worcester County"): (5, 0, 4, 9),
    ("month", "2025-01"): (9, 0, 1, 10),
    ("month", "2025-02"): (5, 1, 4, 10),
}


def test_primary_suppression_alone_would_give_cells_away(client, published):
    values, relations = _published_cells(client)
    truth = {
        (kind, key, column): figures[n]
        for (kind, key), figures in TRUE_FIGURES.items()
        for n, column in enumerate(COLUMNS)
    }
    for cell in values:
        if cell[0] in ("court_type", "target_role", "warrant"):
            truth[cell] = {
                "criminal": 19,
                "family": 1,
                "defendant": 19,
                "victim_survivor": 1,
                "administrative": 19,
                "none_shown": 1,
            }.get(cell[1], 0)
    assert set(truth) == set(values)
    # The published figures are the true ones wherever they are shown.
    assert all(values[cell] in (None, truth[cell]) for cell in values)
    naive = {cell: None if 0 < value < 3 else value for cell, value in truth.items()}
    given_away = determined_cells(naive, relations)
    assert ("courthouse", "alpha", "arrest") in given_away
    assert ("court_type", "family", "incidents") in given_away  # 20 - 19


def test_a_higher_threshold_hides_more(client, published, app):
    from courtwatch.db import db
    from courtwatch.opendata.settings import update_settings

    update_settings(None, threshold=6)
    db.session.commit()
    values, relations = _published_cells(client)
    assert values["courthouse", "beta", "sighting"] is None  # 5 < 6
    assert determined_cells(values, relations) == set()
    assert all(value == 0 or value >= 6 for value in values.values() if value is not None)
