"""Photos and pending imports are in the shared database: another app host, with an upload folder of
its own, serves the photo and commits the import; a full database is said plainly and leaves nothing."""

from __future__ import annotations

import io
import json
import os
import secrets
import sqlite3
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url

from courtwatch import create_app
from courtwatch.db import db
from courtwatch.imports.models import ImportRun
from courtwatch.observations.models import Observation, ObservationPhoto
from courtwatch.storage.models import PendingImport, StoredBlob, StoredBlobChunk
from tests.conftest import CsrfClient, form_errors
from tests.imports.test_web_flow import CALENDAR, hearing_count, upload
from tests.observations.conftest import jpeg_bytes, report_form

FULL_MESSAGE = "The server has no room to store this file right now"


@pytest.fixture
def court(make_courthouse):
    return make_courthouse(name="Chelsea District Court", short_name="Chelsea", court_types=["criminal"])


@pytest.fixture
def other_host(test_config, tmp_path):
    """A second app instance on the same database, with its own instance and upload folders."""
    other = create_app({**test_config, "UPLOAD_DIR": str(tmp_path / "host-b-uploads")})
    other.test_client_class = CsrfClient
    yield other
    with other.app_context():
        db.engine.dispose()


def same_browser_on(host, client) -> CsrfClient:
    """A client of another host carrying this client's cookies (the browser behind a proxy)."""
    moved = host.test_client()
    for cookie in client._cookies.values():
        moved.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)
    return moved


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def noisy_jpeg(edge: int) -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (edge, edge), os.urandom(edge * edge * 3)).save(out, "JPEG", quality=95)
    return out.getvalue()


def test_a_photo_filed_through_one_host_is_served_by_another(app, other_host, volunteer_client, court):
    data = report_form(court, photos=[(io.BytesIO(jpeg_bytes(size=(90, 60))), "a.jpg", "image/jpeg")])
    assert volunteer_client.post("/observations/new", data=data, content_type="multipart/form-data").status_code == 302
    photo = db.session.scalar(select(ObservationPhoto))
    url = f"/observations/{photo.observation_id}/photos/{photo.id}"
    here = volunteer_client.get(url)
    there = same_browser_on(other_host, volunteer_client).get(url)
    assert there.status_code == 200, there.status_code
    assert there.data == here.data and len(there.data) == photo.size
    with Image.open(io.BytesIO(there.data)) as picture:
        assert picture.size == (90, 60)
    assert int(there.headers["Content-Length"]) == photo.size
    # Nothing of the photo is on either host's disk.
    # Nothing either host needs from the other: at most the previewing host's own parse cache
    # (uploads/parsed: its background read may still be finishing; swept after an hour).
    for folder in (Path(app.config["UPLOAD_DIR"]), Path(other_host.config["UPLOAD_DIR"])):
        assert not folder.exists() or not [p for p in folder.rglob("*") if p.is_file() and p.parent.name != "parsed"]
    assert_nothing_readable(Path(app.config["UPLOAD_DIR"]), Path(other_host.config["UPLOAD_DIR"]))


def assert_nothing_readable(*folders: Path) -> None:
    """No file under these folders holds the calendar's text (its summaries, its structure)."""
    for folder in folders:
        for path in folder.rglob("*") if folder.exists() else []:
            if path.is_file():
                data = path.read_bytes()
                assert b"Arraignment" not in data and b"Motions" not in data and b"VEVENT" not in data, path


def test_a_large_photo_is_stored_in_chunks_and_streamed_back_whole(app, volunteer_client, court):
    original = noisy_jpeg(700)
    data = report_form(court, photos=[(io.BytesIO(original), "big.jpg", "image/jpeg")])
    assert volunteer_client.post("/observations/new", data=data, content_type="multipart/form-data").status_code == 302
    photo = db.session.scalar(select(ObservationPhoto))
    assert count(StoredBlobChunk) > 1  # more than one chunk row: never one huge value
    served = volunteer_client.get(f"/observations/{photo.observation_id}/photos/{photo.id}")
    assert served.is_streamed and len(served.data) == photo.size
    Image.open(io.BytesIO(served.data)).verify()


def test_an_import_previewed_on_one_host_is_committed_on_another(app, other_host, coordinator_client, make_courthouse):
    courthouse = make_courthouse()
    assert upload(coordinator_client, CALENDAR, "court.ics", courthouse.id).status_code == 302
    assert "2 to add" in coordinator_client.get("/calendars/pending").get_data(as_text=True)
    # The previewing host's parse cache (its records and its copy of the file) is sealed under
    # the upload's key: the docket's text is nowhere readable in its folders.
    assert_nothing_readable(Path(app.config["UPLOAD_DIR"]))
    host_b = same_browser_on(other_host, coordinator_client)
    preview = host_b.get("/calendars/pending")
    assert preview.status_code == 200 and "2 to add" in preview.get_data(as_text=True)
    assert host_b.post("/calendars/pending/commit").status_code == 302
    assert hearing_count() == 2
    # A second click, back on the first host, shows the first commit's result: never twice.
    again = coordinator_client.post("/calendars/pending/commit", follow_redirects=True)
    assert "2 added" in again.get_data(as_text=True)
    assert count(ImportRun) == 1
    assert count(StoredBlob) == 0  # the file went with the commit
    # Nothing either host needs from the other: at most the previewing host's own parse cache
    # (uploads/parsed: its background read may still be finishing; swept after an hour).
    for folder in (Path(app.config["UPLOAD_DIR"]), Path(other_host.config["UPLOAD_DIR"])):
        assert not folder.exists() or not [p for p in folder.rglob("*") if p.is_file() and p.parent.name != "parsed"]


def test_a_pending_import_is_unreadable_in_the_database_without_the_uploaders_session(
    coordinator_client, make_courthouse
):
    courthouse = make_courthouse()
    assert upload(coordinator_client, CALENDAR, "court.ics", courthouse.id).status_code == 302
    stored = b"".join(bytes(chunk) for chunk in db.session.scalars(select(StoredBlobChunk.data)))
    assert len(stored) >= len(CALENDAR)
    assert b"VEVENT" not in stored and b"Arraignment" not in stored
    with coordinator_client.session_transaction() as session:
        token = session["import_pending"]
    keys = db.session.scalars(select(PendingImport.token_hash)).all()
    assert len(keys) == 1 and token not in keys[0]


@pytest.fixture
def database_full(app, database_url):
    """Make the next writes of stored files fail as a full database does (SQLITE_FULL; PostgreSQL's
    disk_full, raised by a trigger because the test cannot fill the server's disk)."""
    db.session.commit()
    if database_url.startswith("sqlite"):
        db.engine.dispose()
        path = make_url(database_url).database
        with sqlite3.connect(path) as raw:
            raw.execute("VACUUM")  # no free pages left to reuse: any growth needs a new page
            pages = raw.execute("PRAGMA page_count").fetchone()[0]

        def no_room(dbapi_connection, _record, _proxy):
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 1}")

        event.listen(db.engine, "checkout", no_room)
        yield
        event.remove(db.engine, "checkout", no_room)
        db.engine.dispose()
        return
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "CREATE FUNCTION test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; "
                "END $$"
            )
        )
        connection.execute(
            text(
                "CREATE TRIGGER test_disk_full BEFORE INSERT ON stored_blob_chunk "
                "FOR EACH ROW EXECUTE FUNCTION test_disk_full()"
            )
        )
    yield
    db.session.rollback()  # the test's own reads hold a lock the DROP would wait for
    with db.engine.begin() as connection:
        connection.execute(text("DROP TRIGGER test_disk_full ON stored_blob_chunk"))
        connection.execute(text("DROP FUNCTION test_disk_full()"))


def test_a_full_database_says_so_and_leaves_nothing_behind(app, volunteer_client, court, database_full):
    photo = noisy_jpeg(400)
    for _attempt in range(2):
        data = report_form(court, photos=[(io.BytesIO(photo), "a.jpg", "image/jpeg")])
        response = volunteer_client.post("/observations/new", data=data, content_type="multipart/form-data")
        html = response.get_data(as_text=True)
        assert response.status_code in (422, 507), response.status_code
        assert FULL_MESSAGE in html
        if response.status_code == 422:  # the form again, with what was typed, and the message at the photos
            assert any(FULL_MESSAGE in error for error in form_errors(html))
            assert "Two men with earpieces" in html
    assert (count(Observation), count(ObservationPhoto), count(StoredBlob), count(StoredBlobChunk)) == (0, 0, 0, 0)
    uploads = Path(app.config["UPLOAD_DIR"])
    assert not uploads.exists() or not [p for p in uploads.rglob("*") if p.is_file()]


def test_an_import_into_a_full_database_says_so_beside_the_file(coordinator_client, make_courthouse, database_full):
    courthouse = make_courthouse()
    large = CALENDAR.replace(b"END:VCALENDAR", b"X-NOTE:" + b"a" * 400_000 + b"\r\nEND:VCALENDAR")
    response = upload(coordinator_client, large, "court.ics", courthouse.id)
    html = response.get_data(as_text=True)
    assert response.status_code in (422, 507) and FULL_MESSAGE in html
    assert (count(PendingImport), count(StoredBlob), count(StoredBlobChunk)) == (0, 0, 0)


def _legacy_photo(app, volunteer_client, court) -> tuple[ObservationPhoto, bytes]:
    """A photo as an older release kept it: a file in UPLOAD_DIR/observations, nothing in the store."""
    data = report_form(court, photos=[(io.BytesIO(jpeg_bytes()), "a.jpg", "image/jpeg")])
    assert volunteer_client.post("/observations/new", data=data, content_type="multipart/form-data").status_code == 302
    photo = db.session.scalar(select(ObservationPhoto))
    served = volunteer_client.get(f"/observations/{photo.observation_id}/photos/{photo.id}").data
    db.session.execute(StoredBlobChunk.__table__.delete())
    db.session.execute(StoredBlob.__table__.delete())
    db.session.commit()
    folder = Path(app.config["UPLOAD_DIR"]) / "observations"
    folder.mkdir(parents=True)
    (folder / photo.stored_name).write_bytes(served)
    return photo, served


def test_migrate_files_moves_uploads_into_the_store_once(
    app, runner, volunteer_client, coordinator, coordinator_client, court, make_courthouse
):
    photo, picture = _legacy_photo(app, volunteer_client, court)
    url = f"/observations/{photo.observation_id}/photos/{photo.id}"
    assert volunteer_client.get(url).status_code == 404  # not in the store yet
    courthouse = make_courthouse()
    token = secrets.token_urlsafe(32)
    pending_folder = Path(app.config["UPLOAD_DIR"]) / "pending"
    pending_folder.mkdir()
    (pending_folder / f"{token}.upload").write_bytes(CALENDAR)
    meta = {
        "token": token,
        "user_id": coordinator.id,
        "filename": "court.ics",
        "kind": "ics",
        "courthouse_id": courthouse.id,
        "source_name": "court.ics",
        "full": True,
        "mapping": None,
        "created": __import__("time").time(),
    }
    (pending_folder / f"{token}.json").write_text(json.dumps(meta))
    (Path(app.config["UPLOAD_DIR"]) / "observations" / ("f" * 32 + ".jpg")).write_bytes(b"no report names me")

    first = runner.invoke(args=["storage", "migrate-files"])
    assert first.exit_code == 0, first.output
    assert "photos: 1 moved, 0 already stored, 1 left in place" in first.output
    assert "pending imports: 1 moved, 0 already stored, 0 left in place" in first.output
    second = runner.invoke(args=["storage", "migrate-files"])
    assert second.exit_code == 0 and "photos: 0 moved, 0 already stored, 1 left in place" in second.output
    assert "pending imports: 0 moved" in second.output

    assert volunteer_client.get(url).data == picture
    with coordinator_client.session_transaction() as session:
        session["import_pending"] = token
    assert "2 to add" in coordinator_client.get("/calendars/pending").get_data(as_text=True)
    assert coordinator_client.post("/calendars/pending/commit").status_code == 302
    assert hearing_count() == 2
    left = Path(app.config["UPLOAD_DIR"]).rglob("*")
    assert sorted(p.name for p in left if p.is_file() and p.parent.name not in ("parsed", "scratch")) == [
        "f" * 32 + ".jpg"
    ]
