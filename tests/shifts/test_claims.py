"""Claiming and releasing through the HTML forms, as a volunteer's phone does (CSRF on)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from courtwatch.db import db, utcnow
from courtwatch.notify.models import OutboxMessage
from courtwatch.shifts.models import Shift, ShiftSignup


def _signups(shift_id):
    db.session.expire_all()
    return db.session.scalars(
        select(ShiftSignup).where(ShiftSignup.shift_id == shift_id).order_by(ShiftSignup.id)
    ).all()


def test_claim_in_one_tap_queues_confirmation_with_calendar_file(volunteer, volunteer_client, make_shift):
    shift = make_shift(meeting_point="Side door")
    response = volunteer_client.post(f"/shifts/{shift.id}/claim")
    assert response.status_code == 302
    [signup] = _signups(shift.id)
    assert (signup.user_id, signup.status) == (volunteer.id, "claimed")
    assert db.session.get(Shift, shift.id).claimed_count == 1
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == volunteer.email))
    assert "Side door" in message.body_text and shift.courthouse.name in message.body_text
    [attachment] = message.attachments
    assert attachment.filename.endswith(".ics")
    assert b"BEGIN:VEVENT" in attachment.content and f"shift-{shift.id}@".encode() in attachment.content
    page = volunteer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Shift claimed" in page and "You're on this shift" in page


def test_double_tap_creates_one_claim(volunteer_client, make_shift):
    shift = make_shift()
    first = volunteer_client.post(f"/shifts/{shift.id}/claim")
    second = volunteer_client.post(f"/shifts/{shift.id}/claim")
    assert first.status_code == second.status_code == 302
    assert len(_signups(shift.id)) == 1
    assert db.session.scalar(select(db.func.count()).select_from(OutboxMessage)) == 1


def test_full_shift_offers_waitlist_then_waitlists(make_user, login_as, make_shift):
    shift = make_shift(capacity=1)
    first, second = make_user(), make_user()
    assert login_as(first).post(f"/shifts/{shift.id}/claim").status_code == 302
    client = login_as(second)
    refused = client.post(f"/shifts/{shift.id}/claim")
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "This shift is full" in html and "Join the waitlist" in html
    assert len(_signups(shift.id)) == 1
    assert client.post(f"/shifts/{shift.id}/claim", data={"waitlist": "1"}).status_code == 302
    statuses = [s.status for s in _signups(shift.id)]
    assert statuses == ["claimed", "waitlisted"]


def test_overlap_is_refused_naming_the_other_shift(volunteer_client, make_shift, make_courthouse):
    other_court = make_courthouse(name="Lowell District Court", short_name="Lowell")
    first = make_shift(courthouse=other_court, hours_ahead=48, length=4)
    second = make_shift(hours_ahead=50, length=4)
    assert volunteer_client.post(f"/shifts/{first.id}/claim").status_code == 302
    refused = volunteer_client.post(f"/shifts/{second.id}/claim")
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "overlaps another shift" in html and "Lowell" in html
    assert _signups(second.id) == []


def test_adjacent_shifts_do_not_overlap(volunteer_client, make_shift):
    first = make_shift(hours_ahead=48, length=2)
    second = make_shift(hours_ahead=50, length=2)
    assert volunteer_client.post(f"/shifts/{first.id}/claim").status_code == 302
    assert volunteer_client.post(f"/shifts/{second.id}/claim").status_code == 302


def test_training_gate(make_user, login_as, make_shift):
    from courtwatch.auth.services import get_or_create_training

    training = get_or_create_training("Accompaniment training")
    db.session.commit()
    shift = make_shift(kind="accompaniment", training_id=training.id)
    untrained = login_as(make_user(trainings=()))
    listing = untrained.get("/shifts").get_data(as_text=True)
    assert "Needs the training" in listing
    refused = untrained.post(f"/shifts/{shift.id}/claim")
    assert refused.status_code == 409 and "training" in refused.get_data(as_text=True)
    trained = login_as(make_user(trainings=("Accompaniment training",)))
    assert trained.post(f"/shifts/{shift.id}/claim").status_code == 302


def test_started_and_cancelled_shifts_are_refused(volunteer, volunteer_client, make_shift):
    from courtwatch.shifts import services

    started = make_shift(hours_ahead=-1, length=4)
    cancelled = make_shift(hours_ahead=30)
    services.cancel_shift(None, db.session.get(Shift, cancelled.id))
    db.session.commit()
    response = volunteer_client.post(f"/shifts/{started.id}/claim")
    assert response.status_code == 409 and "already started" in response.get_data(as_text=True)
    response = volunteer_client.post(f"/shifts/{cancelled.id}/claim")
    assert response.status_code == 409 and "cancelled" in response.get_data(as_text=True)
    assert _signups(started.id) == [] and _signups(cancelled.id) == []


def test_release_frees_the_place(volunteer_client, make_shift):
    shift = make_shift(hours_ahead=48)
    volunteer_client.post(f"/shifts/{shift.id}/claim")
    assert volunteer_client.post(f"/shifts/{shift.id}/release").status_code == 302
    [signup] = _signups(shift.id)
    assert signup.status == "released" and signup.released_at is not None
    assert db.session.get(Shift, shift.id).claimed_count == 0


def test_release_inside_cutoff_offers_ask_a_coordinator(app, volunteer, volunteer_client, coordinator, make_shift):
    shift = make_shift(hours_ahead=app.config["RELEASE_CUTOFF_HOURS"] - 1)
    volunteer_client.post(f"/shifts/{shift.id}/claim")
    refused = volunteer_client.post(f"/shifts/{shift.id}/release")
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "Ask a coordinator" in html
    assert _signups(shift.id)[0].status == "claimed"
    asked = volunteer_client.post(f"/shifts/{shift.id}/ask-release")
    assert asked.status_code == 302
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == coordinator.email))
    assert volunteer.name in message.body_text and f"/coordinator/shifts/{shift.id}" in message.body_text
    # asking twice tells them once
    volunteer_client.post(f"/shifts/{shift.id}/ask-release")
    assert (
        db.session.scalar(
            select(db.func.count()).select_from(OutboxMessage).where(OutboxMessage.to_address == coordinator.email)
        )
        == 1
    )


def test_waitlist_promotion_in_order_with_notice(make_user, login_as, make_shift, mailbox, app):
    from courtwatch.notify.services import send_due

    shift = make_shift(capacity=1)
    holder, first_waiting, second_waiting = make_user(), make_user(), make_user()
    login_as(holder).post(f"/shifts/{shift.id}/claim")
    login_as(first_waiting).post(f"/shifts/{shift.id}/claim", data={"waitlist": "1"})
    login_as(second_waiting).post(f"/shifts/{shift.id}/claim", data={"waitlist": "1"})
    assert login_as(holder).post(f"/shifts/{shift.id}/release").status_code == 302
    by_user = {s.user_id: s.status for s in _signups(shift.id)}
    assert by_user == {holder.id: "released", first_waiting.id: "claimed", second_waiting.id: "waitlisted"}
    send_due()
    subjects = [m["Subject"] for m in mailbox.to(first_waiting.email)]
    assert any(s.startswith("You are in") for s in subjects)
    assert not any(m["Subject"].startswith("You are in") for m in mailbox.to(second_waiting.email))


def test_leaving_the_waitlist_is_allowed_inside_cutoff(make_user, login_as, make_shift):
    shift = make_shift(capacity=1, hours_ahead=2)
    login_as(make_user()).post(f"/shifts/{shift.id}/claim")
    client = login_as(make_user())
    client.post(f"/shifts/{shift.id}/claim", data={"waitlist": "1"})
    assert client.post(f"/shifts/{shift.id}/release").status_code == 302
    assert [s.status for s in _signups(shift.id)] == ["claimed", "released"]


def test_claim_with_javascript_answers_json_with_a_new_card(volunteer_client, make_shift):
    shift = make_shift(capacity=1)
    response = volunteer_client.post(f"/shifts/{shift.id}/claim", headers={"X-Requested-With": "fetch"})
    assert response.status_code == 200
    data = response.get_json()
    assert data["ok"] and "Shift claimed" in data["message"]
    assert f'data-shift-card="{shift.id}"' in data["html"] and "Release" in data["html"]


def test_claim_without_csrf_token_is_refused(volunteer_client, make_shift):
    shift = make_shift()
    assert volunteer_client.post(f"/shifts/{shift.id}/claim", csrf=False).status_code == 400
    assert _signups(shift.id) == []


def test_check_in_out_and_hours_from_actual_times(volunteer, volunteer_client, make_shift):
    from courtwatch.shifts import claims, services

    shift = make_shift(hours_ahead=0.5, length=3)
    volunteer_client.post(f"/shifts/{shift.id}/claim")
    assert volunteer_client.post(f"/shifts/{shift.id}/check-in").status_code == 302
    now = utcnow()
    claims.check_out(volunteer, shift.id, now=now + timedelta(minutes=90))
    db.session.commit()
    [signup] = _signups(shift.id)
    assert signup.checked_in_at is not None
    assert 1.45 <= signup.hours_served <= 1.55  # 90 minutes, not the planned 3 hours
    assert services.hours_served(volunteer) == round(signup.hours_served, 1)
    page = volunteer_client.get("/me/shifts").get_data(as_text=True)
    assert re.search(r"Hours served[^<]*1\.[45]", page)


def test_check_in_too_early_is_refused(volunteer_client, make_shift):
    shift = make_shift(hours_ahead=30)
    volunteer_client.post(f"/shifts/{shift.id}/claim")
    assert "I'm here" not in volunteer_client.get(f"/shifts/{shift.id}").get_data(as_text=True)
    response = volunteer_client.post(f"/shifts/{shift.id}/check-in")
    assert response.status_code == 409 and "Check-in opens" in response.get_data(as_text=True)
