"""Small-count suppression with complementary suppression, over every table of one publication.

Hiding a "1" is not enough when the row total, the column total or another table still lets a
reader subtract it back: 7 incidents at a courthouse, 6 of them sightings and 0 attempted
arrests says the hidden arrest count is 1. So the published figures are described as cells (a
key and a count) tied together by additive relations (a total and the parts it is the sum of),
across all tables at once: a courthouse's row, each action's column, the counties made of
courthouses, the months, the overview.

The rule, applied until nothing changes:

1. primary: every cell with 0 < count < threshold is hidden (zeros are shown: a zero is news);
2. a relation whose unknown cells come down to exactly one hidden cell would give that cell away,
   so one more of its visible cells is hidden: the smallest positive one (then the smallest
   zero), so that as little as possible is lost and the hidden cells cannot be pinned down by
   their being at least 1.

Cells the campaign chose not to publish are unknowns too, but a reader can still work them out
from a relation whose other cells are all known; such derivable cells count as known.
Hidden cells are never published, not even as "<3": every public page and API answer shows them
as suppressed, with no value.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field


@dataclass
class Relation:
    total: Hashable
    parts: list[Hashable]

    @property
    def cells(self) -> list[Hashable]:
        return [self.total, *self.parts]


@dataclass
class SuppressionResult:
    primary: set = field(default_factory=set)
    complementary: set = field(default_factory=set)

    @property
    def hidden(self) -> set:
        return self.primary | self.complementary


def _known_cells(values: dict, published: set, hidden: set, relations: list[Relation]) -> set:
    """Published cells that are shown, plus unpublished ones a reader can derive from them."""
    known = published - hidden
    unpublished = set(values) - published
    changed = True
    while changed:
        changed = False
        for relation in relations:
            unknown = [cell for cell in relation.cells if cell not in known]
            if len(unknown) == 1 and unknown[0] in unpublished:
                known.add(unknown[0])
                changed = True
    return known


def _complement(relation: Relation, values: dict, published: set, known: set, exposed) -> Hashable | None:
    candidates = [cell for cell in relation.cells if cell != exposed and cell in known and cell in published]
    if not candidates:
        return None
    return min(candidates, key=lambda cell: (values[cell] == 0, values[cell], repr(cell)))


def suppress(
    values: dict, relations: Iterable[Relation], threshold: int, published: set | None = None
) -> SuppressionResult:
    """Which cells to hide. ``values`` holds every cell (published or not) the relations mention."""
    relations = list(relations)
    published = set(values) if published is None else set(published)
    result = SuppressionResult(primary={cell for cell in published if 0 < values[cell] < threshold})
    for _round in range(len(values) + 1):  # each round hides one more cell, so this always ends
        hidden = result.hidden
        known = _known_cells(values, published, hidden, relations)
        exposed = None
        for relation in relations:
            unknown = [cell for cell in relation.cells if cell not in known]
            if len(unknown) == 1 and unknown[0] in hidden:
                exposed = (relation, unknown[0])
                break
        if exposed is None:
            return result
        relation, cell = exposed
        complement = _complement(relation, values, published, known, cell)
        if complement is None:
            # Only derived cells are left around it: hide every visible published cell they touch.
            touching = {other for r in relations if cell in r.cells for other in r.cells}
            extra = {c for c in touching if c in published and c not in hidden}
            if not extra:
                return result
            result.complementary |= extra
        else:
            result.complementary.add(complement)
    return result
