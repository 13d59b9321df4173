"""Compare what a file says with what a source imported before, and (on commit) write the difference.

One function does both the preview and the commit, so what the coordinator saw is what happens.
It streams: existing hearings of the source are loaded in one query, rows are compared as they
arrive, new hearings are inserted in chunks with one executemany each, and only a bounded sample
of each kind of outcome is kept for the preview page. Changes and cancellations go through the
ORM one by one (they are few) because each records a HearingChange and tells the hooks.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import insert, select, update

from courtwatch.courts.hearing_models import AccompanimentRequest, Hearing, HearingChange, HearingStatus
from courtwatch.courts.hearing_services import notify_hearing_hooks
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError
from courtwatch.imports.records import HearingRecord, RowProblem

CHUNK = 2000
SAMPLE_LIMIT = 200
REJECT_LIMIT = 500
COMPARED = ("starts_at", "ends_at", "all_day", "courthouse_id", "title", "courtroom", "case_number",
            "court_type", "case_type", "judge", "hearing_type", "language", "notes")
_compared_values = attrgetter(*COMPARED)
TEXT_COLUMNS = ("title", "courtroom", "case_number", "court_type", "case_type", "judge", "hearing_type",
                "language", "notes")


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

    @property
    def total_usable(self) -> int:
        return self.added + self.changed + self.cancelled + self.unchanged

    def keep(self, group: str, sample: Sample) -> None:
        if len(self.samples[group]) < SAMPLE_LIMIT:
            self.samples[group].append(sample)


@dataclass(slots=True)
class _Existing:
    id: int
    values: tuple
    status: str
    starts_at: datetime
    courthouse_id: int
    title: str
    case_number: str
    courtroom: str


def _load_existing(source_id: int | None) -> dict[str, _Existing]:
    if source_id is None:
        return {}
    columns = [getattr(Hearing, name) for name in COMPARED]
    rows = db.session.execute(select(Hearing.id, Hearing.external_key, Hearing.status, *columns)
                              .where(Hearing.source_id == source_id))
    existing = {}
    for row in rows:
        values = tuple(row[3:])
        existing[row.external_key] = _Existing(row.id, values, row.status, row.starts_at, row.courthouse_id,
                                               row.title, row.case_number, row.courtroom)
    return existing


def _record_values(record: HearingRecord) -> tuple:
    return _compared_values(record)


def run_import(records: Iterable[HearingRecord | RowProblem], *, source_id: int | None, apply: bool,
               full: bool, cancel_from: datetime, cancel_until: datetime | None = None,
               summary: ImportSummary | None = None) -> ImportSummary:
    """Plan (apply=False) or perform (apply=True) an import of ``records`` into a source."""
    summary = summary or ImportSummary()
    existing = _load_existing(source_id)
    seen: dict[str, int] = {}
    pending_adds: list[dict] = []
    pending_changes: list[tuple[int, HearingRecord, list[tuple[str, str, str]]]] = []
    for record in records:
        if isinstance(record, RowProblem):
            summary.rejected += 1
            if len(summary.problems) < REJECT_LIMIT:
                summary.problems.append(record)
            continue
        if record.key in seen:
            summary.duplicates += 1
            continue
        seen[record.key] = record.line
        old = existing.get(record.key)
        if old is None:
            if record.cancelled:
                summary.ignored_cancelled += 1
                continue
            summary.added += 1
            if len(summary.samples["added"]) < SAMPLE_LIMIT:
                summary.keep("added", Sample("added", record.courthouse_id, record.title, record.case_number,
                                             record.starts_at, courtroom=record.courtroom, line=record.line))
            if apply:
                pending_adds.append(_insert_row(record, source_id))
                if len(pending_adds) >= CHUNK:
                    _flush_adds(pending_adds)
            continue
        kinds = _differences(old, record)
        if not kinds:
            summary.unchanged += 1
            continue
        if kinds[0][0] == HearingStatus.CANCELLED:
            summary.cancelled += 1
            group = "cancelled"
        else:
            summary.changed += 1
            group = "changed"
        summary.keep(group, Sample(kinds[0][0], record.courthouse_id, record.title or old.title,
                                   record.case_number or old.case_number, record.starts_at,
                                   old_starts_at=old.starts_at, courtroom=record.courtroom,
                                   old_courtroom=old.courtroom, line=record.line))
        if apply:
            pending_changes.append((old.id, record, kinds))
    if not seen:
        first = "; ".join(_("line %(line)s: %(reason)s", line=p.line, reason=p.reason) for p in summary.problems[:3])
        message = _("No usable hearings in this file.")
        raise DomainError(f"{message} {first}".strip(), field="file")
    missing = []
    if full:
        if summary.rejected:
            summary.notes.append(_("Some rows were rejected, so hearings missing from this file were not "
                                   "cancelled. Correct the file and import it again."))
        else:
            missing = [old for key, old in existing.items() if key not in seen
                       and old.status == HearingStatus.SCHEDULED and old.starts_at >= cancel_from
                       and (cancel_until is None or old.starts_at <= cancel_until)]
    for old in missing:
        summary.cancelled += 1
        summary.keep("cancelled", Sample("cancelled", old.courthouse_id, old.title, old.case_number,
                                         old.starts_at, courtroom=old.courtroom))
    if apply:
        if pending_adds:
            _flush_adds(pending_adds)
        _apply_changes(pending_changes)
        _apply_missing([old.id for old in missing])
    return summary


def _insert_row(record: HearingRecord, source_id: int) -> dict:
    row = dict(zip(COMPARED, _compared_values(record), strict=True))
    row.update(source_id=source_id, external_key=record.key, status=HearingStatus.SCHEDULED.value,
               needs_accompaniment=False, cancelled_at=None)
    return row


def _flush_adds(rows: list[dict]) -> None:
    now = utcnow()
    for row in rows:
        row["created_at"] = row["updated_at"] = now
    # Core insert on the table: one executemany per chunk, without the ORM's per-row bookkeeping.
    db.session.execute(insert(Hearing.__table__), rows)
    rows.clear()


def _differences(old: _Existing, record: HearingRecord) -> list[tuple[str, str, str]]:
    """(kind, old, new) for each change that matters to volunteers; ("details", ...) for the rest."""
    if record.cancelled:
        return [(HearingStatus.CANCELLED, old.status, HearingStatus.CANCELLED)] \
            if old.status != HearingStatus.CANCELLED else []
    kinds = []
    if old.status == HearingStatus.CANCELLED:
        kinds.append(("reinstated", HearingStatus.CANCELLED, HearingStatus.SCHEDULED))
    new_values = _record_values(record)
    if old.values == new_values:
        return kinds
    old_map = dict(zip(COMPARED, old.values, strict=True))
    if old_map["starts_at"] != record.starts_at:
        kinds.append(("moved", old_map["starts_at"].isoformat(), record.starts_at.isoformat()))
    if (old_map["courtroom"] or "") != record.courtroom:
        kinds.append(("room_changed", old_map["courtroom"] or "", record.courtroom))
    if not kinds:
        kinds.append(("details", "", ""))
    return kinds


def _apply_changes(changes: list[tuple[int, HearingRecord, list[tuple[str, str, str]]]]) -> None:
    purge_days = current_app.config["ACCOMPANIMENT_PURGE_DAYS"]
    for start in range(0, len(changes), CHUNK):
        batch = changes[start:start + CHUNK]
        hearings = {h.id: h for h in db.session.scalars(select(Hearing).where(Hearing.id.in_([c[0] for c in batch])))}
        for hearing_id, record, kinds in batch:
            hearing = hearings[hearing_id]
            if record.cancelled:
                _cancel(hearing)
                continue
            for name in COMPARED:
                setattr(hearing, name, getattr(record, name))
            for kind, old_value, new_value in kinds:
                if kind == "details":
                    continue
                if kind == "reinstated":
                    hearing.status = HearingStatus.SCHEDULED
                    hearing.cancelled_at = None
                if kind == "moved":
                    db.session.execute(update(AccompanimentRequest)
                                       .where(AccompanimentRequest.hearing_id == hearing.id)
                                       .values(purge_after=record.starts_at + timedelta(days=purge_days)))
                change = HearingChange(hearing_id=hearing.id, kind=kind, old_value=old_value[:200],
                                       new_value=new_value[:200])
                db.session.add(change)
                notify_hearing_hooks(hearing, kind, change)


def _cancel(hearing: Hearing) -> None:
    hearing.status = HearingStatus.CANCELLED
    hearing.cancelled_at = utcnow()
    change = HearingChange(hearing_id=hearing.id, kind="cancelled", old_value=HearingStatus.SCHEDULED,
                           new_value=HearingStatus.CANCELLED)
    db.session.add(change)
    notify_hearing_hooks(hearing, "cancelled", change)


def _apply_missing(ids: list[int]) -> None:
    for start in range(0, len(ids), CHUNK):
        for hearing in db.session.scalars(select(Hearing).where(Hearing.id.in_(ids[start:start + CHUNK]))):
            _cancel(hearing)
