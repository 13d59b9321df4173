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
from courtwatch.errors import DomainError, NotFound
from courtwatch.imports.mapping import (
    check_mapping,
    courthouse_lookup_key,
    guess_mapping,
    table_records,
)
from courtwatch.imports.models import CalendarSource, ImportRun
from courtwatch.imports.pending import (
    PendingUpload,
    create_pending,
    discard_pending,
    load_pending,
    too_large,
)
from courtwatch.imports.planner import ImportSummary, run_import
from courtwatch.imports.records import ReadResult
from courtwatch.imports.safeguards import (
    PlanHeld,
    future_hearing_count,
    needs_review,
    tell_coordinators,
)
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
) -> ImportSummary:
    """Preview (apply=False) or commit an import of one file into ``source`` (None: a new source).

    A commit whose plan cancels more than the hold settings allow is written in a savepoint and
    rolled back (``summary.held``) unless ``confirm_cancellations`` says a coordinator saw it.
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
) -> None:
    window_start, window_end = window or import_window(now)
    if kind == "ics":
        if courthouse is None:
            raise DomainError(_("Choose the courthouse this calendar belongs to."), field="courthouse")
        limit = current_app.config["IMPORT_MAX_BYTES"]
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise too_large()
        # icalendar and recurring_ical_events load here, when an ICS file is read, not at start-up.
        from courtwatch.imports.ics_reader import read_ics

        records = read_ics(
            data,
            zone=courthouse.zone,
            courthouse_id=courthouse.id,
            window_start=window_start,
            window_end=window_end,
            max_instances=current_app.config["IMPORT_MAX_INSTANCES"],
            result=read_result,
        )
        run_import(
            records,
            source_id=source.id if source else None,
            apply=apply,
            full=full,
            cancel_from=max(now, window_start),
            cancel_until=window_end,
            summary=summary,
            read_result=read_result,
        )
        summary.notes.extend(note for note in read_result.notes if note not in summary.notes)
        return
    if not mapping:
        raise DomainError(_("Confirm which column holds what before importing."), field="file")
    table = read_table(path, kind, current_app.config["IMPORT_MAX_BYTES"])
    try:
        check_mapping(mapping, table.headers, has_courthouse=courthouse is not None)
        summary.notes.extend(table.notes)
        records = table_records(table, mapping, default_courthouse=courthouse, courthouses=courthouse_directory())
        # Past hearings missing from a docket are history, not cancellations.
        run_import(
            records,
            source_id=source.id if source else None,
            apply=apply,
            full=full,
            cancel_from=now,
            summary=summary,
            read_result=read_result,
        )
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


def preview_pending(pending: PendingUpload) -> ImportSummary:
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
    )


def commit_pending(
    actor,
    pending: PendingUpload,
    *,
    confirm_cancellations: bool = False,
) -> tuple[ImportSummary, CalendarSource]:
    courthouse = pending_courthouse(pending)
    source = get_or_create_source(courthouse, pending.source_name, pending.kind)
    summary = import_file(
        pending.path,
        kind=pending.kind,
        courthouse=courthouse,
        source=source,
        mapping=pending.mapping,
        apply=True,
        full=pending.full,
        confirm_cancellations=confirm_cancellations,
    )
    if summary.held:
        return summary, source
    if pending.mapping:
        source.mapping = json.dumps(pending.mapping, sort_keys=True)
    source.kind = pending.kind
    record_run(actor, source, summary, pending.filename)
    db.session.flush()
    discard_pending(pending)
    return summary, source


def hold_plan(
    source: CalendarSource,
    stream,
    summary: ImportSummary,
    *,
    kind: str = "ics",
    mapping: dict | None = None,
    fingerprint: str = "",
) -> None:
    """Keep a plan that cancels too much as a held upload of the source, and tell coordinators."""
    if source.held_token:
        discard_pending(
            PendingUpload(
                token=source.held_token, user_id=None, filename="", kind="", courthouse_id=None, source_name=""
            )
        )
    pending = create_pending(
        stream,
        user_id=None,
        filename=f"{source.name}.{kind}",
        courthouse_id=source.courthouse_id,
        source_name=source.name,
        full=True,
        kind_of=lambda _name, _head: kind,
    )
    pending.mapping = mapping
    pending.save()
    source.held_token = pending.token
    source.held_at = utcnow()
    source.last_status = "held"
    source.last_error = _(
        "Held for review: this update would cancel %(count)s of %(future)s future hearings.",
        count=summary.cancelled,
        future=summary.future_before,
    )
    tell_coordinators(
        source,
        "held",
        _(
            "It would add %(added)s, change %(changed)s and cancel %(cancelled)s hearings "
            "(of %(future)s future hearings).",
            added=summary.added,
            changed=summary.changed,
            cancelled=summary.cancelled,
            future=summary.future_before,
        ),
        fingerprint=fingerprint or pending.token,
    )


def held_plan(source: CalendarSource) -> PendingUpload | None:
    if not source.held_token:
        return None
    try:
        return load_pending(source.held_token, None)
    except NotFound:
        return None


def held_sources() -> list[CalendarSource]:
    return list(
        db.session.scalars(
            select(CalendarSource).where(CalendarSource.held_token.is_not(None)).order_by(CalendarSource.id).limit(100)
        )
    )


def preview_held(source: CalendarSource) -> ImportSummary:
    pending = held_plan(source)
    if pending is None:
        raise NotFound(_("This held update is no longer waiting."))
    return import_file(
        pending.path,
        kind=pending.kind,
        courthouse=source.courthouse,
        source=source,
        mapping=pending.mapping,
        apply=False,
        full=True,
    )


def apply_held(actor, source: CalendarSource) -> ImportSummary:
    """A coordinator looked at the held plan and applies it as it is."""
    pending = held_plan(source)
    if pending is None:
        raise NotFound(_("This held update is no longer waiting."))
    summary = import_file(
        pending.path,
        kind=pending.kind,
        courthouse=source.courthouse,
        source=source,
        mapping=pending.mapping,
        apply=True,
        full=True,
        confirm_cancellations=True,
    )
    record_run(actor, source, summary, pending.filename, status="ok")
    discard_held(actor, source, reason="applied")
    return summary


def discard_held(actor, source: CalendarSource, reason: str = "discarded") -> None:
    pending = held_plan(source)
    if pending is not None:
        discard_pending(pending)
    source.held_token = None
    source.held_at = None
    if reason == "discarded":
        source.last_status = "held_discarded"
        record_event(actor, "calendar.held_discarded", source)


def list_sources() -> list[CalendarSource]:
    return list(db.session.scalars(select(CalendarSource).order_by(CalendarSource.name).limit(500)))


def recent_runs(limit: int = 20) -> list[ImportRun]:
    return list(db.session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(limit)))
