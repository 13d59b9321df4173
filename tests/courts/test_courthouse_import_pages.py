"""The coordinator's courthouse import through real forms (CSRF on): upload -> (columns) -> preview ->
commit; the calendar page sends courthouse lists here; the courthouse page shows phone, hours and
a directions link (issue 13, finding 10)."""

from __future__ import annotations

import io
import os
import re

from sqlalchemy import func, select

from courtwatch.courts.models import Courthouse
from courtwatch.db import db
from courtwatch.storage.models import PendingImport


def nothing_waiting() -> bool:
    """No upload left in the pending store (the database, on every host)."""
    return db.session.scalar(select(func.count()).select_from(PendingImport)) == 0


def count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Courthouse))


def read(corpora_dir, name: str) -> bytes:
    with open(os.path.join(corpora_dir, "courts", name), "rb") as handle:
        return handle.read()


def upload(client, data: bytes, filename: str, mapping: str = "auto"):
    form = {"file": (io.BytesIO(data), filename), "mapping": mapping}
    return client.post("/courthouses/import", data=form, content_type="multipart/form-data")


def test_eoir_upload_preview_shows_counts_and_zones_then_commit_once(coordinator_client, corpora_dir):
    assert coordinator_client.get("/courthouses/import").status_code == 200
    response = upload(coordinator_client, read(corpora_dir, "eoir_immigration_courts.csv"), "eoir.csv")
    assert response.status_code == 302 and response.headers["Location"] == "/courthouses/import/preview"
    preview = coordinator_client.get("/courthouses/import/preview").get_data(as_text=True)
    assert "71 to add" in preview and "0 to change" in preview and "0 unchanged" in preview
    assert "EOIR immigration court list" in preview  # recognised from its columns
    assert "Pacific/Honolulu" in preview and "ZIP code" in preview
    assert "check it" not in preview
    assert "Line 5: Repeats line 4 (same name and city); skipped." in preview
    assert count() == 0  # nothing before the commit
    first = coordinator_client.post("/courthouses/import/commit")
    assert first.status_code == 302 and count() == 71
    second = coordinator_client.post("/courthouses/import/commit", follow_redirects=True)
    assert second.status_code == 200 and "71 added" in second.get_data(as_text=True) and count() == 71

    upload(coordinator_client, read(corpora_dir, "eoir_immigration_courts.csv"), "eoir.csv", mapping="eoir")
    again = coordinator_client.get("/courthouses/import/preview").get_data(as_text=True)
    assert "0 to add" in again and "0 to change" in again and "71 unchanged" in again


def test_massachusetts_json_upload_with_its_mapping(coordinator_client, corpora_dir):
    upload(coordinator_client, read(corpora_dir, "ma_courts_bmc.json"), "ma_courts_bmc.json", mapping="ma-courts")
    preview = coordinator_client.get("/courthouses/import/preview").get_data(as_text=True)
    assert "8 to add" in preview and "America/New_York" in preview and "from the coordinates" in preview
    coordinator_client.post("/courthouses/import/commit")
    assert count() == 8


def test_columns_chosen_by_the_coordinator_and_bad_rows_explained(coordinator_client):
    data = b"Tribunal;Ciudad;Estado;Tel\nTribunal Uno;Miami;FL;305-555-0100\n;Miami;FL;\nTribunal Dos;Tampa;Floridia;\n"
    response = upload(coordinator_client, data, "tribunales.csv")
    assert response.headers["Location"] == "/courthouses/import/columns"  # not a list we know
    page = coordinator_client.get("/courthouses/import/columns").get_data(as_text=True)
    assert "Tribunal Uno" in page and "Which column holds what?" in page
    chosen = {"name": "Tribunal", "city": "Ciudad", "state": "Estado", "phone": "Tel", "key": "name_city"}
    missing_name = coordinator_client.post("/courthouses/import/columns", data={**chosen, "name": ""})
    assert missing_name.status_code == 422 and "Choose the column that holds the courthouse" in missing_name.get_data(
        as_text=True
    )
    assert coordinator_client.post("/courthouses/import/columns", data=chosen).status_code == 302
    preview = coordinator_client.get("/courthouses/import/preview").get_data(as_text=True)
    assert "1 to add" in preview and "2 rejected" in preview
    assert "Line 3: No courthouse name in this row." in preview
    assert "Line 4: “Floridia” is not a US state: write its two-letter code." in preview
    coordinator_client.post("/courthouses/import/commit")
    assert count() == 1
    assert db.session.scalar(select(Courthouse.phone)) == "305-555-0100"


def test_refused_files_keep_the_form_and_leave_nothing_waiting(coordinator_client, app):
    png = upload(coordinator_client, b"\x89PNG\r\n\x1a\n\x00\x00binary", "photo.png")
    assert png.status_code == 422 and "Upload a courthouse list as CSV, Excel (.xlsx) or JSON." in png.get_data(
        as_text=True
    )
    wrong = upload(coordinator_client, b"name,city\nA,B\n", "x.csv", mapping="ma-courts")
    assert wrong.status_code == 422 and "does not have the columns of “ma-courts”" in wrong.get_data(as_text=True)
    with app.app_context():
        assert nothing_waiting()
    assert count() == 0


def test_volunteers_cannot_import_courthouses(volunteer_client):
    assert volunteer_client.get("/courthouses/import").status_code in (302, 403)
    response = upload(volunteer_client, b"name,city,state\nA,Boston,MA\n", "x.csv")
    assert response.status_code in (302, 403) and count() == 0


def test_calendar_upload_refuses_a_courthouse_list_and_points_to_the_courthouse_import(
    coordinator_client, make_courthouse, corpora_dir, app
):
    """Finding 10: the calendar page read the courts JSON as a CSV docket."""
    courthouse = make_courthouse()
    form = {
        "upload-file": (io.BytesIO(read(corpora_dir, "ma_courts_bmc.json")), "ma_courts_bmc.json"),
        "upload-courthouse": str(courthouse.id),
        "upload-full": "y",
    }
    response = coordinator_client.post("/calendars/upload", data=form, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        "This is a JSON file, not a calendar: import a courthouse list under Courthouses → Import courthouses." in html
    )
    with app.app_context():
        assert nothing_waiting()


def test_calendar_cli_points_a_json_file_to_the_courthouse_import(runner, make_courthouse, corpora_dir):
    make_courthouse(slug="cli-court")
    path = os.path.join(corpora_dir, "courts", "ma_courts_bmc.json")
    result = runner.invoke(args=["calendars", "import", path, "--courthouse", "cli-court"])
    assert result.exit_code == 2 and "flask courthouses import PATH" in result.stderr


def test_courthouse_page_shows_phone_hours_and_directions_links_only(volunteer_client, runner, corpora_dir):
    path = os.path.join(corpora_dir, "courts", "ma_courts_bmc.json")
    assert runner.invoke(args=["courthouses", "import", path]).exit_code == 0
    brighton = db.session.scalar(select(Courthouse).where(Courthouse.name.like("Brighton Division%")))
    page = volunteer_client.get(f"/courthouses/{brighton.id}").get_data(as_text=True)
    assert '<a href="tel:+16177826540">(617) 782-6540, Press 5</a>' in page
    assert "Monday - Friday: 8:30 am-4:30 pm" in page
    assert (
        'href="geo:42.347226,-71.153556?q=42.347226,-71.153556(Brighton%20Division%2C%20Boston%20Municipal%20Court)"'
        in page
    )
    assert 'href="https://www.google.com/maps/dir/?api=1&amp;destination=42.347226%2C-71.153556"' in page
    # Links only: nothing on the page is loaded from another host.
    sources = re.findall(r'(?:src|srcset|data)="([^"]+)"', page)
    assert sources and all(not s.startswith(("http:", "https:", "//")) for s in sources)
    assert "<iframe" not in page


def test_courthouse_without_coordinates_gets_directions_by_address(coordinator_client, make_courthouse):
    courthouse = make_courthouse(
        name="Kings Criminal", street_address="120 Schermerhorn St", city="Brooklyn", state="NY"
    )
    page = coordinator_client.get(f"/courthouses/{courthouse.id}").get_data(as_text=True)
    assert 'href="geo:0,0?q=120%20Schermerhorn%20St%2C%20Brooklyn%2C%20NY"' in page
    assert "destination=Kings+Criminal%2C+120+Schermerhorn+St%2C+Brooklyn%2C+NY" in page


def test_coordinator_types_phone_hours_and_coordinates_in_the_form(coordinator_client, make_courthouse):
    courthouse = make_courthouse()
    form = {
        "name": courthouse.name,
        "slug": courthouse.slug,
        "timezone": "America/New_York",
        "court_types": ["criminal"],
        "phone": "(617) 555-0100",
        "hours": "Mon-Fri 8:00-16:30",
        "latitude": "42.36",
        "longitude": "-71.06",
        "active": "y",
    }
    assert coordinator_client.post(f"/courthouses/{courthouse.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Courthouse, courthouse.id)
    assert (saved.phone, saved.hours, saved.latitude, saved.longitude) == (
        "(617) 555-0100",
        "Mon-Fri 8:00-16:30",
        42.36,
        -71.06,
    )
    half = coordinator_client.post(f"/courthouses/{courthouse.id}/edit", data={**form, "longitude": ""})
    assert half.status_code == 422 and "Give both latitude and longitude, or neither." in half.get_data(as_text=True)


def test_the_nine_massachusetts_files_upload_at_once(coordinator_client, corpora_dir):
    names = sorted(n for n in os.listdir(os.path.join(corpora_dir, "courts")) if n.startswith("ma_courts_"))
    files = [(io.BytesIO(read(corpora_dir, name)), name) for name in names]
    response = coordinator_client.post(
        "/courthouses/import", data={"file": files, "mapping": "auto"}, content_type="multipart/form-data"
    )
    assert response.headers["Location"] == "/courthouses/import/preview"
    preview = coordinator_client.get("/courthouses/import/preview").get_data(as_text=True)
    assert "178 to add" in preview and "0 rejected" in preview
    assert "ma_courts_juvenile_courts.json entry 37: Repeats ma_courts_juvenile_courts.json entry 36" in preview
    assert coordinator_client.post("/courthouses/import/commit").status_code == 302
    assert count() == 178


def test_several_files_name_the_one_refused_and_keep_nothing(coordinator_client, corpora_dir, app):
    files = [
        (io.BytesIO(read(corpora_dir, "ma_courts_bmc.json")), "ma_courts_bmc.json"),
        (io.BytesIO(b"Tribunal,Ciudad\nUno,Miami\n"), "tribunales.csv"),
    ]
    response = coordinator_client.post(
        "/courthouses/import", data={"file": files, "mapping": "auto"}, content_type="multipart/form-data"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "tribunales.csv: This is not a list we know: upload it alone to choose its columns." in html
    with app.app_context():
        assert nothing_waiting()
