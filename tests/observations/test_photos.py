"""Photos: accepted by content, EXIF/GPS gone, pixel bombs refused, served only to the right people."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from courtwatch.db import db
from courtwatch.observations.models import Observation, ObservationPhoto
from courtwatch.storage.models import StoredBlob
from tests.conftest import form_errors
from tests.observations.conftest import jpeg_bytes, report_form

GPS_IFD = 0x8825


def _exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[GPS_IFD] = {1: "N", 2: (42.0, 21.0, 30.0), 3: "W", 4: (71.0, 3.0, 36.0)}
    return exif


def _stored_bytes(photo: ObservationPhoto) -> bytes:
    from courtwatch.observations.photos import photo_bytes

    stored = photo_bytes(photo)
    assert stored is not None
    return stored


def test_exif_and_gps_are_stripped_and_orientation_applied(app, volunteer_client, court):
    original = jpeg_bytes(size=(80, 40), exif=_exif_with_gps())
    with Image.open(io.BytesIO(original)) as check:  # the test file really carries GPS
        assert check.getexif().get_ifd(GPS_IFD)
    data = report_form(court, photos=[(io.BytesIO(original), "IMG_0001.JPG", "image/jpeg")])
    response = volunteer_client.post("/observations/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, form_errors(response.get_data(as_text=True))
    photo = db.session.scalar(select(ObservationPhoto))
    raw = _stored_bytes(photo)
    assert b"Exif" not in raw and b"PhoneMaker" not in raw
    with Image.open(io.BytesIO(raw)) as stored:
        assert stored.format == "JPEG"
        assert len(stored.getexif()) == 0 and not stored.getexif().get_ifd(GPS_IFD)
        assert "exif" not in stored.info
        assert stored.size == (40, 80)  # the orientation tag was applied, then dropped
    assert photo.stored_name != "IMG_0001.JPG" and "IMG" not in photo.stored_name
    assert not any(Path(app.static_folder).rglob(photo.stored_name))
    assert (photo.width, photo.height, photo.size) == (40, 80, len(raw))


def test_an_iphone_heic_photo_is_accepted_and_stored_as_jpeg_without_gps(app, volunteer_client, court):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 30, 30)).save(buffer, format="HEIF", exif=_exif_with_gps().tobytes())
    original = buffer.getvalue()
    with Image.open(io.BytesIO(original)) as check:  # the test file really is HEIC and carries GPS
        assert check.format == "HEIF" and check.getexif().get_ifd(GPS_IFD)
    data = report_form(court, photos=[(io.BytesIO(original), "IMG_0002.HEIC", "image/heic")])
    response = volunteer_client.post("/observations/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, form_errors(response.get_data(as_text=True))
    photo = db.session.scalar(select(ObservationPhoto))
    with Image.open(io.BytesIO(_stored_bytes(photo))) as stored:
        assert stored.format == "JPEG" and photo.content_type == "image/jpeg"
        assert not stored.getexif().get_ifd(GPS_IFD) and "exif" not in stored.info


def test_png_metadata_is_dropped_too(app, volunteer_client, court):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "taken at 42.35N 71.06W")
    out = io.BytesIO()
    Image.new("RGBA", (20, 20), (0, 0, 255, 128)).save(out, "PNG", pnginfo=info)
    data = report_form(court, photos=[(io.BytesIO(out.getvalue()), "x.png", "image/png")])
    assert volunteer_client.post("/observations/new", data=data, content_type="multipart/form-data").status_code == 302
    photo = db.session.scalar(select(ObservationPhoto))
    assert photo.content_type == "image/png"
    assert b"42.35N" not in _stored_bytes(photo)


def test_a_renamed_html_file_is_refused_and_nothing_is_stored(app, volunteer_client, court):
    html = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
    data = report_form(court, photos=[(io.BytesIO(html), "photo.jpg", "image/jpeg")])
    response = volunteer_client.post("/observations/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert any("not a photo" in e for e in form_errors(response.get_data(as_text=True)))
    assert db.session.scalar(select(func.count()).select_from(Observation)) == 0
    assert db.session.scalar(select(func.count()).select_from(StoredBlob)) == 0
    folder = Path(app.config["UPLOAD_DIR"]) / "observations"
    assert not folder.exists() or not os.listdir(folder)


def test_a_gif_is_refused_by_content(volunteer_client, court):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    data = report_form(court, photos=[(io.BytesIO(out.getvalue()), "photo.jpg", "image/jpeg")])
    assert volunteer_client.post("/observations/new", data=data, content_type="multipart/form-data").status_code == 422


def test_too_many_pixels_is_refused(app, volunteer_client, court):
    app.config["PHOTO_MAX_PIXELS"] = 1000
    data = report_form(court, photos=[(io.BytesIO(jpeg_bytes(size=(100, 100))), "a.jpg", "image/jpeg")])
    response = volunteer_client.post("/observations/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert any("too many pixels" in e for e in form_errors(response.get_data(as_text=True)))


def test_count_and_size_limits(app, volunteer_client, court):
    app.config["PHOTO_MAX_COUNT"] = 2
    files = [(io.BytesIO(jpeg_bytes()), f"{n}.jpg", "image/jpeg") for n in range(3)]
    response = volunteer_client.post(
        "/observations/new", data=report_form(court, photos=files), content_type="multipart/form-data"
    )
    assert response.status_code == 422 and any(
        "at most 2 photos" in e for e in form_errors(response.get_data(as_text=True))
    )
    app.config["PHOTO_MAX_BYTES"] = 200
    files = [(io.BytesIO(jpeg_bytes(size=(300, 300))), "big.jpg", "image/jpeg")]
    response = volunteer_client.post(
        "/observations/new", data=report_form(court, photos=files), content_type="multipart/form-data"
    )
    assert response.status_code == 422 and any(
        "at most" in e and "MB" in e for e in form_errors(response.get_data(as_text=True))
    )


@pytest.fixture
def photo_report(volunteer_client, court):
    data = report_form(court, photos=[(io.BytesIO(jpeg_bytes()), "a.jpg", "image/jpeg")])
    assert volunteer_client.post("/observations/new", data=data, content_type="multipart/form-data").status_code == 302
    return db.session.scalar(select(ObservationPhoto))


def test_photo_is_served_privately_to_reporter_and_coordinators(volunteer_client, coordinator_client, photo_report):
    url = f"/observations/{photo_report.observation_id}/photos/{photo_report.id}"
    for client in (volunteer_client, coordinator_client):
        response = client.get(url)
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response.headers["Cache-Control"] and "private" in response.headers["Cache-Control"]
        assert response.headers["Content-Disposition"].startswith("inline; filename=report-")
        Image.open(io.BytesIO(response.data)).verify()
        response.close()  # the file the response streams from


def test_other_volunteers_get_404_for_photos_even_by_guessing(login_as, make_user, photo_report, client):
    other = login_as(make_user())
    observation_id, photo_id = photo_report.observation_id, photo_report.id
    for url in (
        f"/observations/{observation_id}/photos/{photo_id}",
        f"/observations/{observation_id}/photos/{photo_id + 1}",
        f"/observations/{observation_id + 1}/photos/{photo_id}",
    ):
        assert other.get(url).status_code == 404
    # Not logged in: sent to the login page, never the picture.
    assert client.get(f"/observations/{observation_id}/photos/{photo_id}").status_code == 302


def test_photo_files_of_a_rolled_back_report_are_removed(app, volunteer, court):
    """A report that is not saved leaves no photo behind (nothing half-written)."""
    from courtwatch.observations.photos import clean_photo, store_photos

    cleaned = clean_photo(jpeg_bytes(), app.config["PHOTO_MAX_PIXELS"])
    observation = Observation(reporter_id=volunteer.id, courthouse_id=court.id)
    store_photos(observation, [cleaned])
    assert db.session.scalar(select(func.count()).select_from(StoredBlob)) == 1
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(StoredBlob)) == 0
