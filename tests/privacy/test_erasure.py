"""Captions, case numbers and people's details are sealed under per-hearing keys and erased for good;
sent mail is emptied; keys rotate; the engine never logs parameters."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select, text

from courtwatch.courts.hearing_models import AccompanimentRequest, Hearing
from courtwatch.courts.hearing_services import save_accompaniment_request
from courtwatch.db import db, utcnow
from courtwatch.notify.models import OutboxAttachment, OutboxMessage, OutboxStatus
from courtwatch.notify.services import Attachment, queue_email
from courtwatch.privacy import keys
from courtwatch.privacy.models import AuditEvent, DataKey
from tests.conftest import TEST_MASTER_KEY
from tests.imports.conftest import ics, vevent
from tests.imports.test_ics_import import run as run_ics


def _raw_row(table: str, row_id: int) -> str:
    row = db.session.execute(text(f"SELECT * FROM {table} WHERE id = :id"), {"id": row_id}).one()
    return repr(tuple(row))


def test_private_fields_are_stored_only_as_ciphertext(app, make_courthouse):
    courthouse = make_courthouse()
    hearing = Hearing(
        courthouse_id=courthouse.id,
        starts_at=utcnow() + timedelta(days=3),
        title="People v. Quillon Vexmarrow",
        case_number="CR-QV-31337",
        notes="QV note",
    )
    db.session.add(hearing)
    db.session.flush()
    save_accompaniment_request(
        None,
        hearing,
        person_label="Quillon",
        meeting_notes="QV meeting",
        private_notes="QV private",
        contact="QV contact",
    )
    db.session.commit()
    raw = _raw_row("hearing", hearing.id) + _raw_row("accompaniment_request", hearing.accompaniment_request.id)
    for plain in ("Quillon", "Vexmarrow", "CR-QV-31337", "QV note", "QV meeting", "QV private", "QV contact"):
        assert plain not in raw
    db.session.expire_all()
    again = db.session.get(Hearing, hearing.id)
    assert (again.title, again.case_number, again.accompaniment_request.contact) == (
        "People v. Quillon Vexmarrow",
        "CR-QV-31337",
        "QV contact",
    )
    wrapped = db.session.get(DataKey, again.data_key_id).wrapped
    assert len(wrapped) == 8 + 12 + 32 + 16  # fingerprint, nonce, AES-256 key, GCM tag: never the raw key


def test_purge_erases_captions_and_case_numbers_even_without_accompaniment(app, runner, make_courthouse):
    courthouse = make_courthouse()
    now = utcnow()
    old = Hearing(
        courthouse_id=courthouse.id,
        starts_at=now - timedelta(days=31),
        courtroom="7",
        title="People v. Old Caption",
        case_number="OLD-1",
        external_key="h1:old",
    )
    recent = Hearing(
        courthouse_id=courthouse.id,
        starts_at=now - timedelta(days=2),
        title="People v. Recent Caption",
        case_number="NEW-1",
    )
    db.session.add_all([old, recent])
    db.session.commit()
    old_key = old.data_key_id
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    old, recent = db.session.get(Hearing, old.id), db.session.get(Hearing, recent.id)
    assert (old.title, old.case_number, old.external_key, old.data_key_id) == ("", "", None, None)
    assert old.private_purged_at is not None and old.courtroom == "7"  # the statistics stay
    assert db.session.get(DataKey, old_key) is None  # crypto-shredded
    assert recent.title == "People v. Recent Caption"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.purged")).one()
    assert json.loads(event.detail) == {"accompaniment_requests": 0, "hearings": 1}


def test_reimport_matches_on_a_keyed_hash_not_the_case_number(app, make_courthouse, tmp_path):
    courthouse = make_courthouse()
    data = ics(
        vevent(
            "2026-CR-004242@court.example",
            ":20260310T140000Z",
            location="Room 1",
            extra="DESCRIPTION:People v. Ximena Roe",
        )
    )
    assert run_ics(tmp_path, courthouse, data).added == 1
    hearing = db.session.scalars(select(Hearing)).one()
    assert "004242" not in hearing.external_key and hearing.external_key.startswith("h1:")
    assert "Ximena" not in _raw_row("hearing", hearing.id) and "004242" not in _raw_row("hearing", hearing.id)
    again = run_ics(tmp_path, courthouse, data)
    assert (again.added, again.changed, again.unchanged) == (0, 0, 1)


def test_delivered_mail_loses_body_and_address_after_retention(app, runner):
    queue_email(
        "someone@example.org",
        "Shift at BMC",
        "Room 5, 9:00",
        dedupe_key="a",
        attachments=[Attachment("shift.ics", "text/calendar", b"BEGIN:VCALENDAR")],
    )
    queue_email("other@example.org", "Fresh", "kept for now", dedupe_key="b")
    db.session.flush()
    old, fresh = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    old.status = fresh.status = OutboxStatus.SENT
    old.sent_at, fresh.sent_at = utcnow() - timedelta(days=8), utcnow() - timedelta(days=1)
    db.session.commit()
    assert "erased 1 delivered" in runner.invoke(args=["privacy", "purge"]).output
    db.session.expire_all()
    old, fresh = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert (old.to_address, old.subject, old.body_text) == ("", "", "")
    assert db.session.scalar(select(func.count()).select_from(OutboxAttachment)) == 0
    assert fresh.to_address == "other@example.org"
    assert (
        db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENT)
        )
        == 2
    )  # counts kept


def test_rotate_key_rewraps_every_data_key(app, runner, make_courthouse):
    courthouse = make_courthouse()
    hearing = Hearing(courthouse_id=courthouse.id, starts_at=utcnow() + timedelta(days=3), title="Rotate me")
    db.session.add(hearing)
    db.session.commit()
    hearing_id = hearing.id
    new_key = keys.generate_master_key()
    app.config["MASTER_KEY"] = f"{new_key},{TEST_MASTER_KEY}"
    result = runner.invoke(args=["privacy", "rotate-key"])
    assert result.exit_code == 0 and "re-wrapped 2 data key" in result.output  # the hearing's and the match key
    app.config["MASTER_KEY"] = new_key  # the old key is gone from configuration
    db.session.remove()
    assert db.session.get(Hearing, hearing_id).title == "Rotate me"
    app.config["MASTER_KEY"] = keys.generate_master_key()  # a wrong key: a clean CLI error
    db.session.remove()
    failed = runner.invoke(args=["privacy", "rotate-key"])
    assert failed.exit_code == 2 and "could not be unwrapped" in failed.output


def test_engine_hides_parameters_and_sqlite_deletes_securely(app):
    assert db.engine.hide_parameters is True
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1


def test_production_refuses_to_start_without_a_master_key(test_config, monkeypatch, tmp_path):
    import pytest

    from courtwatch import create_app

    monkeypatch.setenv("COURTWATCH_INSTANCE_PATH", str(tmp_path))  # no master.key left by `make run`
    settings = dict(test_config, ENV_NAME="production", MASTER_KEY="", STAFF_TWO_FACTOR=True)
    with pytest.raises(RuntimeError, match="MASTER_KEY"):
        create_app(settings)
    with pytest.raises(RuntimeError, match="32 random bytes"):
        create_app(dict(settings, MASTER_KEY="too-short"))


def test_request_rows_need_their_hearing(app, make_courthouse):
    request_row = AccompanimentRequest(purge_after=utcnow())
    import pytest

    with pytest.raises(RuntimeError):
        request_row.person_label = "Maria"
