"""Owners hear of every change to their sign-in details (ASVS 5.0 authentication chapter): a
password changed, a second factor added, the factors removed. Someone holding a stolen session
who changes them cannot do it silently."""

from __future__ import annotations

import time

import pyotp
from sqlalchemy import select

from courtwatch import create_app
from courtwatch.db import db
from courtwatch.notify.models import OutboxMessage
from tests.conftest import TEST_PASSWORD, CsrfClient
from tests.support.two_factor import enrol_app

SUBJECTS = {"en": "Your Courtwatch sign-in details changed", "es": "Cambiaron los datos de acceso a Courtwatch"}


def _notices(email: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == email, OutboxMessage.subject.in_(SUBJECTS.values()))
            .order_by(OutboxMessage.id)
        )
    )


def test_a_password_change_is_mailed_to_the_owner_in_their_language(app, login_as, make_user):
    volunteer = make_user()
    volunteer.locale = "es"
    db.session.commit()
    client = login_as(volunteer)
    new = "velvet canyon harmonica"
    response = client.post(
        "/account/password", data={"current_password": TEST_PASSWORD, "password": new, "confirm": new}
    )
    assert response.status_code == 302
    (notice,) = _notices(volunteer.email)
    assert notice.subject == SUBJECTS["es"]
    assert "contraseña" in notice.body_text and "http://localhost/password/forgot" in notice.body_text
    assert new not in notice.body_text


def test_adding_and_removing_a_second_factor_are_mailed(test_config, app, coordinator):
    strict = create_app({**test_config, "STAFF_TWO_FACTOR": True})
    strict.test_client_class = CsrfClient
    client = strict.test_client()
    client.post("/login", data={"email": coordinator.email, "password": TEST_PASSWORD})
    secret, _codes = enrol_app(client, coordinator.email)
    assert [n.subject for n in _notices(coordinator.email)] == [SUBJECTS["en"]]
    assert "second factor" in _notices(coordinator.email)[0].body_text
    code = pyotp.TOTP(secret).at(time.time() + 30)
    removed = client.post(
        "/account/two-factor/change", data={"action": "remove", "password": TEST_PASSWORD, "code": code}
    )
    assert removed.status_code == 302
    notices = _notices(coordinator.email)
    assert len(notices) == 2 and "removed" in notices[1].body_text
