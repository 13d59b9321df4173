"""Staff accounts need a second factor (TOTP) before they see rosters, and at every later login."""

from __future__ import annotations

import time

import pyotp
import pytest

from courtwatch import create_app
from courtwatch.auth.models import User
from courtwatch.db import db
from tests.conftest import TEST_PASSWORD, CsrfClient
from tests.support.two_factor import enrol_app, open_enrolment


@pytest.fixture
def strict_app(test_config, app):
    """The same database as ``app``, with the production default: staff must use two factors."""
    strict = create_app({**test_config, "STAFF_TWO_FACTOR": True})
    strict.test_client_class = CsrfClient
    return strict


def _login(client, user):
    return client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})


def _enrol(client, user) -> str:
    secret, codes = enrol_app(client, user.email)
    assert len(codes) == 10
    return secret


@pytest.mark.parametrize("path", ["/", "/courthouses", "/coordinator/volunteers", "/courthouses/new"])
def test_staff_without_second_factor_is_sent_to_enrol(strict_app, coordinator, path):
    client = strict_app.test_client()
    assert _login(client, coordinator).status_code == 302
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/two-factor")
    # The enrolment page itself (and the account page) stay open.
    assert client.get("/account/two-factor").status_code == 200
    assert client.get("/account").status_code == 200


def test_volunteers_are_not_asked_for_a_second_factor(strict_app, volunteer):
    client = strict_app.test_client()
    _login(client, volunteer)
    assert client.get("/courthouses").status_code == 200


def test_enrolment_then_every_login_needs_a_fresh_code(strict_app, coordinator):
    client = strict_app.test_client()
    _login(client, coordinator)
    secret = _enrol(client, coordinator)
    assert client.get("/coordinator/volunteers").status_code == 200
    db.session.expire_all()
    assert db.session.get(User, coordinator.id).totp_secret == secret

    client.post("/logout")
    step = _login(client, coordinator)
    assert step.status_code == 302 and step.headers["Location"].endswith("/login/two-factor")
    # The password alone does not open staff pages.
    assert client.get("/coordinator/volunteers").headers["Location"].startswith("/login")

    wrong = client.post(
        "/login/two-factor", data={"code": "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"}
    )
    assert wrong.status_code == 422
    assert client.get("/coordinator/volunteers").headers["Location"].startswith("/login")

    # The next 30-second step's code: later than the one used to enrol, so it is not a replay.
    code = pyotp.TOTP(secret).at(time.time() + 30)
    ok = client.post("/login/two-factor", data={"code": code})
    assert ok.status_code == 302
    assert client.get("/coordinator/volunteers").status_code == 200

    # Someone who watched that code being typed cannot use it again.
    client.post("/logout")
    other = strict_app.test_client()
    _login(other, coordinator)
    replay = other.post("/login/two-factor", data={"code": code})
    assert replay.status_code == 422
    assert other.get("/coordinator/volunteers").headers["Location"].startswith("/login")


def test_enrolment_with_a_wrong_code_is_refused(strict_app, coordinator):
    client = strict_app.test_client()
    _login(client, coordinator)
    open_enrolment(client, coordinator.email)
    response = client.post("/account/two-factor/app", data={"code": "12345x"})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, coordinator.id).totp_secret is None
    assert client.get("/courthouses").headers["Location"].endswith("/account/two-factor")


def test_two_factor_step_without_a_password_goes_back_to_login(strict_app):
    client = strict_app.test_client()
    response = client.get("/login/two-factor")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
