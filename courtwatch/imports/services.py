"""Importing a calendar file: read it, compare it with what its source imported before, and
(on commit) write the difference. Views, the CLI, subscriptions and the benchmark all call
``import_file``, so every path follows the same rules.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from courtwatch.courts.models import Courthouse
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError
from courtwatch.imports.ics_reader import read_ics
from courtwatch.imports.mapping import check_mapping, courthouse_lookup_key, guess_mapping, table_records
from courtwatch.imports.models import CalendarSource, ImportRun
from courtwatch.imports.pending import PendingUpload, discard_pending
from courtwatch.imports.planner import ImportSummary, run_import
from courtwatch.imports.records import ReadResult
from courtwatch.imports.tables import read_table
from courtwatch.privacy.services import record_event

PREVIEW_ROWS = 5


def import_window(now: datetime | None = None) -> tuple[datetime, datetime]:
    """Recurring sessions expand from yesterday to IMPORT_WINDOW_DAYS ahead."""
    now = now or utcnow()
    return now - timedelta(days=1), now + timedelta(days=current_app.config["IMPORT_WINDOW_DAYS"])


def courthouse_directory() -> dict[str, tuple[int, str]]:
    """Every name a spreadsheet may use for a courthouse (name, short name, slug) -> (id, zone)."""
    directory: dict[str, tuple[int, str]] = {}
    for row in db.session.execute(select(Courthouse.id, Courthouse.name, Courthouse.short_name,
                                         Courthouse.slug, Courthouse.timezone)):
        for name in (row.slug, row.short_name, row.name):
            if name:
                directory[courthouse_lookup_key(name)] = (row.id, row.timezone)
    return directory


def find_source(courthouse_id: int | None, name: str) -> CalendarSource | None:
    query = select(CalendarSource).where(CalendarSource.name == name, CalendarSource.url.is_(None))
    query = query.where(CalendarSource.courthouse_id.is_(None) if courthouse_id is None
                        else CalendarSource.courthouse_id == courthouse_id)
    return db.session.scalars(query.limit(1)).first()


def source_by_name(name: str) -> CalendarSource | None:
    return db.session.scalars(select(CalendarSource).where(CalendarSource.name == name)
                              .order_by(CalendarSource.id).limit(1)).first()


def remembered_mapping(source: CalendarSource | None) -> dict | None:
    if source is None or not source.mapping:
        return None
    try:
        return json.loads(source.mapping)
    except ValueError:
        return None


def table_preview(path: str, kind: str) -> tuple[list[str], list[tuple[int, list[str]]], list[str], dict]:
    """Headers, the first rows, reading notes and a guessed mapping: what the mapping page shows."""
    table = read_table(path, kind, current_app.config["IMPORT_MAX_BYTES"])
    try:
        rows = []
        for line, cells in table.rows:
            if any(c.strip() for c in cells):
                rows.append((line, cells))
            if len(rows) >= PREVIEW_ROWS:
                break
        return table.headers, rows, table.notes, guess_mapping(table.headers)
    finally:
        table.close()


def import_file(path: str, *, kind: str, courthouse: Courthouse | None, source: CalendarSource | None,
                mapping: dict | None, apply: bool, full: bool = True, now: datetime | None = None,
                window: tuple[datetime, datetime] | None = None) -> ImportSummary:
    """Preview (apply=False) or commit an import of one file into ``source`` (None: a new source)."""
    summary = ImportSummary()
    now = now or utcnow()
    window_start, window_end = window or import_window(now)
    if kind == "ics":
        if courthouse is None:
            raise DomainError(_("Choose the courthouse this calendar belongs to."), field="courthouse")
        with open(path, "rb") as handle:
            data = handle.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
        if len(data) > current_app.config["IMPORT_MAX_BYTES"]:
            raise DomainError(_("This file is too large."), field="file")
        result = ReadResult()
        records = read_ics(data, zone=courthouse.zone, courthouse_id=courthouse.id, window_start=window_start,
                           window_end=window_end, max_instances=current_app.config["IMPORT_MAX_INSTANCES"],
                           result=result)
        run_import(records, source_id=source.id if source else None, apply=apply, full=full,
                   cancel_from=max(now, window_start), cancel_until=window_end, summary=summary)
        summary.notes.extend(result.notes)
        return summary
    if not mapping:
        raise DomainError(_("Confirm which column holds what before importing."), field="file")
    table = read_table(path, kind, current_app.config["IMPORT_MAX_BYTES"])
    try:
        check_mapping(mapping, table.headers, has_courthouse=courthouse is not None)
        summary.notes.extend(table.notes)
        records = table_records(table, mapping, default_courthouse=courthouse, courthouses=courthouse_directory())
        # Past hearings missing from a docket are history, not cancellations.
        return run_import(records, source_id=source.id if source else None, apply=apply, full=full,
                          cancel_from=now, summary=summary)
    finally:
        table.close()


def get_or_create_source(courthouse: Courthouse | None, name: str, kind: str) -> CalendarSource:
    source = find_source(courthouse.id if courthouse else None, name)
    if source is None:
        source = CalendarSource(name=name, courthouse_id=courthouse.id if courthouse else None, kind=kind)
        db.session.add(source)
        db.session.flush()
    return source


def record_run(actor, source: CalendarSource, summary: ImportSummary, filename: str, status: str = "imported"):
    source.last_synced_at = utcnow()
    source.last_status = status
    source.last_error = None
    db.session.add(ImportRun(source_id=source.id, actor_id=getattr(actor, "id", None), filename=filename[:255],
                             added=summary.added, changed=summary.changed, cancelled=summary.cancelled,
                             unchanged=summary.unchanged, rejected=summary.rejected))
    record_event(actor, "calendar.imported", source, added=summary.added, changed=summary.changed,
                 cancelled=summary.cancelled, rejected=summary.rejected)


def pending_courthouse(pending: PendingUpload) -> Courthouse | None:
    return db.session.get(Courthouse, pending.courthouse_id) if pending.courthouse_id else None


def preview_pending(pending: PendingUpload) -> ImportSummary:
    courthouse = pending_courthouse(pending)
    source = find_source(pending.courthouse_id, pending.source_name)
    return import_file(pending.path, kind=pending.kind, courthouse=courthouse, source=source,
                       mapping=pending.mapping, apply=False, full=pending.full)


def commit_pending(actor, pending: PendingUpload) -> tuple[ImportSummary, CalendarSource]:
    courthouse = pending_courthouse(pending)
    source = get_or_create_source(courthouse, pending.source_name, pending.kind)
    summary = import_file(pending.path, kind=pending.kind, courthouse=courthouse, source=source,
                          mapping=pending.mapping, apply=True, full=pending.full)
    if pending.mapping:
        source.mapping = json.dumps(pending.mapping, sort_keys=True)
    source.kind = pending.kind
    record_run(actor, source, summary, pending.filename)
    db.session.flush()
    discard_pending(pending)
    return summary, source


def list_sources() -> list[CalendarSource]:
    return list(db.session.scalars(select(CalendarSource).order_by(CalendarSource.name).limit(500)))


def recent_runs(limit: int = 20) -> list[ImportRun]:
    return list(db.session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(limit)))
