"""The coordinator's pages: upload -> (columns) -> preview -> commit through real forms, CSRF on."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from courtwatch.courts.hearing_models import Hearing
from courtwatch.db import db
from courtwatch.imports.models import CalendarSource, ImportRun
from courtwatch.privacy.keys import match_key
from tests.imports.conftest import ics, vevent

SOON = (datetime.now(UTC) + timedelta(days=10)).strftime("%Y%m%d")
CALENDAR = ics(
    vevent(
        "w1",
        f":{SOON}T140000Z",
        summary="<script>alert(1)</script> Arraignment",
        location="Room 5",
        extra="DESCRIPTION:see javascript:alert(1)",
    ),
    vevent("w2", f":{SOON}T150000Z", summary="Motions"),
)


def hearing_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Hearing))


def upload(client, data: bytes, filename: str, courthouse_id: int, **extra):
    form = {
        "upload-file": (io.BytesIO(data), filename),
        "upload-courthouse": str(courthouse_id),
        "upload-full": "y",
        **extra,
    }
    return client.post("/calendars/upload", data=form, content_type="multipart/form-data")


def test_ics_upload_preview_then_commit(coordinator_client, make_courthouse):
    courthouse = make_courthouse()
    response = upload(coordinator_client, CALENDAR, "court.ics", courthouse.id)
    assert response.status_code == 302
    preview = coordinator_client.get(response.headers["Location"])
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "2 to add" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert hearing_count() == 0  # nothing written before the commit
    assert response.headers["Location"].endswith("/calendars/pending")  # no token in any URL
    committed = coordinator_client.post("/calendars/pending/commit")
    assert committed.status_code == 302
    assert hearing_count() == 2
    assert db.session.scalar(select(func.count()).select_from(ImportRun)) == 1
    # Committing again cannot import twice: it shows the first result.
    again = coordinator_client.post("/calendars/pending/commit", follow_redirects=True)
    assert again.status_code == 200 and "2 added" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ImportRun)) == 1
    index = coordinator_client.get("/calendars").get_data(as_text=True)
    assert "court.ics" in index
    hearing = db.session.scalars(select(Hearing).where(Hearing.external_key == match_key("w1"))).one()
    page = coordinator_client.get(f"/hearings/{hearing.id}").get_data(as_text=True)
    assert "&lt;script&gt;" in page and 'href="javascript' not in page


def test_commit_needs_csrf(coordinator_client, make_courthouse):
    courthouse = make_courthouse()
    upload(coordinator_client, CALENDAR, "court.ics", courthouse.id)
    assert coordinator_client.post("/calendars/pending/commit", csrf=False).status_code == 400
    assert hearing_count() == 0


def test_csv_upload_with_column_mapping(coordinator_client, make_courthouse):
    courthouse = make_courthouse()
    data = "Docket;Fecha;Hora;Sala\r\nD-1;4/1/2099;9:30 AM;7\r\nD-2;2099-04-02;14:00;8\r\nD-3;nope;9:00;1\r\n"
    response = upload(
        coordinator_client,
        data.encode("cp1252"),
        "docket.csv",
        courthouse.id,
        **{"upload-source_name": "Weekly docket"},
    )
    assert response.status_code == 302 and "/columns" in response.headers["Location"]
    columns = coordinator_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "semicolon" in columns and "D-1" in columns
    # Confirm a mapping (the guess missed nothing, but the coordinator states it explicitly).
    mapping = {"case_number": "Docket", "date": "Fecha", "time": "Hora", "courtroom": "Sala", "key": "case_date"}
    bad = coordinator_client.post(response.headers["Location"], data={"courtroom": "Sala", "key": "case_date"})
    assert bad.status_code == 422 and "date" in bad.get_data(as_text=True)
    confirmed = coordinator_client.post(response.headers["Location"], data=mapping)
    assert confirmed.status_code == 302
    preview = coordinator_client.get(confirmed.headers["Location"]).get_data(as_text=True)
    assert "2 to add" in preview and "1 rejected" in preview and "Line 4:" in preview
    assert hearing_count() == 0
    coordinator_client.post("/calendars/pending/commit")
    assert hearing_count() == 2
    source = db.session.scalars(select(CalendarSource)).one()
    assert '"Sala"' in source.mapping  # remembered for the next upload
    again = upload(
        coordinator_client,
        data.encode("cp1252"),
        "docket.csv",
        courthouse.id,
        **{"upload-source_name": "Weekly docket"},
    )
    page = coordinator_client.get(again.headers["Location"]).get_data(as_text=True)
    assert "confirmed last time" in page


def test_bad_files_get_a_message_not_a_traceback(app, coordinator_client, make_courthouse):
    courthouse = make_courthouse()
    response = upload(coordinator_client, b"\x00\x01\x02garbage", "photo.jpg", courthouse.id)
    assert response.status_code == 422
    assert "Upload an iCalendar" in response.get_data(as_text=True)
    response = upload(
        coordinator_client, b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\n", "broken.ics", courthouse.id
    )
    preview = coordinator_client.get(response.headers["Location"])
    assert preview.status_code == 422 and "flash-error" in preview.get_data(as_text=True)
    app.config["IMPORT_MAX_BYTES"] = 100
    response = upload(coordinator_client, CALENDAR, "court.ics", courthouse.id)
    assert response.status_code == 422 and "larger than" in response.get_data(as_text=True)
    assert hearing_count() == 0


def test_volunteers_cannot_open_calendar_or_hearing_pages(volunteer_client):
    for url in ("/calendars", "/hearings"):
        assert volunteer_client.get(url).status_code == 403


def test_pending_upload_belongs_to_its_uploader(coordinator_client, login_as, make_user, make_courthouse):
    courthouse = make_courthouse()
    response = upload(coordinator_client, CALENDAR, "court.ics", courthouse.id)
    other = login_as(make_user("coordinator"))
    assert other.get(response.headers["Location"]).status_code == 404


def test_xlsx_upload_through_the_web_form(coordinator_client, make_courthouse):
    """Finding 3: the pending file lost its extension and openpyxl refused it."""
    import openpyxl

    courthouse = make_courthouse()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Case Number", "Date", "Time", "Courtroom"])
    sheet.append(["X-1", "2099-05-05", "9:30", "2"])
    sheet.append(["X-2", "2099-05-06", "10:00", "3"])
    data = io.BytesIO()
    workbook.save(data)
    response = upload(coordinator_client, data.getvalue(), "docket.xlsx", courthouse.id)
    assert response.headers["Location"].endswith("/calendars/pending/columns")
    columns = coordinator_client.get(response.headers["Location"])
    assert columns.status_code == 200 and "X-1" in columns.get_data(as_text=True)
    mapping = {
        "case_number": "Case Number",
        "date": "Date",
        "time": "Time",
        "courtroom": "Courtroom",
        "key": "case_date",
    }
    coordinator_client.post("/calendars/pending/columns", data=mapping)
    assert "2 to add" in coordinator_client.get("/calendars/pending").get_data(as_text=True)
    coordinator_client.post("/calendars/pending/commit")
    assert hearing_count() == 2


def test_json_is_not_read_as_a_docket(coordinator_client, make_courthouse):
    courthouse = make_courthouse()
    response = upload(coordinator_client, b'[{"name": "Boston Municipal Court"}]', "courts.json", courthouse.id)
    assert response.status_code == 422 and "Import courthouses" in response.get_data(as_text=True)


def test_double_click_on_a_reimport_applies_once_and_shows_the_first_result(
    app, coordinator_client, make_courthouse, make_user
):
    """Finding 5: a second click applied the changes again (two "Shift changed" emails each)."""
    from courtwatch.courts.hearing_services import set_accompaniment_needed
    from courtwatch.notify.models import OutboxMessage
    from courtwatch.shifts.claims import claim_shift
    from courtwatch.shifts.hearing_hooks import shift_for_hearing

    app.config["IMPORT_HOLD_CANCEL_PERCENT"] = 100
    courthouse = make_courthouse()
    upload(coordinator_client, CALENDAR, "court.ics", courthouse.id)
    first = coordinator_client.post("/calendars/pending/commit")
    second = coordinator_client.post("/calendars/pending/commit")
    assert first.status_code == second.status_code == 302 and hearing_count() == 2
    from courtwatch.privacy.keys import match_key

    hearing = db.session.scalars(select(Hearing).where(Hearing.external_key == match_key("w2"))).one()
    set_accompaniment_needed(None, hearing, True)
    volunteer = make_user(trainings=(app.config["ACCOMPANIMENT_TRAINING"],))
    claim_shift(volunteer, shift_for_hearing(hearing).id)
    db.session.commit()
    moved = CALENDAR.replace(f"{SOON}T150000Z".encode(), f"{SOON}T170000Z".encode())
    upload(coordinator_client, moved, "court.ics", courthouse.id)
    assert "1 to change" in coordinator_client.get("/calendars/pending").get_data(as_text=True)
    responses = [coordinator_client.post("/calendars/pending/commit", follow_redirects=True) for _ in range(2)]
    assert all(r.status_code == 200 and "1 changed" in r.get_data(as_text=True) for r in responses)
    db.session.expire_all()
    to_volunteer = [m for m in db.session.scalars(select(OutboxMessage)) if m.to_address == volunteer.email]
    assert len([m for m in to_volunteer if "change" in m.subject.lower()]) == 1, [m.subject for m in to_volunteer]
    assert db.session.scalar(select(func.count()).select_from(ImportRun)) == 2
