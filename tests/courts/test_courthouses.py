"""Courthouses: coordinators create and edit them through the forms; everyone approved reads them."""

from __future__ import annotations

from sqlalchemy import func, select

from courtwatch.courts.models import Courthouse
from courtwatch.db import db
from courtwatch.privacy.models import AuditEvent
from tests.conftest import form_errors

FORM = {
    "name": "Brooklyn Criminal Court",
    "short_name": "Brooklyn Criminal",
    "slug": "brooklyn-criminal",
    "street_address": "120 Schermerhorn Street",
    "city": "Brooklyn",
    "county": "Kings County",
    "state": "ny",
    "postal_code": "11201",
    "timezone": "America/New_York",
    "court_types": ["criminal", "family"],
    "notes": "Line forms at the side door.",
    "active": "y",
}


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Courthouse))


def test_coordinator_creates_a_courthouse(coordinator_client):
    assert coordinator_client.get("/courthouses/new").status_code == 200
    response = coordinator_client.post("/courthouses/new", data=FORM)
    assert response.status_code == 302
    courthouse = db.session.scalar(select(Courthouse))
    assert response.headers["Location"] == f"/courthouses/{courthouse.id}"
    assert (courthouse.slug, courthouse.state, courthouse.court_type_list) == (
        "brooklyn-criminal",
        "NY",
        ["criminal", "family"],
    )
    assert courthouse.zone.key == "America/New_York" and courthouse.active
    page = coordinator_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Brooklyn Criminal Court" in page and "120 Schermerhorn Street" in page
    assert db.session.scalar(select(AuditEvent.action)) == "courthouse.created"


def test_bad_time_zone_is_shown_next_to_the_field_and_nothing_is_written(coordinator_client):
    response = coordinator_client.post("/courthouses/new", data={**FORM, "timezone": "Mars/Olympus_Mons"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="timezone-error"' in html and "America/New_York" in " ".join(form_errors(html))
    assert 'value="Brooklyn Criminal Court"' in html and 'value="120 Schermerhorn Street"' in html
    assert "<select" in html.split('id="timezone"')[0][-200:]  # chosen from a list of valid zones, not typed
    assert _count() == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_duplicate_slug_is_shown_next_to_the_field(coordinator_client, make_courthouse):
    make_courthouse(slug="brooklyn-criminal")
    response = coordinator_client.post("/courthouses/new", data=FORM)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="slug-error"' in html
    assert 'value="Brooklyn Criminal Court"' in html and "Line forms at the side door." in html
    assert _count() == 1


def test_bad_slug_characters_are_refused(coordinator_client):
    response = coordinator_client.post("/courthouses/new", data={**FORM, "slug": "Brooklyn Court!"})
    assert response.status_code == 422
    assert 'id="slug-error"' in response.get_data(as_text=True)
    assert _count() == 0


def test_missing_name_is_refused(coordinator_client):
    response = coordinator_client.post("/courthouses/new", data={**FORM, "name": ""})
    assert response.status_code == 422
    assert 'id="name-error"' in response.get_data(as_text=True)
    assert _count() == 0


def test_coordinator_edits_a_courthouse(coordinator_client, make_courthouse):
    courthouse = make_courthouse(name="Old Name", slug="old-name")
    form = coordinator_client.get(f"/courthouses/{courthouse.id}/edit").get_data(as_text=True)
    assert 'value="Old Name"' in form
    response = coordinator_client.post(
        f"/courthouses/{courthouse.id}/edit", data={**FORM, "slug": "old-name", "name": "New Name"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    courthouse = db.session.get(Courthouse, courthouse.id)
    assert courthouse.name == "New Name" and courthouse.court_type_list == ["criminal", "family"]
    assert "courthouse.updated" in db.session.scalars(select(AuditEvent.action)).all()


def test_edit_with_errors_changes_nothing(coordinator_client, make_courthouse):
    taken = make_courthouse(slug="taken")
    courthouse = make_courthouse(name="Keep Me", slug="keep-me", timezone="America/Chicago")
    response = coordinator_client.post(
        f"/courthouses/{courthouse.id}/edit", data={**FORM, "name": "Changed", "slug": taken.slug}
    )
    assert response.status_code == 422
    assert 'value="Changed"' in response.get_data(as_text=True)
    response = coordinator_client.post(
        f"/courthouses/{courthouse.id}/edit",
        data={**FORM, "name": "Changed", "slug": "keep-me", "timezone": "Nowhere/Else"},
    )
    assert response.status_code == 422
    db.session.expire_all()
    courthouse = db.session.get(Courthouse, courthouse.id)
    assert (courthouse.name, courthouse.slug, courthouse.timezone) == ("Keep Me", "keep-me", "America/Chicago")


def test_volunteer_lists_but_cannot_create_or_edit(volunteer_client, make_courthouse):
    active = make_courthouse(name="Open Court")
    closed = make_courthouse(name="Closed Court", active=False)
    listing = volunteer_client.get("/courthouses")
    assert listing.status_code == 200
    html = listing.get_data(as_text=True)
    assert "Open Court" in html and "Closed Court" not in html and "/courthouses/new" not in html
    assert volunteer_client.get(f"/courthouses/{active.id}").status_code == 200
    assert volunteer_client.get(f"/courthouses/{closed.id}").status_code == 404
    assert volunteer_client.get("/courthouses/new").status_code == 403
    assert volunteer_client.post("/courthouses/new", data=FORM).status_code == 403
    assert volunteer_client.post(f"/courthouses/{active.id}/edit", data=FORM).status_code == 403
    assert _count() == 2


def test_staff_see_inactive_courthouses(coordinator_client, make_courthouse):
    make_courthouse(name="Closed Court", active=False)
    assert "Closed Court" in coordinator_client.get("/courthouses").get_data(as_text=True)
