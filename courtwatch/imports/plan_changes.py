"""What counts as a change to a hearing, and how a chunk of the plan is written.

The planner (``imports.planner``) decides what each incoming record means for the source's
hearings; this module holds the comparison it uses and the writes a commit makes: new hearings in
one executemany per chunk, changed fields through the ORM (each change of state goes to the courts
area, which records it and tells the hooks), and cancellations of hearings missing from the file.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter

from sqlalchemy import insert, select

from courtwatch.courts.case_services import link_hearing_to_case
from courtwatch.courts.hearing_models import Hearing, HearingStatus
from courtwatch.courts.hearing_services import (
    cancel_hearing,
    change_hearing_room,
    move_hearing,
    reinstate_hearing,
    sealed_hearing_columns,
)
from courtwatch.db import db, utcnow
from courtwatch.imports.records import HearingRecord
from courtwatch.privacy.models import DataKey

WRITE_BATCH = 2000
# Caption, case number and notes are sealed (see courts.hearing_models): compared through their
# keyed digest, written through the model's sealing.
COMPARED = (
    "starts_at",
    "ends_at",
    "all_day",
    "courthouse_id",
    "courtroom",
    "court_type",
    "case_type",
    "judge",
    "hearing_type",
    "language",
    "private_digest",
)
SEALED = ("title", "case_number", "notes")
_compared_values = attrgetter(*COMPARED)


@dataclass(slots=True)
class Existing:
    id: int
    values: tuple
    status: str
    starts_at: datetime
    courthouse_id: int
    courtroom: str


def record_values(record: HearingRecord) -> tuple:
    return _compared_values(record)


def insert_row(record: HearingRecord, source_id: int) -> dict:
    row = dict(zip(COMPARED, _compared_values(record), strict=True))
    row.update(
        source_id=source_id,
        external_key=record.key,
        status=HearingStatus.SCHEDULED.value,
        needs_accompaniment=False,
        cancelled_at=None,
    )
    row.update(sealed_hearing_columns(record.title, record.case_number, record.notes))
    return row


def flush_adds(rows: list[dict]) -> None:
    now = utcnow()
    keys = [key for key in (row.pop("data_key") for row in rows) if key]
    if keys:
        db.session.execute(insert(DataKey.__table__), keys)
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        _flush_adds_sqlite(connection, rows, now)
    else:
        for row in rows:
            row["created_at"] = row["updated_at"] = now
        # Core insert on the table: one executemany per chunk, without the ORM's per-row bookkeeping.
        db.session.execute(insert(Hearing.__table__), rows)
    rows.clear()


def _flush_adds_sqlite(connection, rows: list[dict], now: datetime) -> None:
    """The same insert through the driver's executemany, with each column's own bind processor.

    On SQLite, SQLAlchemy's generic per-row parameter handling was half of a 100,000-row import
    (bench/README.md). The values are still converted by the columns' types (UTCDateTime included),
    looked up once per chunk; the two timestamps, equal for the whole chunk, are converted once.
    """
    table = Hearing.__table__
    names = list(rows[0])
    processors = [table.c[name].type.bind_processor(connection.dialect) for name in names]
    stamp_processor = table.c.created_at.type.bind_processor(connection.dialect)
    stamp = stamp_processor(now) if stamp_processor else now
    sql = (
        f"INSERT INTO {table.name} ({', '.join(names)}, created_at, updated_at) "
        f"VALUES ({', '.join('?' for _ in names)}, ?, ?)"
    )
    parameters = [
        tuple(
            value if process is None or value is None else process(value)
            for value, process in zip(row.values(), processors, strict=True)
        )
        + (stamp, stamp)
        for row in rows
    ]
    connection.exec_driver_sql(sql, parameters)


def differences(old: Existing, record: HearingRecord) -> list[tuple[str, str, str]]:
    """(kind, old, new) for each change that matters to volunteers; ("details", ...) for the rest."""
    if record.cancelled:
        return (
            [(HearingStatus.CANCELLED, old.status, HearingStatus.CANCELLED)]
            if old.status != HearingStatus.CANCELLED
            else []
        )
    kinds = []
    if old.status == HearingStatus.CANCELLED:
        kinds.append(("reinstated", HearingStatus.CANCELLED, HearingStatus.SCHEDULED))
    new_values = record_values(record)
    if old.values == new_values:
        return kinds
    old_map = dict(zip(COMPARED, old.values, strict=True))
    if _keeps_coordinator_time(old_map, record):
        # The file still gives no time; the time a coordinator set stands.
        new_values = tuple(
            old_map[name] if name in KEEP_WHEN_TIME_UNKNOWN else value
            for name, value in zip(COMPARED, new_values, strict=True)
        )
        if old.values == new_values:
            return kinds
        record = _with_time_of(record, old_map)
    if old_map["starts_at"] != record.starts_at:
        kinds.append(("moved", old_map["starts_at"].isoformat(), record.starts_at.isoformat()))
    if (old_map["courtroom"] or "") != record.courtroom:
        kinds.append(("room_changed", old_map["courtroom"] or "", record.courtroom))
    if not kinds:
        kinds.append(("details", "", ""))
    return kinds


KEEP_WHEN_TIME_UNKNOWN = ("starts_at", "ends_at", "all_day")


def _keeps_coordinator_time(old, record: HearingRecord) -> bool:
    """A date-only row for a hearing a coordinator gave a time on that same local day."""
    get = old.get if isinstance(old, dict) else (lambda name: getattr(old, name))
    if not record.all_day or get("all_day"):
        return False
    offset = get("starts_at") - record.starts_at
    return timedelta(0) <= offset < timedelta(days=1)


def _with_time_of(record: HearingRecord, old_map: dict) -> HearingRecord:
    copy = HearingRecord(**{name: getattr(record, name) for name in HearingRecord.__slots__})
    for name in KEEP_WHEN_TIME_UNKNOWN:
        setattr(copy, name, old_map[name])
    return copy


def apply_changes(changes: list[tuple[int, HearingRecord, list[tuple[str, str, str]]]]) -> None:
    """Write the changed fields, then let the courts area apply each change of state."""
    for start in range(0, len(changes), WRITE_BATCH):
        batch = changes[start : start + WRITE_BATCH]
        hearings = {h.id: h for h in db.session.scalars(select(Hearing).where(Hearing.id.in_([c[0] for c in batch])))}
        for hearing_id, record, kinds in batch:
            hearing = hearings[hearing_id]
            if record.cancelled:
                cancel_hearing(hearing)
                continue
            old_starts_at, old_room = hearing.starts_at, hearing.courtroom
            for name in COMPARED + SEALED:
                if name in KEEP_WHEN_TIME_UNKNOWN and _keeps_coordinator_time(hearing, record):
                    continue
                setattr(hearing, name, getattr(record, name))
            link_hearing_to_case(hearing, record.case_number)
            for kind, _old_value, _new_value in kinds:
                if kind == "reinstated":
                    reinstate_hearing(hearing)
                elif kind == "moved":
                    move_hearing(hearing, old_starts_at)
                elif kind == "room_changed":
                    change_hearing_room(hearing, old_room)


def _cancel(hearing: Hearing) -> None:
    cancel_hearing(hearing)


def apply_missing(ids: array) -> None:
    for start in range(0, len(ids), WRITE_BATCH):
        batch = ids[start : start + WRITE_BATCH].tolist()
        for hearing in db.session.scalars(select(Hearing).where(Hearing.id.in_(batch))):
            _cancel(hearing)
