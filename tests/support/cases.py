"""Dockets for the cases tests: write a CSV, import it as a source would, find hearings by their
(sealed) case number, and a case whose first hearing had an accompaniment two volunteers went to."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from courtwatch.courts.hearing_models import Hearing
from courtwatch.db import db, utcnow
from courtwatch.imports.services import get_or_create_source, import_file

MAPPING = {"fields": {"case_number": "Case Number", "date": "Date", "time": "Time", "courtroom": "Courtroom"}}


def day(days: int) -> str:
    return (utcnow() + timedelta(days=days)).date().isoformat()


def write_docket(tmp_path, name: str, rows: list[tuple[str, str, str]]) -> str:
    path = tmp_path / name
    path.write_text(
        "Case Number,Date,Time,Courtroom\n" + "".join(f"{case},{date},{time},3\n" for case, date, time in rows)
    )
    return str(path)


def import_docket(path: str, courthouse, source_name: str):
    source = get_or_create_source(courthouse, source_name, "csv")
    summary = import_file(path, kind="csv", courthouse=courthouse, source=source, mapping=MAPPING, apply=True)
    db.session.commit()
    return summary


def hearings_by_number() -> dict[str, list[Hearing]]:
    """Hearings grouped by their (decrypted) case number: case numbers are sealed."""
    db.session.expire_all()
    grouped: dict[str, list[Hearing]] = {}
    for hearing in db.session.scalars(select(Hearing).order_by(Hearing.starts_at)):
        grouped.setdefault(hearing.case_number, []).append(hearing)
    return grouped


@pytest.fixture
def case_with_history(app, make_courthouse, make_user, tmp_path):
    """A case whose first hearing had an accompaniment two volunteers went to."""
    from courtwatch.courts.hearing_services import save_accompaniment_request
    from courtwatch.shifts.claims import claim_shift
    from courtwatch.shifts.hearing_hooks import shift_for_hearing

    courthouse = make_courthouse()
    import_docket(write_docket(tmp_path, "one.csv", [("CR-555", day(4), "9:00 AM")]), courthouse, "Docket")
    training = (app.config["ACCOMPANIMENT_TRAINING"],)
    maya = make_user(name="Maya Quintero", trainings=training)
    sam = make_user(name="Samuel Okafor", trainings=training)
    coordinator = make_user("coordinator", name="Cora Coordinator")
    hearing = hearings_by_number()["CR-555"][0]
    save_accompaniment_request(coordinator, hearing, person_label="Rosa", language="Spanish")
    shift = shift_for_hearing(hearing)
    claim_shift(maya, shift.id)
    claim_shift(sam, shift.id)
    db.session.commit()
    return {"courthouse": courthouse, "hearing": hearing, "maya": maya, "sam": sam, "coordinator": coordinator}
