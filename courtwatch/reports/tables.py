"""One shape for every summary table, so the page, the printable report, CSV and XLSX agree.

A table knows which of its columns count incidents: those are the cells that small-count
suppression hides for public sharing (a "1" next to a small courthouse and a month can point at
one family). Coverage figures (shifts, hours, reports filed) describe volunteers' work, not
people targeted, and stay exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SMALL_COUNT = 3  # counts 1 and 2 are shown as "<3" when suppression is on
TEXT, INCIDENTS, NUMBER, HOURS = "text", "incidents", "number", "hours"


@dataclass
class Column:
    label: str
    kind: str = NUMBER


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    note: str = ""
    incident_rows: int = 0  # the first N rows count incidents in every numeric column (overview)

    def suppressed(self) -> Table:
        """A copy with incident counts of 1 or 2 replaced by "<3" (zeros stay: a zero is news)."""
        kinds = [c.kind for c in self.columns]

        def hide(index, kind, value):
            counts_incidents = kind == INCIDENTS or (index < self.incident_rows and kind != TEXT)
            return counts_incidents and isinstance(value, int) and 0 < value < SMALL_COUNT

        rows = [
            [f"<{SMALL_COUNT}" if hide(index, kind, value) else value for kind, value in zip(kinds, row, strict=True)]
            for index, row in enumerate(self.rows)
        ]
        return Table(self.key, self.title, self.columns, rows, self.note, self.incident_rows)

    def header(self) -> list[str]:
        return [c.label for c in self.columns]

    def column(self, index: int) -> list:
        return [row[index] for row in self.rows]


def apply_suppression(tables: list[Table], suppress: bool) -> list[Table]:
    return [t.suppressed() for t in tables] if suppress else tables
