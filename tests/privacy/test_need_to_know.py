"""An accompanied person's details reach only trained, confirmed (or trusted) volunteers on the
shift, close to the hearing; every opening is recorded; harvesters are paused."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from courtwatch.auth import services as auth_services
from courtwatch.courts.hearing_models import Hearing
from courtwatch.courts.hearing_services import save_accompaniment_request
from courtwatch.db import db, utcnow
from courtwatch.privacy.models import AuditEvent
from courtwatch.shifts import accompaniment, claims
from courtwatch.shifts.hearing_hooks import shift_for_hearing

SECRETS = ("Zorbalina", "Amharic-ZQ", "Green-scarf-ZQ", "People v. Zorbalina Quetzal", "A-ZQ-77")


def _accompanied_hearing(courthouse, hours_ahead: float = 72, label: str = "Zorbalina"):
    starts = utcnow().replace(microsecond=0) + timedelta(hours=hours_ahead)
    hearing = Hearing(
        courthouse_id=courthouse.id,
        starts_at=starts,
        title="People v. Zorbalina Quetzal",
        case_number="A-ZQ-77",
        courtroom="Room 12",
    )
    db.session.add(hearing)
    db.session.flush()
    save_accompaniment_request(
        None, hearing, person_label=label, language="Amharic-ZQ", meeting_notes="Green-scarf-ZQ at the door"
    )
    db.session.commit()
    return hearing, shift_for_hearing(hearing)


def _train(user):
    auth_services.record_training(None, user, accompaniment.accompaniment_training(), utcnow().date())
    db.session.commit()


def _page(client, shift) -> str:
    return client.get(f"/shifts/{shift.id}").get_data(as_text=True)


def test_new_untrained_volunteer_cannot_claim_or_learn_anything(app, make_courthouse, volunteer, volunteer_client):
    hearing, shift = _accompanied_hearing(make_courthouse(), hours_ahead=24)
    assert shift.training_id == accompaniment.accompaniment_training().id  # made from a hearing: required
    response = volunteer_client.post(f"/shifts/{shift.id}/claim")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Accompaniment training" in html
    assert claims.live_signup(shift.id, volunteer.id) is None
    for page in (
        html,
        volunteer_client.get("/shifts").get_data(as_text=True),
        _page(volunteer_client, shift),
        volunteer_client.get("/me/shifts").get_data(as_text=True),
    ):
        for secret in SECRETS:
            assert secret not in page


def test_coordinator_waives_training_for_one_shift_and_it_is_audited(
    app, make_courthouse, volunteer, volunteer_client, coordinator, coordinator_client
):
    _, shift = _accompanied_hearing(make_courthouse())
    response = coordinator_client.post(f"/coordinator/shifts/{shift.id}/training-waiver", data={"value": "1"})
    assert response.status_code == 302
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "shift.training_waived")).one()
    assert (event.actor_id, event.object_id) == (coordinator.id, shift.id)
    assert volunteer_client.post(f"/shifts/{shift.id}/claim").status_code == 302
    # Claimed with the waiver, but no coordinator confirmed them: still nothing about the person.
    assert "Zorbalina" not in _page(volunteer_client, shift)


def test_details_open_after_confirmation_and_only_close_to_the_hearing(
    app, make_courthouse, volunteer, volunteer_client, coordinator, coordinator_client
):
    hearing, shift = _accompanied_hearing(make_courthouse(), hours_ahead=72)
    _train(volunteer)
    assert volunteer_client.post(f"/shifts/{shift.id}/claim").status_code == 302
    html = _page(volunteer_client, shift)
    assert "Zorbalina" not in html and "Room 12" in html and "will confirm you" in html
    signup = claims.live_signup(shift.id, volunteer.id)
    roster = coordinator_client.get(f"/coordinator/shifts/{shift.id}").get_data(as_text=True)
    assert "Zorbalina" not in roster  # the roster links to the request instead of showing it
    assert coordinator_client.post(f"/coordinator/signups/{signup.id}/confirm", data={"value": "1"}).status_code == 302
    html = _page(volunteer_client, shift)
    assert "Zorbalina" not in html and "48 hours before the hearing" in html  # 72 h away: not yet
    app.config["DETAILS_REVEAL_HOURS"] = 80
    html = _page(volunteer_client, shift)
    assert "Zorbalina" in html and "Amharic-ZQ" in html and "Green-scarf-ZQ" in html
    assert "People v. Zorbalina Quetzal" not in html and "A-ZQ-77" not in html  # captions: coordinators only
    openings = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "accompaniment.details_opened", AuditEvent.actor_id == volunteer.id
        )
    ).all()
    assert len(openings) == 1 and openings[0].object_id == hearing.id
    assert "Zorbalina" not in (openings[0].detail or "")
    page = coordinator_client.get(f"/hearings/{hearing.id}").get_data(as_text=True)
    assert "Who opened these details" in page and volunteer.name in page


def test_trusted_volunteer_needs_no_confirmation(app, make_courthouse, make_user, login_as, coordinator_client):
    _, shift = _accompanied_hearing(make_courthouse(), hours_ahead=30)
    trusted = make_user(name="Tessa Trusted", trainings=("Accompaniment training",))
    client = login_as(trusted)
    assert client.post(f"/shifts/{shift.id}/claim").status_code == 302
    assert "Zorbalina" not in _page(client, shift)
    assert (
        coordinator_client.post(f"/coordinator/volunteers/{trusted.id}/trusted", data={"value": "1"}).status_code == 302
    )
    assert "Zorbalina" in _page(client, shift)


def test_releasing_after_seeing_details_pauses_the_volunteer(
    app, make_courthouse, make_user, login_as, coordinator_client
):
    courthouse = make_courthouse()
    harvester = make_user(name="Hal Harvester", trainings=("Accompaniment training",))
    harvester.details_trusted = True
    db.session.commit()
    client = login_as(harvester)
    shifts = []
    for hours, label in ((30, "Abebe"), (34, "Birtukan"), (38, "Chaltu")):
        _, shift = _accompanied_hearing(courthouse, hours_ahead=hours, label=label)
        shifts.append((shift, label))
    for shift, label in shifts[:2]:
        assert client.post(f"/shifts/{shift.id}/claim").status_code == 302
        assert label in _page(client, shift)
        assert client.post(f"/shifts/{shift.id}/release").status_code == 302
    db.session.expire_all()
    assert db.session.get(type(harvester), harvester.id).details_paused_at is not None
    shift, label = shifts[2]
    assert client.post(f"/shifts/{shift.id}/claim").status_code == 302
    html = _page(client, shift)
    assert label not in html and "needs to talk with you" in html
    home = coordinator_client.get("/").get_data(as_text=True)
    assert "1 volunteer paused" in home
    assert "Hal Harvester" in coordinator_client.get("/coordinator/volunteers/paused").get_data(as_text=True)
    assert coordinator_client.post(f"/coordinator/volunteers/{harvester.id}/clear-pause").status_code == 302
    assert label in _page(client, shift)


@pytest.mark.parametrize(
    "label, message",
    [
        ("Maria Elena Lopez", "Only a first name"),
        ("A123456789", "No numbers here"),
        ("617-555-0123", "No numbers here"),
    ],
)
def test_person_label_must_be_a_first_name_or_initials(app, make_courthouse, coordinator_client, label, message):
    courthouse = make_courthouse()
    hearing = Hearing(courthouse_id=courthouse.id, starts_at=utcnow() + timedelta(days=5))
    db.session.add(hearing)
    db.session.commit()
    response = coordinator_client.post(
        f"/hearings/{hearing.id}/request", data={"person_label": label, "meeting_notes": "kept text"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and 'id="person_label-error"' in html and "kept text" in html
    db.session.expire_all()
    assert db.session.get(Hearing, hearing.id).accompaniment_request is None
    for good in ("Maria", "J. K.", "JK"):
        assert (
            coordinator_client.post(f"/hearings/{hearing.id}/request", data={"person_label": good}).status_code == 302
        )


@pytest.mark.parametrize("field", ["private_notes", "person_label", "contact"])
def test_nul_and_control_characters_get_a_field_message_not_a_500(app, make_courthouse, coordinator_client, field):
    courthouse = make_courthouse()
    hearing = Hearing(courthouse_id=courthouse.id, starts_at=utcnow() + timedelta(days=5))
    db.session.add(hearing)
    db.session.commit()
    data = {"person_label": "Maria", "private_notes": "line one\nline two\twith a tab"}
    data[field] = data.get(field, "x") + "\x00pasted\x1b"
    response = coordinator_client.post(f"/hearings/{hearing.id}/request", data=data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert "invisible control characters" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Hearing, hearing.id).accompaniment_request is None
    # Newlines and tabs in a text area are fine.
    ok = coordinator_client.post(
        f"/hearings/{hearing.id}/request",
        data={"person_label": "Maria", "private_notes": "line one\r\nline two\twith a tab"},
    )
    assert ok.status_code == 302


def test_every_form_refuses_control_characters(app):
    """The mechanism is shared: every form class in the app derives from the one base."""
    from flask_wtf import FlaskForm

    from courtwatch.forms import CourtwatchForm

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [cls for cls in subclasses(FlaskForm) if cls.__module__.startswith("courtwatch")]
    assert len(ours) > 15
    assert [cls.__name__ for cls in ours if not issubclass(cls, CourtwatchForm)] == []


def test_private_notes_field_says_what_not_to_write(app, make_courthouse, coordinator_client):
    courthouse = make_courthouse()
    hearing = Hearing(courthouse_id=courthouse.id, starts_at=utcnow() + timedelta(days=5))
    db.session.add(hearing)
    db.session.commit()
    html = coordinator_client.get(f"/hearings/{hearing.id}/request").get_data(as_text=True)
    assert "Never write a full name, A-number" in html


def test_audit_details_of_openings_never_hold_the_person(app, make_courthouse, coordinator, coordinator_client):
    hearing, _ = _accompanied_hearing(make_courthouse())
    coordinator_client.get(f"/hearings/{hearing.id}")
    coordinator_client.get(f"/hearings/{hearing.id}/request")
    events = db.session.scalars(select(AuditEvent)).all()
    assert sum(e.action == "accompaniment.details_opened" for e in events) == 2
    blob = json.dumps([(e.action, e.detail) for e in events])
    for secret in SECRETS:
        assert secret not in blob
