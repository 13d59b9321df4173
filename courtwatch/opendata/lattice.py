"""Suppression decided once per month, so no set of answers for different periods gives a cell away.

Suppressing each answer on its own is not enough: a reader may ask for January-March and for
January-February, and the difference of two shown totals is March's count, however small. So
suppression is decided on a fixed lattice, the month-grain cells of every published table (each
courthouse, county, value and the overall total, for one month, with the sums between them), and
any period's figure is the sum of its month cells, shown only if none of those month cells is
hidden. A shown figure is then a sum of shown month cells: every answer, and any set of answers,
tells a reader nothing that the shown month cells (each of them published as a one-month answer)
do not already tell, and those are protected by complementary suppression (suppression.py).

No relation in the lattice crosses months (a period's figure is never a suppression cell itself,
only a sum of them), so the lattice splits into one independent problem per month: a month's
hidden cells depend on that month's counts and the campaign's settings only, never on which
period was asked for. That is what makes the answers for overlapping periods agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from courtwatch.opendata.suppression import Relation, suppress

ACTIONS = ("sighting", "attempted_arrest", "arrest")
COUNT_COLUMNS = (*ACTIONS, "incidents")


@dataclass
class MonthCells:
    """One month's cells: (kind, key, column) -> count, the relations between them, those published."""

    values: dict
    relations: list[Relation]
    published: set


def month_cells(rows: dict, county_of: dict, value_counts: dict, value_options: dict, sections: set) -> MonthCells:
    """The lattice of one month: ``rows`` holds kind ("all", "courthouse", "county") -> key -> counts."""
    values = {
        (kind, key, column): count
        for kind, keyed in rows.items()
        for key, counts in keyed.items()
        for column, count in counts.items()
    }
    for dimension, options in value_options.items():
        for option in options:
            values[dimension, option, "incidents"] = value_counts.get(dimension, {}).get(option, 0)
    relations = []
    for kind, keyed in rows.items():
        for key in keyed:
            relations.append(Relation((kind, key, "incidents"), [(kind, key, a) for a in ACTIONS]))
    for column in COUNT_COLUMNS:
        for kind in ("courthouse", "county"):
            relations.append(Relation(("all", "", column), [(kind, key, column) for key in rows[kind]]))
        for county in rows["county"]:
            parts = [("courthouse", slug, column) for slug, c in county_of.items() if c == county]
            relations.append(Relation(("county", county, column), parts))
    for dimension, options in value_options.items():
        # Values of one incident may be several (agencies), so these are sums only roughly; treating them as
        # exact sums errs on the side of hiding more.
        relations.append(Relation(("all", "", "incidents"), [(dimension, o, "incidents") for o in options]))
    # The overall row is the by-month table's row and the period's totals: always shown.
    published = {cell for cell in values if cell[0] == "all" or f"by_{cell[0]}" in sections}
    return MonthCells(values, relations, published)


def hidden_in_month(cells: MonthCells, threshold: int) -> frozenset:
    """The month's cells that are never shown, alone or inside any period's sum."""
    return frozenset(suppress(cells.values, cells.relations, threshold, cells.published).hidden)


def period_cell(months: list[str], cell: tuple, values: dict, hidden: dict) -> int | None:
    """A period's figure: the sum of its month cells, or None when any of them is hidden."""
    if any(cell in hidden[month] for month in months):
        return None
    return sum(values[month].get(cell, 0) for month in months)
