"""Amending within the window, and coordinators' edits that keep the original text."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from courtwatch.db import db
from courtwatch.observations.models import Observation, ObservationRevision
from tests.conftest import form_errors
from tests.observations.conftest import report_form


def _file(client, court, **overrides):
    data = report_form(court, **overrides)
    assert client.post("/observations/new", data=data).status_code == 302
    return db.session.scalar(select(Observation)), data


def _amend_data(data, **changes):
    payload = {k: v for k, v in data.items() if k != "idempotency_key"}
    payload.update(changes)
    return payload


def test_reporter_amends_within_the_window(volunteer_client, court):
    observation, data = _file(volunteer_client, court)
    page = volunteer_client.get(f"/observations/{observation.id}")
    assert "Amend" in page.get_data(as_text=True)
    form = volunteer_client.get(f"/observations/{observation.id}/amend").get_data(as_text=True)
    assert "Grey Ford Explorer" in form
    response = volunteer_client.post(f"/observations/{observation.id}/amend", data=_amend_data(data, agent_count="3"))
    assert response.status_code == 302
    db.session.expire_all()
    observation = db.session.get(Observation, observation.id)
    assert observation.agent_count == 3 and observation.amended_at is not None
    revision = db.session.scalar(select(ObservationRevision))
    assert revision.kind == "amend" and revision.changes == {"agent_count": [2, 3]}


def test_amend_keeps_input_on_error(volunteer_client, court):
    observation, data = _file(volunteer_client, court)
    response = volunteer_client.post(
        f"/observations/{observation.id}/amend", data=_amend_data(data, agent_count="999", narrative="Kept text")
    )
    assert response.status_code == 422
    assert form_errors(response.get_data(as_text=True)) and "Kept text" in response.get_data(as_text=True)


def test_amend_window_closes(app, volunteer_client, court):
    observation, data = _file(volunteer_client, court)
    hours = app.config["OBSERVATION_AMEND_HOURS"]
    observation.created_at = observation.created_at - timedelta(hours=hours, minutes=1)
    db.session.commit()
    assert "time to amend has passed" in volunteer_client.get(f"/observations/{observation.id}").get_data(as_text=True)
    response = volunteer_client.post(f"/observations/{observation.id}/amend", data=_amend_data(data, agent_count="4"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Observation, observation.id).agent_count == 2


def test_amending_a_verified_report_sends_it_back_to_review(volunteer_client, coordinator_client, court):
    observation, data = _file(volunteer_client, court)
    coordinator_client.post(f"/observations/{observation.id}/verify", data={"status": "confirmed", "note": "Seen"})
    volunteer_client.post(f"/observations/{observation.id}/amend", data=_amend_data(data, courtroom="Room 9"))
    db.session.expire_all()
    assert db.session.get(Observation, observation.id).status == "unverified"


def test_coordinator_edits_for_clarity_and_the_original_is_kept(volunteer_client, coordinator_client, court):
    observation, data = _file(volunteer_client, court, narrative="2 guys w earpieces @ door 9ish")
    response = coordinator_client.post(
        f"/observations/{observation.id}/edit",
        data=_amend_data(data, narrative="Two men with earpieces at the main door around 9:00."),
    )
    assert response.status_code == 302
    coordinator_client.post(
        f"/observations/{observation.id}/edit",
        data=_amend_data(data, narrative="Two men with earpieces at the main door at 9:00."),
    )
    db.session.expire_all()
    observation = db.session.get(Observation, observation.id)
    assert observation.narrative == "Two men with earpieces at the main door at 9:00."
    assert observation.original_narrative == "2 guys w earpieces @ door 9ish"
    assert [r.kind for r in observation.revisions] == ["edit", "edit"]
    html = coordinator_client.get(f"/observations/{observation.id}").get_data(as_text=True)
    assert "Original text by the volunteer" in html and "2 guys w earpieces" in html
