"""Logging in and out: no account enumeration, throttling, session hygiene, safe redirects."""

from __future__ import annotations

import re

import pytest
from flask import session as flask_session
from sqlalchemy import select

from courtwatch import create_app
from courtwatch.auth import services
from courtwatch.auth.models import AccountStatus, User
from courtwatch.db import db
from courtwatch.errors import DomainError
from courtwatch.web import safe_next
from tests.conftest import TEST_PASSWORD, TEST_SECRET, login


def _page_without_tokens(html: str, email: str) -> str:
    html = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", html)
    html = re.sub(r'name="csrf_token" value="[^"]+"', "", html)
    html = re.sub(r'value="[^"]+"', "", html)
    return html.replace(email, "EMAIL")


def test_unknown_email_and_wrong_password_get_the_same_answer(client, volunteer):
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "whatever-it-is"})
    wrong = client.post("/login", data={"email": volunteer.email, "password": "not the password"})
    assert unknown.status_code == wrong.status_code == 422
    assert "Email or password is not right" in wrong.get_data(as_text=True)
    assert _page_without_tokens(unknown.get_data(as_text=True), "nobody@example.org") == _page_without_tokens(
        wrong.get_data(as_text=True), volunteer.email
    )


def test_suspended_account_gets_the_generic_answer(client, make_user):
    suspended = make_user(status=AccountStatus.SUSPENDED)
    response = client.post("/login", data={"email": suspended.email, "password": TEST_PASSWORD})
    assert response.status_code == 422
    assert "Email or password is not right" in response.get_data(as_text=True)


@pytest.fixture
def limited_app(test_config):
    app = create_app({**test_config, "LOGIN_ACCOUNT_FREE_FAILURES": 3})
    from tests.conftest import CsrfClient

    app.test_client_class = CsrfClient
    return app


def test_login_is_throttled_per_account(app, limited_app, volunteer, make_user):
    other = make_user()
    client = limited_app.test_client()
    for _ in range(4):
        assert client.post("/login", data={"email": volunteer.email, "password": "wrong guess 1"}).status_code == 422
    blocked = client.post("/login", data={"email": volunteer.email, "password": TEST_PASSWORD})
    assert blocked.status_code == 429
    assert "Traceback" not in blocked.get_data(as_text=True)
    # Case and spaces do not give an attacker fresh attempts on the same account.
    assert (
        client.post("/login", data={"email": f"  {volunteer.email.upper()} ", "password": TEST_PASSWORD}).status_code
        == 429
    )
    # Another account is not locked out by someone hammering this one.
    assert client.post("/login", data={"email": other.email, "password": TEST_PASSWORD}).status_code == 302


def test_session_is_rotated_at_login(client, volunteer):
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "attacker-chosen"
    before = client.get_cookie("session").value
    login(client, volunteer)
    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == volunteer.get_id()


def test_pre_login_cookie_does_not_carry_over(app, client, volunteer):
    """A cookie captured before login (e.g. planted by an attacker) stays anonymous afterwards."""
    client.get("/login")
    old_cookie = client.get_cookie("session").value
    login(client, volunteer)
    assert client.get("/courthouses").status_code == 200
    from tests.conftest import CsrfClient

    app.test_client_class = CsrfClient
    attacker = app.test_client()
    attacker.set_cookie("session", old_cookie)
    response = attacker.get("/courthouses")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "http:/evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
    ],
)
def test_external_next_is_refused(client, volunteer, target):
    client.get("/login", query_string={"next": target})
    response = login(client, volunteer)
    assert response.headers["Location"] == "/"
    assert safe_next(target, "/fallback") == "/fallback"


def test_same_site_next_is_followed(client, volunteer, make_courthouse):
    courthouse = make_courthouse()
    target = f"/courthouses/{courthouse.id}?tab=notes"
    first = client.get(target)
    assert first.status_code == 302
    client.get(first.headers["Location"])  # the login page remembers where we were going
    response = login(client, volunteer)
    assert response.headers["Location"] == target


def test_logout_is_post_only(volunteer_client):
    assert volunteer_client.get("/logout").status_code == 405
    assert volunteer_client.get("/courthouses").status_code == 200
    response = volunteer_client.post("/logout")
    assert response.status_code == 302
    assert volunteer_client.get("/courthouses").headers["Location"].startswith("/login")


def test_password_change_ends_other_sessions(login_as, volunteer):
    phone = login_as(volunteer)
    laptop = login_as(volunteer)
    response = laptop.post(
        "/account/password",
        data={"current_password": TEST_PASSWORD, "password": "a brand new secret", "confirm": "a brand new secret"},
    )
    assert response.status_code == 302
    assert laptop.get("/courthouses").status_code == 200  # this session continues
    stale = phone.get("/courthouses")
    assert stale.status_code == 302 and stale.headers["Location"].startswith("/login")
    db.session.expire_all()
    assert services.authenticate(volunteer.email, "a brand new secret") is not None
    assert services.authenticate(volunteer.email, TEST_PASSWORD) is None


def test_password_change_with_wrong_current_password(volunteer_client, volunteer):
    response = volunteer_client.post(
        "/account/password",
        data={"current_password": "not my password", "password": "a brand new secret", "confirm": "a brand new secret"},
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert services.authenticate(volunteer.email, TEST_PASSWORD) is not None


def test_too_long_password_is_refused_before_hashing(client, volunteer, monkeypatch):
    """A megabyte "password" never reaches scrypt: not at login, registration or password change."""
    seen: list[int] = []
    real_check = services.check_password_hash
    real_generate = services.generate_password_hash

    def spy_check(pwhash, password):
        seen.append(len(password))
        return real_check(pwhash, password)

    def spy_generate(password, **options):
        seen.append(len(password))
        return real_generate(password, **options)

    monkeypatch.setattr(services, "check_password_hash", spy_check)
    monkeypatch.setattr(services, "generate_password_hash", spy_generate)
    huge = "p" * 100_000

    assert client.post("/login", data={"email": volunteer.email, "password": huge}).status_code == 422
    assert client.post("/login", data={"email": "nobody@example.org", "password": huge}).status_code == 422
    with pytest.raises(DomainError):
        services.hash_password(huge, staff=False)
    login(client, volunteer)
    response = client.post(
        "/account/password",
        data={"current_password": huge, "password": "a brand new secret", "confirm": "a brand new secret"},
    )
    assert response.status_code == 422
    assert seen and max(seen) <= services.PASSWORD_MAX_LENGTH, seen


def test_passwords_of_128_characters_work(client, make_user):
    password = "zebra crossing " * 8 + "ok"
    user = make_user(password=password)
    assert client.post("/login", data={"email": user.email, "password": password}).status_code == 302


def test_cookie_flags_in_testing(client, volunteer):
    response = client.post("/login", data={"email": volunteer.email, "password": TEST_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookie_is_secure(test_config, monkeypatch):
    monkeypatch.delenv("COURTWATCH_SECRET_KEY", raising=False)
    app = create_app(
        {**test_config, "ENV_NAME": "production", "SECRET_KEY": TEST_SECRET, "TESTING": False, "STAFF_TWO_FACTOR": True}
    )
    with app.test_request_context("/login"):
        flask_session["x"] = 1
        response = app.make_response("ok")
        app.session_interface.save_session(app, flask_session, response)
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("secret", [None, "dev-only-not-secret", "short"])
def test_production_refuses_to_start_without_a_real_secret(test_config, monkeypatch, secret):
    monkeypatch.delenv("COURTWATCH_SECRET_KEY", raising=False)
    config = {k: v for k, v in test_config.items() if k != "SECRET_KEY"}
    config["ENV_NAME"] = "production"
    if secret:
        config["SECRET_KEY"] = secret
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


def test_production_secret_from_the_environment(test_config, monkeypatch):
    monkeypatch.setenv("COURTWATCH_SECRET_KEY", "e" * 64)
    config = {k: v for k, v in test_config.items() if k != "SECRET_KEY"}
    app = create_app({**config, "ENV_NAME": "production", "STAFF_TWO_FACTOR": True})
    assert app.config["SECRET_KEY"] == "e" * 64


def test_login_email_is_case_insensitive(client, volunteer):
    response = client.post("/login", data={"email": volunteer.email.upper(), "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert db.session.scalar(select(User).where(User.id == volunteer.id)) is not None
