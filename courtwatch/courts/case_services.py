"""Cases: which hearings are one case, when a case's next hearing needs a coordinator's look, and
what carrying an accompaniment need to it does.

A case is found by a keyed hash of its normalised case number and its courthouse (``case_key_for``),
computed while the importer still holds the number in clear, so linking never has to open a
hearing's sealed fields; only the backfill command (for hearings imported before cases existed)
opens them, one batch at a time. Case numbers never leave this module in clear: pages and URLs
name a case by its id, and audit events by ids only.

The shifts area hears about a carried need through ``case_need_carried`` (it offers the new shift
to the volunteers who went last time), so this module never imports it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import selectinload

from courtwatch import signals
from courtwatch.courts.case_models import CaseContinuance, ContinuanceStatus, CourtCase
from courtwatch.courts.hearing_models import AccompanimentRequest, Hearing, HearingStatus
from courtwatch.courts.hearing_services import accompaniment_purge_after, hearing_is_past, set_accompaniment_needed
from courtwatch.db import db, utcnow
from courtwatch.db import dialect_insert as db_dialect_insert
from courtwatch.errors import DomainError, NotFound
from courtwatch.privacy.keys import KeyUnavailable, match_key
from courtwatch.privacy.services import record_event

TIMELINE_LIMIT = 200
WAITING_LIMIT = 200
BACKFILL_BATCH = 500


# ---------------------------------------------------------------- which hearings are one case
def normalised_case_number(case_number: str) -> str:
    """ "2018-cr-00001", "2018 CR 00001" and "2018CR00001" are one case: letters and digits only."""
    return "".join(ch for ch in (case_number or "").upper() if ch.isalnum())


def case_key_for(courthouse_id: int, case_number: str) -> str | None:
    """The keyed hash a case is found by; None for a row without a case number."""
    number = normalised_case_number(case_number)
    if not number:
        return None
    return match_key(f"case\x1f{courthouse_id}\x1f{number}")


def case_ids_for(pairs: Iterable[tuple[int, str | None]]) -> dict[str, int]:
    """case key -> case id for these (courthouse id, case key) pairs, making the cases not seen yet.

    Two imports at once may make the same case: the insert skips a key the other just wrote.
    """
    wanted = {key: courthouse_id for courthouse_id, key in pairs if key}
    if not wanted:
        return {}
    found = _existing_case_ids(list(wanted))
    missing = [
        {"courthouse_id": wanted[key], "case_key": key, "created_at": utcnow()} for key in wanted if key not in found
    ]
    if missing:
        dialect_insert = db_dialect_insert(db.session.connection().dialect.name)
        statement = (
            insert(CourtCase.__table__)
            if dialect_insert is None
            else dialect_insert(CourtCase.__table__).on_conflict_do_nothing()
        )
        db.session.execute(statement, missing)
        found.update(_existing_case_ids([row["case_key"] for row in missing]))
    return found


def _existing_case_ids(keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(keys), 1000):
        rows = db.session.execute(
            select(CourtCase.case_key, CourtCase.id).where(CourtCase.case_key.in_(keys[start : start + 1000]))
        )
        found.update({key: case_id for key, case_id in rows})
    return found


def link_hearing_to_case(hearing: Hearing, case_number: str | None = None) -> int | None:
    """Put one hearing (written through the ORM, or changed by a re-import) in its case.

    ``case_number``: the number in clear when the caller has it (saves opening the sealed field).
    """
    number = hearing.case_number if case_number is None else case_number
    key = case_key_for(hearing.courthouse_id, number)
    case_id = case_ids_for([(hearing.courthouse_id, key)]).get(key) if key else None
    if case_id != hearing.case_id:
        hearing.case_id = case_id
        db.session.flush()
        if case_id is not None:
            find_next_hearings([case_id])
    return case_id


def link_existing_hearings(batch: int = BACKFILL_BATCH) -> int:
    """Backfill: link the hearings imported before cases existed (their numbers are opened here).

    Idempotent; hearings whose private data was purged have no number left and stay unlinked.
    Returns how many hearings were linked.
    """
    linked = 0
    last_id = 0
    while True:
        hearings = list(
            db.session.scalars(
                select(Hearing)
                .where(Hearing.id > last_id, Hearing.case_id.is_(None), Hearing.sealed_case_number.is_not(None))
                .order_by(Hearing.id)
                .limit(batch)
            )
        )
        if not hearings:
            return linked
        keys = {}
        for hearing in hearings:
            try:
                keys[hearing.id] = case_key_for(hearing.courthouse_id, hearing.case_number)
            except KeyUnavailable:  # its data key is gone: nothing to link by
                keys[hearing.id] = None
        case_ids = case_ids_for((hearing.courthouse_id, keys[hearing.id]) for hearing in hearings)
        for hearing in hearings:
            case_id = case_ids.get(keys[hearing.id]) if keys[hearing.id] else None
            if case_id is not None:
                db.session.execute(update(Hearing).where(Hearing.id == hearing.id).values(case_id=case_id))
                linked += 1
        last_id = hearings[-1].id
        db.session.expire_all()


def forget_purged_cases() -> int:
    """A case whose every hearing has had its private data purged loses its key (the hash of its
    number) as the hearings lost theirs; its timeline (dates, courthouse, outcome) stays."""
    live = select(Hearing.id).where(Hearing.case_id == CourtCase.id, Hearing.private_purged_at.is_(None)).exists()
    result = db.session.execute(
        update(CourtCase)
        .where(CourtCase.case_key.is_not(None), ~live)
        .values(case_key=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


# ---------------------------------------------------------------- the next hearing of a case
def _needs_company(hearing: Hearing) -> bool:
    return hearing.needs_accompaniment or hearing.accompaniment_request is not None


def find_next_hearings(case_ids: Iterable[int], now: datetime | None = None) -> int:
    """After new hearings joined these cases: record "next hearing found" where the case's latest
    hearing with an accompaniment need is followed by a scheduled, upcoming hearing without one.

    One query picks the few cases with a need at all, so a docket of thousands of cases costs one
    query per chunk. Returns how many continuances were recorded.
    """
    now = now or utcnow()
    ids = sorted({case_id for case_id in case_ids if case_id})
    needy: set[int] = set()
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        needy.update(
            db.session.scalars(
                select(Hearing.case_id)
                .outerjoin(AccompanimentRequest, AccompanimentRequest.hearing_id == Hearing.id)
                .where(
                    Hearing.case_id.in_(chunk),
                    (Hearing.needs_accompaniment.is_(True)) | (AccompanimentRequest.id.is_not(None)),
                )
                .distinct()
            )
        )
    found = 0
    for case_id in sorted(needy):
        found += _find_next_hearing(case_id, now)
    return found


def _find_next_hearing(case_id: int, now: datetime) -> int:
    hearings = case_hearings(case_id)
    with_need = [hearing for hearing in hearings if _needs_company(hearing)]
    if not with_need:
        return 0
    last_need = max(with_need, key=lambda hearing: (hearing.starts_at, hearing.id))
    following = [
        hearing
        for hearing in hearings
        if hearing.starts_at > last_need.starts_at
        and hearing.status == HearingStatus.SCHEDULED
        and hearing.starts_at > now
        and not _needs_company(hearing)
    ]
    if not following:
        return 0
    next_hearing = following[0]
    exists = db.session.scalar(select(CaseContinuance.id).where(CaseContinuance.to_hearing_id == next_hearing.id))
    if exists is not None:
        return 0
    db.session.add(CaseContinuance(case_id=case_id, from_hearing_id=last_need.id, to_hearing_id=next_hearing.id))
    db.session.flush()
    record_event(None, "case.next_hearing_found", object_type="court_case", object_id=case_id, hearing=next_hearing.id)
    return 1


def _locked_continuance(continuance_id: int) -> CaseContinuance:
    """The continuance re-read under a lock held to the end of the transaction, so two coordinators
    deciding at once queue up and the second sees the first's decision (row lock on PostgreSQL;
    a no-op write takes SQLite's single write lock first, as ``shifts.locking`` does)."""
    query = select(CaseContinuance).where(CaseContinuance.id == continuance_id)
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            update(CaseContinuance)
            .where(CaseContinuance.id == continuance_id)
            .values(status=CaseContinuance.status)
            .execution_options(synchronize_session=False)
        )
    else:
        query = query.with_for_update()
    continuance = db.session.scalar(query.execution_options(populate_existing=True))
    if continuance is None:
        raise NotFound(_("No such next hearing."))
    return continuance


def _decide(actor, continuance: CaseContinuance, status: str) -> None:
    continuance.status = status
    continuance.decided_at = utcnow()
    continuance.decided_by_id = getattr(actor, "id", None)


def carry_need(actor, continuance_id: int) -> CaseContinuance:
    """A coordinator confirms: the accompaniment need (and request) carries to the next hearing.

    The need makes the new accompaniment shift (``hearing_changed``); then ``case_need_carried``
    lets the shifts area offer it first to the volunteers who went with the person last time.
    """
    continuance = _locked_continuance(continuance_id)
    if not continuance.is_open:
        raise DomainError(_("This next hearing was already decided."))
    previous, hearing = continuance.from_hearing, continuance.to_hearing
    if hearing.is_cancelled:
        raise DomainError(_("The next hearing is cancelled."))
    if hearing_is_past(hearing):
        raise DomainError(_("The next hearing is in the past: it is kept as history only."))
    if hearing.all_day:
        raise DomainError(_("The next hearing has no time yet: set its time on its page first, then carry the need."))
    old_request = previous.accompaniment_request
    if old_request is not None and hearing.accompaniment_request is None:
        # Re-sealed under the new hearing's own key: each hearing's details go with its own purge.
        new_request = AccompanimentRequest(hearing=hearing, purge_after=accompaniment_purge_after(hearing))
        db.session.add(new_request)
        for name in ("person_label", "language", "meeting_notes", "private_notes", "contact"):
            setattr(new_request, name, getattr(old_request, name))
        new_request.interpreter_booked = False  # booked per hearing
    _decide(actor, continuance, ContinuanceStatus.CARRIED)
    db.session.flush()
    set_accompaniment_needed(actor, hearing, True)
    record_event(
        actor,
        "case.need_carried",
        object_type="court_case",
        object_id=continuance.case_id,
        from_hearing=previous.id,
        to_hearing=hearing.id,
    )
    signals.send(signals.case_need_carried, previous=previous, hearing=hearing)
    return continuance


def dismiss_continuance(actor, continuance_id: int) -> CaseContinuance:
    continuance = _locked_continuance(continuance_id)
    if not continuance.is_open:
        raise DomainError(_("This next hearing was already decided."))
    _decide(actor, continuance, ContinuanceStatus.DISMISSED)
    db.session.flush()
    record_event(
        actor,
        "case.need_not_carried",
        object_type="court_case",
        object_id=continuance.case_id,
        to_hearing=continuance.to_hearing_id,
    )
    return continuance


# ---------------------------------------------------------------- what coordinators see
def get_case(case_id: int) -> CourtCase:
    case = db.session.get(CourtCase, case_id)
    if case is None:
        raise NotFound(_("No such case."))
    return case


def case_hearings(case_id: int) -> list[Hearing]:
    """The case's hearings in date order (bounded), requests loaded with them."""
    return list(
        db.session.scalars(
            select(Hearing)
            .where(Hearing.case_id == case_id)
            .options(selectinload(Hearing.accompaniment_request))
            .order_by(Hearing.starts_at, Hearing.id)
            .limit(TIMELINE_LIMIT)
        )
    )


def case_continuances(case_id: int) -> list[CaseContinuance]:
    return list(
        db.session.scalars(
            select(CaseContinuance).where(CaseContinuance.case_id == case_id).order_by(CaseContinuance.id).limit(100)
        )
    )


def waiting_continuances(limit: int = WAITING_LIMIT) -> list[CaseContinuance]:
    """Next hearings found and not yet decided, soonest hearing first."""
    return list(
        db.session.scalars(
            select(CaseContinuance)
            .join(Hearing, Hearing.id == CaseContinuance.to_hearing_id)
            .where(CaseContinuance.status == ContinuanceStatus.FOUND, Hearing.starts_at > utcnow())
            .order_by(Hearing.starts_at, CaseContinuance.id)
            .limit(limit)
        )
    )


def count_waiting_continuances() -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(CaseContinuance)
            .join(Hearing, Hearing.id == CaseContinuance.to_hearing_id)
            .where(CaseContinuance.status == ContinuanceStatus.FOUND, Hearing.starts_at > utcnow())
        )
        or 0
    )


@dataclass
class HearingCase:
    """What a hearing's page says about its case: how many hearings, and a decision waiting."""

    case_id: int
    hearings: int
    waiting: CaseContinuance | None


def hearing_case(hearing: Hearing) -> HearingCase | None:
    if hearing.case_id is None:
        return None
    count = db.session.scalar(select(func.count()).select_from(Hearing).where(Hearing.case_id == hearing.case_id))
    waiting = db.session.scalar(
        select(CaseContinuance)
        .where(
            CaseContinuance.status == ContinuanceStatus.FOUND,
            (CaseContinuance.to_hearing_id == hearing.id) | (CaseContinuance.from_hearing_id == hearing.id),
        )
        .order_by(CaseContinuance.id.desc())
        .limit(1)
    )
    return HearingCase(hearing.case_id, count or 0, waiting)
