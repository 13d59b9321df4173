"""Who reads which report: the reporter and staff; everyone else gets 404, also for guessed ids."""

from __future__ import annotations

from sqlalchemy import select

from courtwatch.db import db
from courtwatch.observations.models import Observation
from tests.observations.conftest import report_form


def _file(client, court, **overrides) -> Observation:
    response = client.post("/observations/new", data=report_form(court, **overrides))
    assert response.status_code == 302
    db.session.expire_all()
    return db.session.scalar(select(Observation).order_by(Observation.id.desc()))


def test_another_volunteer_cannot_read_a_report(volunteer_client, login_as, make_user, court):
    observation = _file(volunteer_client, court, narrative="Two agents by the elevator, first-hand.")
    other = login_as(make_user())
    for url in (
        f"/observations/{observation.id}",
        f"/observations/{observation.id}/amend",
        f"/observations/{observation.id + 1}",
        f"/observations/{observation.id + 1000}",
    ):
        response = other.get(url)
        assert response.status_code == 404, url
        assert "elevator" not in response.get_data(as_text=True)
    assert volunteer_client.get(f"/observations/{observation.id}").status_code == 200


def test_my_reports_lists_only_mine(volunteer_client, login_as, make_user, court):
    mine = _file(volunteer_client, court, courtroom="Room MINE")
    other_client = login_as(make_user())
    _file(other_client, court, courtroom="Room OTHER")
    html = volunteer_client.get("/me/observations").get_data(as_text=True)
    assert f"/observations/{mine.id}" in html
    assert html.count('class="row"') == 1


def test_volunteers_cannot_open_staff_pages(volunteer_client, court):
    observation = _file(volunteer_client, court)
    assert volunteer_client.get("/coordinator/observations").status_code == 403
    assert (
        volunteer_client.post(
            f"/observations/{observation.id}/verify", data={"status": "confirmed", "note": "x"}
        ).status_code
        == 403
    )
    assert volunteer_client.get(f"/observations/{observation.id}/edit").status_code == 403
    assert (
        volunteer_client.post(
            "/coordinator/observations/link", data={"observation_ids": [str(observation.id)]}
        ).status_code
        == 403
    )
    db.session.expire_all()
    assert db.session.get(Observation, observation.id).status == "unverified"


def test_staff_read_every_report(volunteer_client, coordinator_client, admin_client, court):
    observation = _file(volunteer_client, court)
    for client in (coordinator_client, admin_client):
        assert client.get(f"/observations/{observation.id}").status_code == 200
