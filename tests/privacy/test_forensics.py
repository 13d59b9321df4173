"""After purge, nothing of an accompanied person can be recovered: not from the database's files
(SQLite's bytes; PostgreSQL's dump, table files and WAL after CHECKPOINT), nor from any log line
written at DEBUG during the whole flow, nor from any upload.

The planted values are unique to each run, so other tests (and other runs sharing the PostgreSQL
server's WAL) cannot make this pass or fail by accident.
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from courtwatch.courts.hearing_models import Hearing
from courtwatch.db import db, utcnow
from courtwatch.privacy.retention import purge_private_hearing_data
from courtwatch.shifts import accompaniment, claims
from courtwatch.shifts.hearing_hooks import shift_for_hearing
from tests.imports.conftest import ics, vevent


@pytest.fixture
def planted():
    tag = uuid.uuid4().hex[:8].upper()
    letters = "".join(chr(ord("a") + int(c, 16) % 26) for c in tag)
    return {"name": f"Wolf{letters}", "a_number": f"A{int(tag, 16) % 10**9:09d}", "case": f"FX-{tag}-CR"}


@pytest.fixture
def debug_log(tmp_path):
    """Every logger at DEBUG, into a file (as a deployment's log would be) and kept in memory."""
    path = tmp_path / "app.log"
    handler = logging.FileHandler(path)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    names = ("sqlalchemy.engine", "sqlalchemy.pool", "courtwatch", "werkzeug", "alembic")
    old = {name: logging.getLogger(name).level for name in names}
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield path
    root.removeHandler(handler)
    handler.close()
    root.setLevel(old_level)
    for name, level in old.items():
        logging.getLogger(name).setLevel(level)


def _needles(planted) -> list[bytes]:
    values = [planted["name"], planted["a_number"], planted["case"]]
    found = []
    for value in values:
        found += [value.encode(), value.encode("utf-16-le"), value.lower().encode(), value.upper().encode()]
    return found


def _assert_clean(where: str, blob: bytes, planted) -> None:
    for needle in _needles(planted):
        assert needle not in blob, f"{where} holds {needle!r}"


def _upload(client, data: bytes, courthouse_id: int):
    form = {
        "upload-file": (io.BytesIO(data), "docket.ics"),
        "upload-courthouse": str(courthouse_id),
        "upload-full": "y",
    }
    response = client.post("/calendars/upload", data=form, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert planted_in(preview)  # the coordinator sees the caption in the preview (it is theirs to see)
    assert client.post("/calendars/pending/commit").status_code == 302


def planted_in(html: str) -> bool:
    return "People v." in html


def _run_flow(app, planted, make_courthouse, coordinator, coordinator_client, make_user, login_as):
    courthouse = make_courthouse()
    day = (datetime.now(UTC) + timedelta(hours=30)).strftime("%Y%m%dT%H%M00Z")
    caption = f"People v. {planted['name']} Trzebiatowska"
    _upload(
        coordinator_client,
        ics(
            vevent(
                f"{planted['case']}@court.example",
                f":{day}",
                location="Room 4",
                summary=caption,
                extra=f"DESCRIPTION:Case {planted['case']}",
            )
        ),
        courthouse.id,
    )
    hearing = db.session.scalars(select(Hearing).where(Hearing.courthouse_id == courthouse.id)).one()
    assert hearing.case_number == "" and hearing.title == caption  # ICS: the caption and description
    assert coordinator_client.post(f"/hearings/{hearing.id}/accompaniment", data={"needed": "1"}).status_code == 302
    # Errors along the way: a full name with an A-number, then a NUL byte in the notes.
    bad = coordinator_client.post(
        f"/hearings/{hearing.id}/request", data={"person_label": f"{planted['name']} {planted['a_number']}"}
    )
    assert bad.status_code == 422
    nul = coordinator_client.post(
        f"/hearings/{hearing.id}/request",
        data={"person_label": planted["name"], "private_notes": f"A-number {planted['a_number']}\x00"},
    )
    assert nul.status_code == 422
    ok = coordinator_client.post(
        f"/hearings/{hearing.id}/request",
        data={
            "person_label": planted["name"],
            "language": "Mam",
            "meeting_notes": f"Ask for {planted['name']} at the door",
            "private_notes": f"A-number {planted['a_number']}",
            "contact": f"via sister, re {planted['case']}",
        },
    )
    assert ok.status_code == 302
    volunteer = make_user(name="Vic Volunteer", trainings=(app.config["ACCOMPANIMENT_TRAINING"],))
    shift = shift_for_hearing(hearing)
    client = login_as(volunteer)
    assert client.post(f"/shifts/{shift.id}/claim").status_code == 302
    signup = claims.live_signup(shift.id, volunteer.id)
    assert coordinator_client.post(f"/coordinator/signups/{signup.id}/confirm").status_code == 302
    assert planted["name"] in client.get(f"/shifts/{shift.id}").get_data(as_text=True)  # revealed
    assert planted["name"] in coordinator_client.get(f"/hearings/{hearing.id}").get_data(as_text=True)
    db.session.remove()
    purge_private_hearing_data(now=utcnow() + timedelta(days=int(app.config["ACCOMPANIMENT_PURGE_DAYS"]) + 3))
    db.session.commit()
    db.session.remove()
    hearing = db.session.get(Hearing, hearing.id)
    assert hearing.title == "" and hearing.accompaniment_request is None
    assert accompaniment  # (module used by the flow through the views)


def _sqlite_bytes(url: str) -> bytes:
    path = Path(make_url(url).database)
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    blob = b""
    for suffix in ("", "-wal", "-journal"):
        candidate = Path(str(path) + suffix)
        if candidate.exists():
            blob += candidate.read_bytes()
    return blob


def _postgres_bytes(url: str, since: float) -> list[tuple[str, bytes]]:
    parsed = make_url(url)
    with db.engine.connect() as connection:
        connection.execute(text("CHECKPOINT"))
        data_directory = Path(connection.execute(text("SHOW data_directory")).scalar())
        paths = [
            row[0]
            for row in connection.execute(
                text(
                    "SELECT pg_relation_filepath(oid) FROM pg_class WHERE pg_relation_filepath(oid) IS NOT NULL "
                    "AND relpersistence = 'p' AND relnamespace NOT IN "
                    "(SELECT oid FROM pg_namespace WHERE nspname IN ('pg_catalog', 'information_schema'))"
                )
            )
        ]
    blobs = []
    dump = subprocess.run(
        [
            "pg_dump",
            "-h",
            parsed.host or "127.0.0.1",
            "-p",
            str(parsed.port or 5432),
            "-U",
            parsed.username or "postgres",
            parsed.database,
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    blobs.append(("pg_dump", dump.stdout))
    for relative in paths:
        base = data_directory / relative
        for segment in [base, *sorted(base.parent.glob(base.name + ".*"))]:
            if segment.exists():
                blobs.append((str(segment), segment.read_bytes()))
    assert len(blobs) > 20, "expected the database's table and index files"
    wal = [p for p in (data_directory / "pg_wal").iterdir() if p.is_file() and p.stat().st_mtime >= since - 5]
    assert wal, "no WAL segment was written during the test"
    blobs += [(str(p), p.read_bytes()) for p in wal]
    return blobs


def test_after_purge_nothing_of_the_person_is_in_database_files_wal_logs_or_uploads(
    app, planted, debug_log, make_courthouse, coordinator, coordinator_client, make_user, login_as, database_url, caplog
):
    started = time.time()
    caplog.set_level(logging.DEBUG)
    _run_flow(app, planted, make_courthouse, coordinator, coordinator_client, make_user, login_as)
    logging.getLogger("sqlalchemy.engine").debug("flow finished")  # the file handler did receive lines
    log_text = debug_log.read_bytes()
    assert b"flow finished" in log_text and b"SELECT" in log_text
    _assert_clean("the DEBUG log file", log_text, planted)
    for record in caplog.records:
        _assert_clean(f"log record {record.name}", (record.getMessage() + str(record.exc_text or "")).encode(), planted)
    uploads = Path(app.config["UPLOAD_DIR"])
    for root, _dirs, files in os.walk(uploads):
        for name in files:
            _assert_clean(f"upload {name}", (Path(root) / name).read_bytes(), planted)
    if database_url.startswith("sqlite"):
        _assert_clean("the SQLite file", _sqlite_bytes(database_url), planted)
    else:
        for where, blob in _postgres_bytes(database_url, started):
            _assert_clean(where, blob, planted)
