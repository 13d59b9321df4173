"""Importing a calendar file: read it, compare it with what its source imported before, and
(on commit) write the difference. Views, the CLI, subscriptions and the benchmark all call
``import_file``, so every path follows the same rules.
"""

from __future__ import annotations

import json
import os
import time
from contextlib import nullcontext
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from courtwatch.courts.models import Courthouse
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError
from courtwatch.imports.isolation import (
    background_records,
    forget_parses,
    parse_job,
    parse_now,
    parse_state,
    start_parse,
)
from courtwatch.imports.mapping import (
    courthouse_lookup_key,
    guess_mapping,
)
from courtwatch.imports.models import CalendarSource, ImportRun
from courtwatch.imports.pending import (
    PendingUpload,
    discard_pending,
    too_large,
)
from courtwatch.imports.planner import ImportSummary, run_import
from courtwatch.imports.records import ReadResult
from courtwatch.imports.safeguards import PlanHeld, future_hearing_count, needs_review
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
    for row in db.session.execute(
        select(Courthouse.id, Courthouse.name, Courthouse.short_name, Courthouse.slug, Courthouse.timezone)
    ):
        for name in (row.slug, row.short_name, row.name):
            if name:
                directory[courthouse_lookup_key(name)] = (row.id, row.timezone)
    return directory


def find_source(courthouse_id: int | None, name: str) -> CalendarSource | None:
    query = select(CalendarSource).where(CalendarSource.name == name, CalendarSource.url.is_(None))
    query = query.where(
        CalendarSource.courthouse_id.is_(None)
        if courthouse_id is None
        else CalendarSource.courthouse_id == courthouse_id
    )
    return db.session.scalars(query.limit(1)).first()


def source_by_name(name: str) -> CalendarSource | None:
    return db.session.scalars(
        select(CalendarSource).where(CalendarSource.name == name).order_by(CalendarSource.id).limit(1)
    ).first()


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


def import_file(
    path: str,
    *,
    kind: str,
    courthouse: Courthouse | None,
    source: CalendarSource | None,
    mapping: dict | None,
    apply: bool,
    full: bool = True,
    now: datetime | None = None,
    window: tuple[datetime, datetime] | None = None,
    confirm_cancellations: bool = False,
    read_result: ReadResult | None = None,
    parsed: dict | None = None,
) -> ImportSummary:
    """Preview (apply=False) or commit an import of one file into ``source`` (None: a new source).

    A commit whose plan cancels more than the hold settings allow is written in a savepoint and
    rolled back (``summary.held``) unless ``confirm_cancellations`` says a coordinator saw it.
    ``parsed`` is a finished background read of the file (``isolation.parse_state``); without it
    the file is read now, in the limited parsing process.
    """
    summary = ImportSummary()
    summary.future_before = future_hearing_count(source.id if source else None)
    read_result = read_result if read_result is not None else ReadResult()
    arguments = dict(
        kind=kind,
        courthouse=courthouse,
        source=source,
        mapping=mapping,
        full=full,
        now=now or utcnow(),
        window=window,
        summary=summary,
        read_result=read_result,
        parsed=parsed,
    )
    if not apply:
        _plan_file(path, apply=False, **arguments)
    elif confirm_cancellations:
        _plan_file(path, apply=True, **arguments)
    else:
        try:
            with db.session.begin_nested():
                _plan_file(path, apply=True, **arguments)
                if needs_review(summary):
                    raise PlanHeld()
        except PlanHeld:
            summary.held = True
    summary.review_needed = needs_review(summary)
    return summary


def _plan_file(
    path: str,
    *,
    kind: str,
    courthouse: Courthouse | None,
    source: CalendarSource | None,
    mapping: dict | None,
    apply: bool,
    full: bool,
    now: datetime,
    window: tuple[datetime, datetime] | None,
    summary: ImportSummary,
    read_result: ReadResult,
    parsed: dict | None,
) -> None:
    """Read the file in the limited parsing process (or take its finished background read) and plan.

    The reader's own notes (encoding, sheet) go straight into the summary's notes, first.
    """
    if kind == "ics" and courthouse is None:
        raise DomainError(_("Choose the courthouse this calendar belongs to."), field="courthouse")
    if kind != "ics" and not mapping:
        raise DomainError(_("Confirm which column holds what before importing."), field="file")
    if os.path.getsize(path) > current_app.config["IMPORT_MAX_BYTES"]:
        raise too_large()
    if parsed is not None:
        window = tuple(datetime.fromisoformat(moment) for moment in parsed["window"])
        reading = nullcontext(background_records(parsed, read_result, summary.notes))
    else:
        window = window or import_window(now)
        job = parse_job(
            path,
            kind=kind,
            courthouse=courthouse,
            mapping=mapping,
            window=window,
            courthouses=courthouse_directory() if kind != "ics" else None,
        )
        reading = parse_now(job, read_result, summary.notes)
    window_start, window_end = window
    with reading as records:
        run_import(
            records,
            source_id=source.id if source else None,
            apply=apply,
            full=full,
            # Past hearings missing from a docket are history, not cancellations; a calendar is
            # only compared within the window it was expanded for.
            cancel_from=max(now, window_start) if kind == "ics" else now,
            cancel_until=window_end if kind == "ics" else None,
            summary=summary,
            read_result=read_result,
        )
    summary.notes.extend(note for note in read_result.notes if note not in summary.notes)


def preview_job(pending: PendingUpload, now: datetime | None = None) -> dict:
    """The background read the preview page of this upload waits for (see imports.isolation)."""
    courthouse = pending_courthouse(pending)
    return parse_job(
        pending.path,
        kind=pending.kind,
        courthouse=courthouse,
        mapping=pending.mapping,
        window=import_window(now),
        courthouses=courthouse_directory() if pending.kind != "ics" else None,
    )


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
    db.session.add(
        ImportRun(
            source_id=source.id,
            actor_id=getattr(actor, "id", None),
            filename=filename[:255],
            added=summary.added,
            changed=summary.changed,
            cancelled=summary.cancelled,
            unchanged=summary.unchanged,
            rejected=summary.rejected,
        )
    )
    record_event(
        actor,
        "calendar.imported",
        source,
        added=summary.added,
        changed=summary.changed,
        cancelled=summary.cancelled,
        rejected=summary.rejected,
    )


def pending_courthouse(pending: PendingUpload) -> Courthouse | None:
    return db.session.get(Courthouse, pending.courthouse_id) if pending.courthouse_id else None


def background_read(pending: PendingUpload) -> dict:
    """The state of this upload's background read: none | reading | done | failed."""
    return parse_state(pending.token, preview_job(pending))


def wait_for_read(pending: PendingUpload, seconds: float) -> dict:
    """Start this upload's background read if needed and wait for it at most ``seconds``."""
    job = preview_job(pending)
    state = parse_state(pending.token, job)
    if state["state"] == "none":
        start_parse(pending.token, job)
        state = parse_state(pending.token, job)
    deadline = time.monotonic() + seconds
    while state["state"] not in ("done", "failed") and time.monotonic() < deadline:
        time.sleep(0.1)
        state = parse_state(pending.token, job)
    return state


def preview_pending(pending: PendingUpload, parsed: dict | None = None) -> ImportSummary:
    """The plan of an upload, from its finished background read when there is one."""
    courthouse = pending_courthouse(pending)
    source = find_source(pending.courthouse_id, pending.source_name)
    return import_file(
        pending.path,
        kind=pending.kind,
        courthouse=courthouse,
        source=source,
        mapping=pending.mapping,
        apply=False,
        full=pending.full,
        parsed=parsed,
    )


def commit_pending(
    actor,
    pending: PendingUpload,
    *,
    confirm_cancellations: bool = False,
) -> tuple[ImportSummary, CalendarSource]:
    courthouse = pending_courthouse(pending)
    source = get_or_create_source(courthouse, pending.source_name, pending.kind)
    parsed = background_read(pending)
    summary = import_file(
        pending.path,
        kind=pending.kind,
        courthouse=courthouse,
        source=source,
        mapping=pending.mapping,
        apply=True,
        full=pending.full,
        confirm_cancellations=confirm_cancellations,
        parsed=parsed if parsed["state"] == "done" else None,
    )
    if summary.held:
        return summary, source
    if pending.mapping:
        source.mapping = json.dumps(pending.mapping, sort_keys=True)
    source.kind = pending.kind
    record_run(actor, source, summary, pending.filename)
    db.session.flush()
    discard_pending(pending)
    forget_parses(pending.token)
    return summary, source


def list_sources() -> list[CalendarSource]:
    return list(db.session.scalars(select(CalendarSource).order_by(CalendarSource.name).limit(500)))


def recent_runs(limit: int = 20) -> list[ImportRun]:
    return list(db.session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(limit)))
