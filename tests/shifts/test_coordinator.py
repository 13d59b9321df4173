"""Coordinators: the gap view, roster assign/unassign, no-shows, creating and editing shifts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from courtwatch.db import db, utcnow
from courtwatch.notify.models import OutboxMessage
from courtwatch.shifts import claims
from courtwatch.shifts.models import Shift, ShiftSignup


def test_gap_view_lists_understaffed_worst_first(coordinator_client, make_shift, make_user):
    full = make_shift(hours_ahead=20, capacity=2, minimum=2)
    half = make_shift(hours_ahead=30, capacity=2, minimum=2)
    empty = make_shift(hours_ahead=40, capacity=2, minimum=1)
    for shift in (full, full, half):
        claims.claim_shift(make_user(), shift.id)
    db.session.commit()
    html = coordinator_client.get("/coordinator/gaps").get_data(as_text=True)
    positions = [html.find(f'/coordinator/shifts/{s.id}"') for s in (empty, half)]
    assert -1 not in positions and positions == sorted(positions)
    assert f'/coordinator/shifts/{full.id}"' not in html


def test_volunteers_cannot_open_coordinator_pages(volunteer_client, make_shift):
    shift = make_shift()
    assert volunteer_client.get("/coordinator/gaps").status_code == 403
    assert volunteer_client.post(f"/coordinator/shifts/{shift.id}/cancel").status_code == 403
    assert db.session.get(Shift, shift.id).status == "open"


def test_assign_and_unassign_promotes_waitlist(coordinator_client, make_shift, make_user, mailbox):
    shift = make_shift(capacity=1)
    volunteer, waiting = make_user(name="Assigned Person"), make_user()
    found = coordinator_client.get(f"/coordinator/shifts/{shift.id}?q=assigned").get_data(as_text=True)
    assert "Assigned Person" in found
    assert (
        coordinator_client.post(f"/coordinator/shifts/{shift.id}/assign", data={"user_id": volunteer.id}).status_code
        == 302
    )
    claims.claim_shift(waiting, shift.id, waitlist=True)
    db.session.commit()
    signup = db.session.scalar(select(ShiftSignup).where(ShiftSignup.user_id == volunteer.id))
    assert coordinator_client.post(f"/coordinator/signups/{signup.id}/unassign").status_code == 302
    db.session.expire_all()
    statuses = {s.user_id: s.status for s in db.session.scalars(select(ShiftSignup))}
    assert statuses == {volunteer.id: "removed", waiting.id: "claimed"}
    subjects = [
        m.subject for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == volunteer.email))
    ]
    assert any("taken off" in s for s in subjects)


def test_no_show_only_after_start(coordinator_client, make_shift, make_user):
    volunteer = make_user()
    future = make_shift(hours_ahead=30)
    claims.claim_shift(volunteer, future.id)
    started = make_shift(hours_ahead=-1)
    claims.claim_shift(volunteer, started.id, now=utcnow() - timedelta(days=1))
    db.session.commit()
    future_signup, started_signup = db.session.scalars(select(ShiftSignup).order_by(ShiftSignup.id)).all()
    coordinator_client.post(f"/coordinator/signups/{future_signup.id}/no-show", data={"value": "1"})
    coordinator_client.post(f"/coordinator/signups/{started_signup.id}/no-show", data={"value": "1"})
    db.session.expire_all()
    assert db.session.get(ShiftSignup, future_signup.id).no_show is False
    assert db.session.get(ShiftSignup, started_signup.id).no_show is True
    roster = coordinator_client.get(f"/coordinator/shifts/{started.id}").get_data(as_text=True)
    assert "no-show" in roster


def test_create_shift_form_keeps_input_on_error(coordinator_client, make_courthouse):
    courthouse = make_courthouse()
    day = (utcnow() + timedelta(days=5)).date().isoformat()
    bad = coordinator_client.post(
        "/coordinator/shifts/new",
        data={
            "courthouse_id": courthouse.id,
            "kind": "observation",
            "day": day,
            "start": "12:00",
            "end": "09:00",
            "capacity": "3",
            "minimum": "1",
            "meeting_point": "Back door",
        },
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "The end must be after the start." in html and "Back door" in html
    assert db.session.scalar(select(db.func.count()).select_from(Shift)) == 0
    good = coordinator_client.post(
        "/coordinator/shifts/new",
        data={
            "courthouse_id": courthouse.id,
            "kind": "observation",
            "day": day,
            "start": "08:30",
            "end": "12:30",
            "capacity": "3",
            "minimum": "1",
            "meeting_point": "Back door",
        },
    )
    assert good.status_code == 302
    shift = db.session.scalar(select(Shift))
    assert courthouse.local(shift.starts_at).strftime("%H:%M") == "08:30"


def test_edit_time_bumps_sequence_and_tells_volunteers(coordinator_client, make_shift, make_user):
    shift = make_shift(hours_ahead=50)
    volunteer = make_user()
    claims.claim_shift(volunteer, shift.id)
    db.session.commit()
    day = shift.courthouse.local(shift.starts_at).date() + timedelta(days=1)
    response = coordinator_client.post(
        f"/coordinator/shifts/{shift.id}/edit",
        data={
            "day": day.isoformat(),
            "start": "10:00",
            "end": "12:00",
            "capacity": "2",
            "minimum": "1",
            "meeting_point": "New place",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    shift = db.session.get(Shift, shift.id)
    assert shift.sequence == 1 and shift.meeting_point == "New place"
    subjects = [
        m.subject for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == volunteer.email))
    ]
    assert any(s.startswith("Shift changed") for s in subjects)


def test_cancel_tells_volunteers(coordinator_client, make_shift, make_user):
    shift = make_shift()
    volunteer = make_user()
    claims.claim_shift(volunteer, shift.id)
    db.session.commit()
    assert coordinator_client.post(f"/coordinator/shifts/{shift.id}/cancel").status_code == 302
    db.session.expire_all()
    shift = db.session.get(Shift, shift.id)
    assert shift.status == "cancelled" and shift.sequence == 1
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.subject.like("Shift cancelled%")))


def test_suspension_releases_future_claims(admin_client, make_shift, make_user):
    from courtwatch.auth import services as auth_services

    shift = make_shift(capacity=1)
    suspended, waiting = make_user(), make_user()
    claims.claim_shift(suspended, shift.id)
    claims.claim_shift(waiting, shift.id, waitlist=True)
    db.session.commit()
    from courtwatch.auth.models import User

    admin = db.session.scalar(select(User).where(User.role == "admin"))
    auth_services.suspend_user(admin, suspended)
    db.session.commit()
    statuses = {s.user_id: s.status for s in db.session.scalars(select(ShiftSignup))}
    assert statuses == {suspended.id: "removed", waiting.id: "claimed"}
