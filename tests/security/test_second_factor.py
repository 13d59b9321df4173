"""Finding 5: a second factor nobody else can enrol, replace or remove, and a production app that
will not start with staff two-factor off unless told so in words."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from courtwatch import create_app
from courtwatch.auth.models import User
from courtwatch.auth.security_models import RecoveryCode
from courtwatch.config import STAFF_TWO_FACTOR_OFF_WORDS
from courtwatch.db import db
from tests.conftest import TEST_PASSWORD, CsrfClient
from tests.support.two_factor import enrol_app, latest_enrolment_path, open_enrolment


@pytest.fixture
def strict_app(test_config, app):
    strict = create_app({**test_config, "STAFF_TWO_FACTOR": True})
    strict.test_client_class = CsrfClient
    return strict


def _login(client, user, password=TEST_PASSWORD):
    return client.post("/login", data={"email": user.email, "password": password})


def test_the_password_alone_cannot_enrol_a_factor(strict_app, coordinator):
    attacker = strict_app.test_client()
    assert _login(attacker, coordinator).status_code == 302
    page = attacker.get("/account/two-factor").get_data(as_text=True)
    assert 'id="totp-secret"' not in page and "Email me a set-up link" in page
    # Posting a code for a key of one's own choosing does nothing without the emailed link.
    secret = pyotp.random_base32()
    with attacker.session_transaction() as session:
        session["enrol_secret"] = secret
    assert attacker.post("/account/two-factor/app", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert attacker.post("/account/two-factor/passkey/options").status_code == 400
    db.session.expire_all()
    assert db.session.get(User, coordinator.id).totp_secret is None


def test_the_link_alone_is_not_enough_either_the_password_is_asked_again(strict_app, coordinator):
    client = strict_app.test_client()
    _login(client, coordinator)
    client.post("/account/two-factor/link")
    client.get(latest_enrolment_path(coordinator.email))
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "Type your password again" in page and 'id="totp-secret"' not in page
    wrong = client.post("/account/two-factor/password", data={"password": "not my password at all"})
    assert wrong.status_code == 422
    assert 'id="totp-secret"' not in client.get("/account/two-factor").get_data(as_text=True)


def test_an_enrolment_link_works_once_and_only_for_its_account(strict_app, coordinator, make_user):
    owner = strict_app.test_client()
    _login(owner, coordinator)
    enrol_app(owner, coordinator.email)
    path = latest_enrolment_path(coordinator.email)
    other_user = make_user("coordinator")
    other = strict_app.test_client()
    _login(other, other_user)
    reused = other.get(path)
    assert reused.status_code == 302
    assert "not valid or was used" in other.get("/account/two-factor").get_data(as_text=True)


def test_an_enrolment_link_expires_after_24_hours(strict_app, coordinator):
    from datetime import timedelta

    from courtwatch.auth.security_models import EnrolmentGrant

    client = strict_app.test_client()
    _login(client, coordinator)
    client.post("/account/two-factor/link")
    grant = db.session.scalar(select(EnrolmentGrant))
    assert timedelta(hours=23, minutes=59) < grant.expires_at - grant.created_at <= timedelta(hours=24)
    grant.expires_at = grant.created_at - timedelta(seconds=1)
    db.session.commit()
    client.get(latest_enrolment_path(coordinator.email))
    assert "expired" in client.get("/account/two-factor").get_data(as_text=True)


def test_a_live_session_cannot_replace_or_remove_the_factor_without_password_and_code(strict_app, coordinator):
    client = strict_app.test_client()
    _login(client, coordinator)
    secret, _codes = enrol_app(client, coordinator.email)
    for action in ("replace", "remove"):
        no_password = client.post(
            "/account/two-factor/change",
            data={"action": action, "password": "wrong password here", "code": pyotp.TOTP(secret).now()},
        )
        assert no_password.status_code == 422
        no_code = client.post(
            "/account/two-factor/change", data={"action": action, "password": TEST_PASSWORD, "code": "000000"}
        )
        assert no_code.status_code == 422
    db.session.expire_all()
    assert db.session.get(User, coordinator.id).totp_secret == secret
    # With both, replacing goes straight to setting up the new one.
    code = pyotp.TOTP(secret).at(time.time() + 30)
    ok = client.post("/account/two-factor/change", data={"action": "replace", "password": TEST_PASSWORD, "code": code})
    assert ok.status_code == 302
    assert 'id="totp-secret"' in client.get("/account/two-factor").get_data(as_text=True)


def test_ten_recovery_codes_stored_hashed_each_good_once(strict_app, coordinator):
    client = strict_app.test_client()
    _login(client, coordinator)
    _secret, codes = enrol_app(client, coordinator.email)
    assert len(codes) == len(set(codes)) == 10
    stored = list(db.session.scalars(select(RecoveryCode)))
    assert len(stored) == 10
    for row in stored:
        assert all(code.replace("-", "") not in row.code_hash for code in codes)
    # Shown once: the page never shows them again.
    assert codes[0] not in client.get("/account/two-factor").get_data(as_text=True)
    client.post("/logout")

    fresh = strict_app.test_client()
    _login(fresh, coordinator)
    assert fresh.post("/login/two-factor", data={"code": codes[3].lower()}).status_code == 302
    fresh.post("/logout")
    again = strict_app.test_client()
    _login(again, coordinator)
    assert again.post("/login/two-factor", data={"code": codes[3]}).status_code == 422
    assert "8 recovery codes left" in _logged_in_two_factor_page(strict_app, coordinator, codes[4])


def _logged_in_two_factor_page(app, user, code):
    client = app.test_client()
    _login(client, user)
    assert client.post("/login/two-factor", data={"code": code}).status_code == 302
    return client.get("/account/two-factor").get_data(as_text=True)


def test_enrolled_staff_need_their_factor_even_with_the_setting_off(strict_app, test_config, coordinator):
    client = strict_app.test_client()
    _login(client, coordinator)
    enrol_app(client, coordinator.email)
    relaxed = create_app({**test_config, "STAFF_TWO_FACTOR": False})
    relaxed.test_client_class = CsrfClient
    step = _login(relaxed.test_client(), coordinator)
    assert step.status_code == 302 and step.headers["Location"].endswith("/login/two-factor")


def test_production_refuses_to_start_with_staff_two_factor_off(test_config, monkeypatch):
    monkeypatch.delenv("COURTWATCH_STAFF_TWO_FACTOR", raising=False)
    config = {**test_config, "ENV_NAME": "production", "TESTING": False, "STAFF_TWO_FACTOR": False}
    with pytest.raises(RuntimeError, match="STAFF_TWO_FACTOR_OFF_ACKNOWLEDGED"):
        create_app(config)
    with pytest.raises(RuntimeError):
        create_app({**config, "STAFF_TWO_FACTOR_OFF_ACKNOWLEDGED": "yes"})
    app = create_app({**config, "STAFF_TWO_FACTOR_OFF_ACKNOWLEDGED": STAFF_TWO_FACTOR_OFF_WORDS})
    assert app.config["STAFF_TWO_FACTOR"] is False


def test_an_admin_can_issue_an_enrolment_link(strict_app, test_config, coordinator, admin):
    relaxed = create_app({**test_config, "STAFF_TWO_FACTOR": False})
    relaxed.test_client_class = CsrfClient
    admin_client = relaxed.test_client()
    _login(admin_client, admin)
    page = admin_client.post(f"/coordinator/volunteers/{coordinator.id}/enrolment-link")
    assert page.status_code == 200
    link = re.search(r"https?://\S+/account/two-factor/enrol/[\w-]+", page.get_data(as_text=True)).group(0)
    client = strict_app.test_client()
    _login(client, coordinator)
    assert client.get(link.split("localhost", 1)[1]).status_code == 302
    assert "Type your password again" in client.get("/account/two-factor").get_data(as_text=True)


def test_open_enrolment_helper_is_what_a_person_does(strict_app, coordinator):
    client = strict_app.test_client()
    _login(client, coordinator)
    assert re.fullmatch(r"[A-Z2-7]{32}", open_enrolment(client, coordinator.email))


def test_cli_prints_a_set_up_link_and_refuses_unknown_accounts(app, runner, coordinator):
    result = runner.invoke(args=["users", "enrolment-link", coordinator.email])
    assert result.exit_code == 0, result.output
    assert re.search(r"/account/two-factor/enrol/[\w-]+", result.output)
    bad = runner.invoke(args=["users", "enrolment-link", "nobody@example.org"])
    assert bad.exit_code == 2


def test_a_stolen_session_cannot_guess_codes_without_limit(strict_app, coordinator):
    client = strict_app.test_client()
    _login(client, coordinator)
    enrol_app(client, coordinator.email)
    answers = [
        client.post(
            "/account/two-factor/change", data={"action": "remove", "password": TEST_PASSWORD, "code": f"{n:06d}"}
        ).status_code
        for n in range(8)
    ]
    assert answers[:5] == [422] * 5 and 429 in answers
