"""Compare what a file says with what a source imported before, and (on commit) write the difference.

One function does both the preview and the commit, so what the coordinator saw is what happens.
It streams in chunks so memory does not grow with the file: for each chunk of incoming rows the
source's existing hearings with those keys are fetched in one IN query, compared, new hearings are
inserted with one executemany and changes written; hearings missing from a full import are found
by streaming the source's scheduled hearings. Only the keys seen, the counts and a bounded sample
of each kind of outcome live for the whole file. Changes and cancellations go through the ORM one
by one (they are few) because each records a HearingChange and tells the hooks.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from courtwatch.courts.case_services import case_ids_for, case_key_for, find_next_hearings
from courtwatch.courts.hearing_models import Hearing, HearingStatus
from courtwatch.db import db
from courtwatch.errors import DomainError
from courtwatch.imports.plan_changes import (
    COMPARED,
    Existing,
    apply_changes,
    apply_missing,
    differences,
    flush_adds,
    insert_row,
)
from courtwatch.imports.records import HearingRecord, ReadResult, RowProblem
from courtwatch.privacy.keys import match_key

CHUNK = 2000
SAMPLE_LIMIT = 200
REJECT_LIMIT = 500


@dataclass
class Sample:
    """One line of the preview: a hearing added, changed or cancelled (never a person's details)."""

    kind: str  # added | moved | room_changed | details | cancelled | reinstated
    courthouse_id: int
    title: str
    case_number: str
    starts_at: datetime
    old_starts_at: datetime | None = None
    courtroom: str = ""
    old_courtroom: str = ""
    line: int | None = None


@dataclass
class ImportSummary:
    added: int = 0
    changed: int = 0
    cancelled: int = 0
    unchanged: int = 0
    rejected: int = 0
    duplicates: int = 0
    ignored_cancelled: int = 0
    samples: dict[str, list[Sample]] = field(default_factory=lambda: {"added": [], "changed": [], "cancelled": []})
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # The file was not read whole (a limit, a broken part, a truncated download): nothing cancelled.
    partial: bool = False
    # Scheduled hearings of the source from now on, before this import (for the mass-cancel check).
    future_before: int = 0
    # Rows already over: kept as history, never offered as shifts.
    past: int = 0
    # The plan cancels more than the hold settings allow: a coordinator must confirm it.
    review_needed: bool = False
    # A commit that was rolled back and kept for review instead of applied.
    held: bool = False

    @property
    def total_usable(self) -> int:
        return self.added + self.changed + self.cancelled + self.unchanged

    def keep(self, group: str, sample: Sample) -> None:
        if len(self.samples[group]) < SAMPLE_LIMIT:
            self.samples[group].append(sample)


def _load_existing(source_id: int | None, keys: list[str]) -> dict[str, Existing]:
    """The source's hearings with these keys: one IN query per chunk, on the (source, key) index."""
    if source_id is None or not keys:
        return {}
    columns = [getattr(Hearing, name) for name in COMPARED]
    # Core on the session's connection: same transaction, without the ORM's per-row result layer.
    rows = db.session.connection().execute(
        select(Hearing.id, Hearing.external_key, Hearing.status, *columns).where(
            Hearing.source_id == source_id, Hearing.external_key.in_(keys)
        )
    )
    existing = {}
    for row in rows:
        values = tuple(row[3:])
        existing[row.external_key] = Existing(
            row.id, values, row.status, row.starts_at, row.courthouse_id, row.courtroom
        )
    return existing


def run_import(
    records: Iterable[HearingRecord | RowProblem],
    *,
    source_id: int | None,
    apply: bool,
    full: bool,
    cancel_from: datetime,
    cancel_until: datetime | None = None,
    summary: ImportSummary | None = None,
    read_result: ReadResult | None = None,
) -> ImportSummary:
    """Plan (apply=False) or perform (apply=True) an import of ``records`` into a source.

    Rows are handled in chunks of CHUNK so memory does not grow with the file: across the whole
    file only the keys seen (to spot repeated rows and hearings missing from a full import), the
    counts and the bounded samples are kept.
    """
    summary = summary or ImportSummary()
    # Hearings missing from the file can only be ones the source held before it; a first import
    # skips the scan for them (it would only read back the rows just inserted).
    had_hearings = (
        source_id is not None
        and db.session.scalar(select(Hearing.id).where(Hearing.source_id == source_id).limit(1)) is not None
    )
    seen: set[str] = set()
    chunk: list[HearingRecord] = []
    for record in records:
        if isinstance(record, RowProblem):
            summary.rejected += 1
            if len(summary.problems) < REJECT_LIMIT:
                summary.problems.append(record)
            continue
        record.key = match_key(record.key)  # only a keyed hash of it (it may hold a case number) is stored
        if record.key in seen:
            summary.duplicates += 1
            continue
        seen.add(record.key)
        if record.starts_at < cancel_from:
            summary.past += 1
        chunk.append(record)
        if len(chunk) >= CHUNK:
            _plan_chunk(chunk, source_id, had_hearings, apply, summary)
            chunk = []
    if chunk:
        _plan_chunk(chunk, source_id, had_hearings, apply, summary)
    if not seen and read_result is not None and read_result.events and read_result.past == read_result.events:
        raise DomainError(
            ngettext(
                "The one event in this file is before today; there is nothing to import.",
                "All %(num)s events are before today; there is nothing to import.",
                read_result.events,
            ),
            field="file",
        )
    if not seen:
        first = "; ".join(_("line %(line)s: %(reason)s", line=p.line, reason=p.reason) for p in summary.problems[:3])
        message = _("No usable hearings in this file.")
        raise DomainError(f"{message} {first}".strip(), field="file")
    if summary.past:
        summary.notes.append(
            _("%(count)s hearings are before today: they are kept as history only, with no shifts.", count=summary.past)
        )
    if read_result is not None and read_result.partial:
        summary.partial = True
    if full:
        if summary.partial:
            summary.notes.append(
                _("This calendar was not read completely, so hearings missing from it were not cancelled.")
            )
        elif summary.rejected:
            summary.notes.append(
                _(
                    "Some rows were rejected, so hearings missing from this file were not "
                    "cancelled. Correct the file and import it again."
                )
            )
        elif had_hearings:
            missing = _plan_missing(source_id, seen, cancel_from, cancel_until, summary)
            if apply:
                apply_missing(missing)
    return summary


def _plan_chunk(
    chunk: list[HearingRecord], source_id: int | None, had_hearings: bool, apply: bool, summary: ImportSummary
) -> None:
    """Compare one chunk of distinct records with what the source holds; write it when applying.

    Writing per chunk (rather than collecting every change until the end of the file) is what keeps
    a re-import that changes most hearings as flat in memory as one that changes none.
    """
    existing = _load_existing(source_id, [record.key for record in chunk]) if had_hearings else {}
    adds: list[dict] = []
    changes: list[tuple[int, HearingRecord, list[tuple[str, str, str]]]] = []
    for record in chunk:
        old = existing.get(record.key)
        if old is None:
            if record.cancelled:
                summary.ignored_cancelled += 1
                continue
            summary.added += 1
            if len(summary.samples["added"]) < SAMPLE_LIMIT:
                summary.keep(
                    "added",
                    Sample(
                        "added",
                        record.courthouse_id,
                        record.title,
                        record.case_number,
                        record.starts_at,
                        courtroom=record.courtroom,
                        line=record.line,
                    ),
                )
            if apply:
                adds.append((record, insert_row(record, source_id)))
            continue
        kinds = differences(old, record)
        if not kinds:
            summary.unchanged += 1
            continue
        if kinds[0][0] == HearingStatus.CANCELLED:
            summary.cancelled += 1
            group = "cancelled"
        else:
            summary.changed += 1
            group = "changed"
        summary.keep(
            group,
            Sample(
                kinds[0][0],
                record.courthouse_id,
                record.title,
                record.case_number,
                record.starts_at,
                old_starts_at=old.starts_at,
                courtroom=record.courtroom,
                old_courtroom=old.courtroom,
                line=record.line,
            ),
        )
        if apply:
            changes.append((old.id, record, kinds))
    if adds:
        case_ids = _put_in_cases(adds)
        flush_adds([row for _record, row in adds])
        find_next_hearings(case_ids)
    if changes:
        apply_changes(changes)


def _plan_missing(
    source_id: int | None, seen: set[str], cancel_from: datetime, cancel_until: datetime | None, summary: ImportSummary
) -> array:
    """Count (and sample) the source's scheduled hearings in the window that the file left out.

    One streamed query (yield_per: a server-side cursor on PostgreSQL, stepped rows on SQLite) of
    ids and keys only, so the source's hearings are never all in memory and no date is decoded for
    the (usual) hearings that are still there; the few sampled ones are read afterwards. Only the
    ids to cancel are kept, 8 bytes each in an array. Cancelling happens after the stream is
    closed, so no row is written while the cursor reading it is still open (undefined on SQLite).
    """
    missing = array("q")
    if source_id is None:
        return missing
    query = (
        select(Hearing.id, Hearing.external_key)
        .where(
            Hearing.source_id == source_id, Hearing.status == HearingStatus.SCHEDULED, Hearing.starts_at >= cancel_from
        )
        .execution_options(yield_per=CHUNK)
    )
    if cancel_until is not None:
        query = query.where(Hearing.starts_at <= cancel_until)
    db.session.flush()  # the Core connection below does not autoflush
    with db.session.connection().execute(query) as result:
        for hearing_id, key in result:
            if key not in seen:
                missing.append(hearing_id)
    summary.cancelled += len(missing)
    room = SAMPLE_LIMIT - len(summary.samples["cancelled"])
    if room > 0 and missing:
        wanted = missing[:room].tolist()
        rows = {row.id: row for row in db.session.scalars(select(Hearing).where(Hearing.id.in_(wanted)))}
        for hearing_id in wanted:
            row = rows[hearing_id]
            summary.keep(
                "cancelled",
                Sample(
                    "cancelled", row.courthouse_id, row.title, row.case_number, row.starts_at, courtroom=row.courtroom
                ),
            )
    return missing


def _put_in_cases(adds: list[tuple[HearingRecord, dict]]) -> set[int]:
    """Give each new hearing its case (same case number, same courthouse), while the number is
    still in clear here; the ids of the cases that gained a hearing."""
    keys = [case_key_for(record.courthouse_id, record.case_number) for record, _row in adds]
    case_ids = case_ids_for((record.courthouse_id, key) for (record, _row), key in zip(adds, keys, strict=True))
    for (_record, row), key in zip(adds, keys, strict=True):
        row["case_id"] = case_ids.get(key) if key else None
    return {case_id for case_id in (row["case_id"] for _record, row in adds) if case_id}
