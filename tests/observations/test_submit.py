"""Filing a report through the HTML form (CSRF on): stored once, validated, alerts for arrests."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import func, select

from courtwatch.db import db
from courtwatch.notify.models import OutboxMessage
from courtwatch.notify.services import send_due
from courtwatch.observations.models import Observation
from courtwatch.privacy.models import AuditEvent
from tests.conftest import form_errors
from tests.observations.conftest import arrest_form, report_form


def _count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Observation))


def test_form_opens_prefilled_from_a_courthouse(volunteer_client, court):
    response = volunteer_client.get(f"/observations/new?courthouse={court.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<option data-timezone="{court.timezone}" selected value="{court.id}">' in html
    assert 'name="idempotency_key"' in html and 'type="date"' in html
    assert "SALUTE" in html and "No rumours" in html
    assert re.search(r'src="/assets/observations\.[0-9a-f]{10}\.js"', html) and "<script>" not in html


def test_a_sighting_is_stored_with_its_details(volunteer_client, volunteer, court):
    data = report_form(court)
    response = volunteer_client.post("/observations/new", data=data)
    assert response.status_code == 302
    observation = db.session.scalar(select(Observation))
    assert response.headers["Location"].endswith(f"/observations/{observation.id}")
    assert observation.reporter_id == volunteer.id
    assert observation.action == "sighting" and observation.status == "unverified"
    assert observation.agency_list == ["ice_ero", "local_police"]
    assert observation.agent_count == 2 and observation.area == "hallway"
    assert court.local(observation.observed_at).strftime("%H:%M") == data["observed_time"]
    page = volunteer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Report received" in page and "Grey Ford Explorer" in page
    assert (
        db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "observation"))
        == "observation.submit"
    )


def test_resend_returns_the_stored_report_and_different_content_is_refused(volunteer_client, court):
    data = report_form(court)
    first = volunteer_client.post("/observations/new", data=data)
    again = volunteer_client.post("/observations/new", data=data)
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert _count() == 1
    changed = volunteer_client.post("/observations/new", data={**data, "narrative": "Something else."})
    assert changed.status_code == 409
    assert "already received with different content" in changed.get_data(as_text=True)
    assert _count() == 1
    assert db.session.scalar(select(Observation.narrative)) == data["narrative"]


def test_the_same_key_from_two_volunteers_makes_two_reports(login_as, make_user, court):
    data = report_form(court)
    for _ in range(2):
        assert login_as(make_user()).post("/observations/new", data=data).status_code == 302
    assert _count() == 2


def test_fetch_submission_gets_json_so_the_draft_can_be_cleared(volunteer_client, court):
    data = report_form(court)
    response = volunteer_client.post("/observations/new", data=data, headers={"X-Requested-With": "fetch"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["created"] is True and body["key"] == data["idempotency_key"]
    resend = volunteer_client.post("/observations/new", data=data, headers={"X-Requested-With": "fetch"})
    assert resend.status_code == 200 and resend.get_json() == {**body, "created": False}


def test_bad_fields_come_back_with_messages_and_the_input_kept(volunteer_client, court):
    data = report_form(
        court,
        agents_present="no",
        action="arrest",
        observed_date="2999-01-01",
        narrative="A narrative I typed carefully",
    )
    response = volunteer_client.post("/observations/new", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = form_errors(html)
    assert any("future" in e for e in errors)
    assert any("were agents present" in e for e in errors)
    assert any("warrant" in e for e in errors)
    assert "A narrative I typed carefully" in html
    assert data["idempotency_key"] in html  # the same key: a fixed resend is still one report
    assert _count() == 0


def test_post_without_csrf_is_refused_and_stores_nothing(volunteer_client, court):
    response = volunteer_client.post("/observations/new", data=report_form(court), csrf=False)
    assert response.status_code == 400
    assert _count() == 0


def test_nothing_observed_is_one_tap_and_clears_everything_else(volunteer_client, court):
    # Over a filled-in form the tap asks first (tests/observations/test_form_flows.py); confirmed:
    data = report_form(court, action="arrest", warrant="judicial", nothing_observed="confirm")
    response = volunteer_client.post("/observations/new", data=data)
    assert response.status_code == 302
    observation = db.session.scalar(select(Observation))
    assert observation.nothing_observed is True
    assert observation.action == "none" and observation.agents_present == "no"
    assert observation.agency_list == [] and observation.warrant is None and observation.vehicles == ""


def test_no_agents_means_no_agent_details_stored(volunteer_client, court):
    data = report_form(court, agents_present="no", action="none")
    assert volunteer_client.post("/observations/new", data=data).status_code == 302
    observation = db.session.scalar(select(Observation))
    assert observation.agent_count is None and observation.agency_list == []
    assert observation.attire is None and observation.markings == "" and observation.vehicles == ""
    assert observation.identified_themselves is None


def test_arrest_alerts_every_coordinator_once_with_the_report_link_without_naming_the_reporter(
    volunteer_client, volunteer, coordinator, admin, make_user, court, mailbox
):
    make_user("coordinator", status="suspended")
    data = arrest_form(court)
    response = volunteer_client.post("/observations/new", data=data)
    assert response.status_code == 302
    observation = db.session.scalar(select(Observation))
    # Agents present and an arrest: the rapid-response alert is the coordinators' one message about
    # it (no separate report notice), and it links the report for review.
    staff_mail = list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address.in_([coordinator.email, admin.email])))
    )
    assert sorted(m.to_address for m in staff_mail) == sorted([coordinator.email, admin.email])
    assert all(m.urgent and m.kind == "alert" for m in staff_mail)
    body = staff_mail[0].body_text
    assert f"http://localhost/observations/{observation.id}" in body and "/alerts/" in body
    assert "Chelsea District Court" in body
    assert volunteer.name not in body and volunteer.email not in body
    assert "handcuffed" not in body  # the narrative stays in the app
    send_due()
    db.session.commit()
    [received] = mailbox.to(coordinator.email)
    assert "ALERT" in received["Subject"]
    # A resend does not alert twice.
    queued = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    volunteer_client.post("/observations/new", data=data)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == queued


def test_an_arrest_without_agents_for_sure_raises_no_alert_but_tells_coordinators(
    volunteer_client, volunteer, coordinator, court, mailbox
):
    response = volunteer_client.post("/observations/new", data=arrest_form(court, agents_present="unsure"))
    assert response.status_code == 302
    [notice] = db.session.scalars(select(OutboxMessage)).all()
    assert notice.to_address == coordinator.email and notice.urgent
    assert notice.dedupe_key.startswith("observation-alert:")
    body = notice.body_text
    assert "Chelsea District Court" in body and "Outside / steps" in body and "Room 205" in body
    assert volunteer.name not in body and "handcuffed" not in body
    send_due()
    db.session.commit()
    [received] = mailbox.to(coordinator.email)
    assert "URGENT" in received["Subject"]


def test_a_sighting_does_not_alert(volunteer_client, coordinator, court):
    volunteer_client.post("/observations/new", data=report_form(court))
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_missing_key_is_a_clear_error(volunteer_client, court):
    response = volunteer_client.post("/observations/new", data=report_form(court, idempotency_key=""))
    assert response.status_code == 422
    assert "report number" in response.get_data(as_text=True)
    assert _count() == 0


def test_report_from_a_shift_prefills_and_links_it(volunteer_client, court, coordinator):
    from datetime import timedelta

    from courtwatch.db import utcnow
    from courtwatch.shifts.models import Shift

    shift = Shift(
        courthouse_id=court.id,
        starts_at=utcnow() - timedelta(hours=1),
        ends_at=utcnow() + timedelta(hours=2),
        created_by_id=coordinator.id,
    )
    db.session.add(shift)
    db.session.commit()
    html = volunteer_client.get(f"/observations/new?shift={shift.id}").get_data(as_text=True)
    assert f'name="shift_id" type="hidden" value="{shift.id}"' in html
    assert f'<option data-timezone="{court.timezone}" selected value="{court.id}">' in html
    data = report_form(court, shift_id=str(shift.id), key=str(uuid.uuid4()))
    assert volunteer_client.post("/observations/new", data=data).status_code == 302
    assert db.session.scalar(select(Observation.shift_id)) == shift.id
