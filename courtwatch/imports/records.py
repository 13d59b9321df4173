"""The one shape every reader (ICS, CSV, XLSX) produces, so planning and writing never care where
a hearing came from.

Readers yield ``HearingRecord`` for a usable row and ``RowProblem`` for a row they refuse; the
line number travels with both so the preview can say exactly which row of the file is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# Field lengths follow the Hearing columns: imported text is cut, never allowed to fail the insert.
TEXT_LIMITS = {
    "title": 300,
    "courtroom": 100,
    "case_number": 100,
    "court_type": 40,
    "case_type": 100,
    "judge": 120,
    "hearing_type": 120,
    "language": 60,
    "notes": 4000,
}


@dataclass(slots=True)
class HearingRecord:
    line: int
    key: str
    starts_at: datetime  # aware, UTC
    ends_at: datetime | None = None
    all_day: bool = False
    cancelled: bool = False
    courthouse_id: int | None = None
    title: str = ""
    courtroom: str = ""
    case_number: str = ""
    court_type: str = ""
    case_type: str = ""
    judge: str = ""
    hearing_type: str = ""
    language: str = ""
    notes: str = ""

    @property
    def private_digest(self) -> str:
        """Compared with the stored hearing's digest: caption, case number and notes are sealed.

        Imported here, not at the top: the parsing process (imports.parse_child) reads records
        without the database layer that privacy.keys brings in.
        """
        from courtwatch.privacy.keys import private_digest

        return private_digest(self.title, self.case_number, self.notes)

    def clip(self) -> HearingRecord:
        for name, limit in TEXT_LIMITS.items():
            value = getattr(self, name)
            if value and len(value) > limit:
                setattr(self, name, value[:limit])
        return self


@dataclass(slots=True)
class RowProblem:
    line: int
    reason: str


@dataclass
class ReadResult:
    """What a reader found besides the rows: facts the preview shows (encoding, delimiter, capped).

    ``partial`` says the reader left something out (a capped series, a part it could not read, a
    truncated download). A partial read adds and changes what it did read, but cancels nothing:
    a hearing missing from it may only be missing from what was read.
    """

    notes: list[str] = field(default_factory=list)
    partial: bool = False
    read: int = 0
    events: int = 0  # events in the file (ICS)
    past: int = 0  # of those, one-off events already over when the window starts
    reader_peak_mb: float = 0.0  # the parsing process's peak resident memory (benchmarks)

    def mark_partial(self, reason: str) -> None:
        self.partial = True
        if reason and reason not in self.notes and len(self.notes) < 50:
            self.notes.append(reason)
