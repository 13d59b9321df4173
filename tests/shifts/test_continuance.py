"""A case's next hearing after an accompanied one: "next hearing found" for coordinators, the need
carried only when one confirms, and last time's volunteers asked first (real SMTP) for a window
before the shift opens to everyone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from courtwatch.courts.case_models import CaseContinuance
from courtwatch.courts.hearing_models import Hearing
from courtwatch.db import db
from courtwatch.notify.services import send_due
from courtwatch.shifts.claims import claim_shift
from courtwatch.shifts.hearing_hooks import shift_for_hearing
from courtwatch.shifts.models import Shift, SignupStatus
from courtwatch.shifts.offer_models import ShiftOffer
from tests.support.cases import day, hearings_by_number, import_docket, write_docket


@pytest.fixture
def next_hearing(case_with_history, tmp_path):
    """The case's next hearing comes in with another docket."""
    path = write_docket(tmp_path, "later.csv", [("CR-555", day(20), "2:00 PM")])
    import_docket(path, case_with_history["courthouse"], "Later docket")
    later = hearings_by_number()["CR-555"][1]
    return later


def test_next_hearing_is_found_but_nothing_carries_before_a_coordinator_confirms(
    case_with_history, next_hearing, login_as, mailbox
):
    found = db.session.scalar(select(CaseContinuance))
    assert found.status == "found" and found.to_hearing_id == next_hearing.id
    assert found.from_hearing_id == case_with_history["hearing"].id
    # Nothing carried yet: no need, no request, no shift, no mail to anyone.
    assert not next_hearing.needs_accompaniment and next_hearing.accompaniment_request is None
    assert shift_for_hearing(next_hearing) is None
    send_due()
    assert not any("asked first" in m["Subject"] for m in mailbox.messages)
    coordinator = login_as(case_with_history["coordinator"])
    assert "next hearing found" in coordinator.get("/").get_data(as_text=True)
    listing = coordinator.get("/cases").get_data(as_text=True)
    assert f"/cases/next/{found.id}/carry" in listing and "CR-555" not in listing
    page = coordinator.get(f"/hearings/{next_hearing.id}").get_data(as_text=True)
    assert "Next hearing found" in page and f"/cases/next/{found.id}/carry" in page
    # "Not needed this time": nothing carries, ever.
    response = coordinator.post(f"/cases/next/{found.id}/dismiss")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(CaseContinuance, found.id).status == "dismissed"
    assert shift_for_hearing(next_hearing) is None and not db.session.get(Hearing, next_hearing.id).needs_accompaniment
    response = coordinator.post(f"/cases/next/{found.id}/carry", follow_redirects=True)
    assert "already decided" in response.get_data(as_text=True)
    assert shift_for_hearing(next_hearing) is None


def test_carry_makes_the_shift_and_asks_last_times_volunteers_first(
    app, case_with_history, next_hearing, login_as, make_user, mailbox
):
    app.config["FIRST_OFFER_HOURS"] = 24
    found = db.session.scalar(select(CaseContinuance))
    coordinator = login_as(case_with_history["coordinator"])
    response = coordinator.post(f"/cases/next/{found.id}/carry")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/hearings/{next_hearing.id}")
    db.session.expire_all()
    hearing = db.session.get(Hearing, next_hearing.id)
    assert hearing.needs_accompaniment
    assert hearing.accompaniment_request.person_label == "Rosa"  # carried, re-sealed under its own key
    assert hearing.data_key_id != case_with_history["hearing"].data_key_id
    shift = shift_for_hearing(hearing)
    assert shift is not None and shift.kind == "accompaniment" and shift.language == "es"
    offers = list(db.session.scalars(select(ShiftOffer).order_by(ShiftOffer.user_id)))
    assert [o.user_id for o in offers] == [case_with_history["maya"].id, case_with_history["sam"].id]

    # The offer goes by email, through the real SMTP server, with a claim link and no name.
    send_due()
    maya = case_with_history["maya"]
    mails = [m for m in mailbox.to(maya.email) if m["Subject"].startswith("You are asked first")]
    assert len(mails) == 1
    body = mailbox.body(mails[0])
    link = re.search(r"http://localhost(/shifts/offers/\d+)", body).group(1)
    assert "Rosa" not in body and "CR-555" not in body
    assert mailbox.to(case_with_history["sam"].email)

    # Someone else cannot claim during the window...
    newcomer = make_user(name="Nia Newcomer", trainings=(app.config["ACCOMPANIMENT_TRAINING"],))
    other = login_as(newcomer)
    refused = other.post(f"/shifts/{shift.id}/claim")
    assert refused.status_code == 409 and "offered first" in refused.get_data(as_text=True)
    assert other.get(link).status_code == 404  # not their offer
    card = f'id="shift-{shift.id}"'
    assert card not in other.get("/shifts").get_data(as_text=True)
    # ...while last time's volunteer sees it and claims from the link.
    volunteer = login_as(maya)
    assert card in volunteer.get("/shifts").get_data(as_text=True)
    assert link in volunteer.get("/").get_data(as_text=True)  # also on the start page
    assert "You are asked first" in volunteer.get(link).get_data(as_text=True)
    assert volunteer.post(f"/shifts/{shift.id}/claim").status_code == 302
    db.session.expire_all()
    assert db.session.get(ShiftOffer, offers[0].id).status == "claimed"
    # Sam says no: nobody is left waiting, so the shift opens to everyone before the window ends.
    sam_client = login_as(case_with_history["sam"])
    assert sam_client.post(f"/shifts/offers/{offers[1].id}/decline").status_code == 302
    assert card in other.get("/shifts").get_data(as_text=True)
    assert other.post(f"/shifts/{shift.id}/claim").status_code == 302
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).claimed_count == 2


def test_the_shift_opens_to_everyone_when_the_window_ends(app, case_with_history, next_hearing, make_user):
    from courtwatch.courts.case_services import carry_need

    found = db.session.scalar(select(CaseContinuance))
    carry_need(case_with_history["coordinator"], found.id)
    db.session.commit()
    shift = shift_for_hearing(next_hearing)
    offer = db.session.scalar(select(ShiftOffer).limit(1))
    newcomer = make_user(trainings=(app.config["ACCOMPANIMENT_TRAINING"],))
    with pytest.raises(Exception, match="offered first"):
        claim_shift(newcomer, shift.id, now=offer.opens_at - timedelta(minutes=1))
    db.session.rollback()
    signup = claim_shift(newcomer, shift.id, now=offer.opens_at + timedelta(minutes=1))
    assert signup.status == SignupStatus.CLAIMED
    # The window is never longer than half the time left before the shift.
    assert offer.opens_at <= offer.created_at + timedelta(hours=24)


def test_a_hearing_without_a_time_waits_for_one_before_the_need_carries(case_with_history, tmp_path, login_as, app):
    path = write_docket(tmp_path, "no-time.csv", [("CR-555", day(25), "")])
    import_docket(path, case_with_history["courthouse"], "Dates only")
    found = db.session.scalar(select(CaseContinuance))
    coordinator = login_as(case_with_history["coordinator"])
    response = coordinator.post(f"/cases/next/{found.id}/carry", follow_redirects=True)
    assert "no time yet" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CaseContinuance, found.id).status == "found"
    assert db.session.scalar(select(func.count()).select_from(ShiftOffer)) == 0


def test_two_coordinators_confirming_at_once_carry_once(app, case_with_history, next_hearing):
    """Both confirm the same next hearing at the same moment: one carries, the other is told."""
    import threading

    from courtwatch.auth.models import User
    from courtwatch.courts.case_services import carry_need
    from courtwatch.courts.hearing_models import AccompanimentRequest
    from courtwatch.errors import DomainError

    found_id = db.session.scalar(select(CaseContinuance.id))
    coordinator_id = case_with_history["coordinator"].id
    db.session.commit()
    barrier = threading.Barrier(2)
    outcomes = []

    def confirm():
        with app.app_context():
            barrier.wait()
            try:
                carry_need(db.session.get(User, coordinator_id), found_id)
                db.session.commit()
                outcomes.append("carried")
            except DomainError as error:
                db.session.rollback()
                outcomes.append(error.message)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["This next hearing was already decided.", "carried"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Shift).where(Shift.hearing_id == next_hearing.id)) == 1
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AccompanimentRequest)
            .where(AccompanimentRequest.hearing_id == next_hearing.id)
        )
        == 1
    )
    assert db.session.scalar(select(func.count()).select_from(ShiftOffer)) == 2
