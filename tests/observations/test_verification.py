"""Review queue, verification with a note and its history, incidents that count once."""

from __future__ import annotations

import json

from sqlalchemy import event, func, select

from courtwatch.db import db
from courtwatch.observations.models import Incident, Observation
from courtwatch.privacy.models import AuditEvent
from tests.conftest import form_errors
from tests.observations.conftest import arrest_form, report_form


def _file(client, court, **overrides) -> Observation:
    assert client.post("/observations/new", data=arrest_form(court, **overrides)).status_code == 302
    db.session.expire_all()
    return db.session.scalar(select(Observation).order_by(Observation.id.desc()))


def test_verification_needs_a_note_and_is_kept_in_the_audit_log(
    volunteer_client, coordinator_client, coordinator, court
):
    observation = _file(volunteer_client, court)
    missing = coordinator_client.post(f"/observations/{observation.id}/verify", data={"status": "confirmed"})
    assert missing.status_code == 422 and form_errors(missing.get_data(as_text=True))
    for status, note in (("unable_to_verify", "Only one account"), ("confirmed", "Lawyer confirmed")):
        response = coordinator_client.post(
            f"/observations/{observation.id}/verify", data={"status": status, "note": note}
        )
        assert response.status_code == 302
    db.session.expire_all()
    observation = db.session.get(Observation, observation.id)
    assert observation.status == "confirmed" and observation.verification_note == "Lawyer confirmed"
    events = list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "observation.verify").order_by(AuditEvent.id))
    )
    assert [(json.loads(e.detail)["from_status"], json.loads(e.detail)["to_status"]) for e in events] == [
        ("unverified", "unable_to_verify"),
        ("unable_to_verify", "confirmed"),
    ]
    assert all(e.actor_id == coordinator.id for e in events)
    html = coordinator_client.get(f"/observations/{observation.id}").get_data(as_text=True)
    assert "Unable to verify → Confirmed" in html


def test_review_queue_newest_first_filtered_and_paginated(volunteer_client, coordinator_client, make_courthouse, court):
    other = make_courthouse(name="Lynn District Court")
    first = _file(volunteer_client, court)
    second = _file(volunteer_client, other)
    assert volunteer_client.post("/observations/new", data=report_form(court)).status_code == 302
    html = coordinator_client.get("/coordinator/observations").get_data(as_text=True)
    assert html.index(f"#{second.id} ") < html.index(f"#{first.id} ")
    filtered = coordinator_client.get(f"/coordinator/observations?courthouse={court.id}&action=arrest")
    text = filtered.get_data(as_text=True)
    assert f"#{first.id} " in text and f"#{second.id} " not in text and text.count('class="row obs-row"') == 1
    for _ in range(30):
        volunteer_client.post("/observations/new", data=report_form(court, agents_present="no", action="none"))
    page1 = coordinator_client.get("/coordinator/observations?status=unverified").get_data(as_text=True)
    assert page1.count('class="row obs-row"') == 25 and "page=2" in page1
    page2 = coordinator_client.get("/coordinator/observations?status=unverified&page=2").get_data(as_text=True)
    assert page2.count('class="row obs-row"') == 8


def test_review_queue_does_not_query_per_row(app, volunteer_client, coordinator_client, court):
    for _ in range(3):
        _file(volunteer_client, court)
    coordinator_client.get("/coordinator/observations")  # warm up (first-request work)

    def count_queries():
        statements = []

        def record(conn, cursor, statement, *args):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            assert coordinator_client.get("/coordinator/observations").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return len(statements)

    few = count_queries()
    for _ in range(10):
        _file(volunteer_client, court)
    assert count_queries() == few


def test_link_reports_into_one_incident(
    volunteer_client, login_as, make_user, coordinator_client, court, make_courthouse
):
    first = _file(volunteer_client, court)
    second = _file(login_as(make_user()), court)
    response = coordinator_client.post(
        "/coordinator/observations/link",
        data={"observation_ids": [str(first.id), str(second.id)], "summary": "Arrest on the steps, two witnesses"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    incident = db.session.scalar(select(Incident))
    assert {o.id for o in incident.observations} == {first.id, second.id}
    assert incident.courthouse_id == court.id and incident.occurred_at == min(first.observed_at, second.observed_at)
    page = coordinator_client.get(f"/coordinator/incidents/{incident.id}").get_data(as_text=True)
    assert "Arrest on the steps" in page and f"#{first.id}" in page
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "incident.link"))
    # A third report joins the existing incident; a report from another courthouse cannot.
    third = _file(volunteer_client, court)
    coordinator_client.post(
        "/coordinator/observations/link", data={"observation_ids": [str(third.id)], "incident_id": str(incident.id)}
    )
    elsewhere = _file(volunteer_client, make_courthouse(name="Lynn"))
    refused = coordinator_client.post(
        "/coordinator/observations/link",
        data={"observation_ids": [str(elsewhere.id)], "incident_id": str(incident.id)},
        follow_redirects=True,
    )
    assert "same courthouse" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Observation, third.id).incident_id == incident.id
    assert db.session.get(Observation, elsewhere.id).incident_id is None
    assert db.session.scalar(select(func.count()).select_from(Incident)) == 1
    coordinator_client.post(f"/observations/{third.id}/unlink")
    db.session.expire_all()
    assert db.session.get(Observation, third.id).incident_id is None


def test_home_card_and_courthouse_button(volunteer_client, coordinator_client, court):
    _file(volunteer_client, court)
    assert "1 report to verify" in coordinator_client.get("/").get_data(as_text=True)
    page = volunteer_client.get(f"/courthouses/{court.id}").get_data(as_text=True)
    assert f"/observations/new?courthouse={court.id}" in page and "Report from here" in page
    assert "/me/observations" in volunteer_client.get("/").get_data(as_text=True)


def test_demo_load_brings_reports_and_incidents(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    actions = set(db.session.scalars(select(Observation.action).distinct()))
    assert actions == {"none", "sighting", "attempted_arrest", "arrest"}
    assert db.session.scalar(select(func.count()).select_from(Incident)) >= 2
    statuses = set(db.session.scalars(select(Observation.status).distinct()))
    assert {"unverified", "confirmed"} <= statuses
    assert (
        db.session.scalar(select(func.count()).select_from(Observation).where(Observation.nothing_observed.is_(True)))
        > 10
    )
