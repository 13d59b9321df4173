"""Findings 3, 4 and 11: login throttling stops guessing and spraying without letting anyone
keep a coordinator out, keeps no client address, and survives Redis being down."""

from __future__ import annotations

import logging

import pytest

from courtwatch import create_app
from courtwatch.auth import throttle
from courtwatch.auth.models import Role
from tests.conftest import TEST_PASSWORD, CsrfClient

CLOSED_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _client(app, address="198.51.100.7"):
    app.test_client_class = CsrfClient
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _try(client, email, password="wrong guess here"):
    return client.post("/login", data={"email": email, "password": password})


def test_spraying_one_guess_over_forty_accounts_is_stopped(app, make_user):
    users = [make_user() for _ in range(40)]
    attacker = _client(app)
    answers = [_try(attacker, user.email).status_code for user in users]
    limit = app.config["LOGIN_CLIENT_MAX_FAILURES"]
    assert answers[:limit] == [422] * limit
    assert set(answers[limit:]) == {429}
    # Another client is not affected, and the real owner still gets in.
    assert _try(_client(app, "203.0.113.9"), users[-1].email, TEST_PASSWORD).status_code == 302


def test_the_client_address_is_kept_only_as_an_hourly_keyed_hash(app, make_user):
    user = make_user()
    _try(_client(app, "198.51.100.77"), user.email)
    keys = list(throttle.counters().memory._values)
    assert keys and not any("198.51.100.77" in key or user.email in key for key in keys)
    client_keys = [key for key in keys if key.startswith("login:client:")]
    assert client_keys and all(0 < throttle.counters().get(key)[1] <= 3600 for key in client_keys)


def test_repeated_failures_slow_the_account_down_with_growing_delays(app, coordinator):
    attacker = _client(app)
    free = app.config["LOGIN_ACCOUNT_FREE_FAILURES"]
    for _ in range(free):
        assert _try(attacker, coordinator.email).status_code == 422
    assert _try(attacker, coordinator.email).status_code == 422  # the failure that starts the delay
    waiting = _try(_client(app, "192.0.2.1"), coordinator.email, TEST_PASSWORD)
    assert waiting.status_code == 429
    assert int(waiting.headers["Retry-After"]) <= 31
    assert "Wait 1 minute" in waiting.get_data(as_text=True)


def test_failures_against_a_coordinator_do_not_lock_out_their_known_device(app, coordinator):
    owner = _client(app, "192.0.2.50")
    assert _try(owner, coordinator.email, TEST_PASSWORD).status_code == 302  # gets a device cookie
    assert owner.get_cookie(throttle.DEVICE_COOKIE, path="/login") is not None
    owner.post("/logout")
    attacker = _client(app)
    for _ in range(12):
        _try(attacker, coordinator.email)
    assert _try(_client(app, "192.0.2.51"), coordinator.email, TEST_PASSWORD).status_code == 429
    assert _try(owner, coordinator.email, TEST_PASSWORD).status_code == 302


def test_successful_logins_do_not_count(app, volunteer):
    client = _client(app)
    for _ in range(15):
        assert _try(client, volunteer.email, TEST_PASSWORD).status_code == 302
        client.post("/logout")


def test_a_stolen_device_cookie_for_another_account_exempts_nothing(app, volunteer, coordinator):
    own = _client(app, "192.0.2.60")
    _try(own, volunteer.email, TEST_PASSWORD)
    own.post("/logout")
    for _ in range(7):
        _try(_client(app, "192.0.2.61"), coordinator.email)
    assert _try(own, coordinator.email, TEST_PASSWORD).status_code == 429


@pytest.fixture
def redis_down_app(test_config):
    app = create_app({**test_config, "RATELIMIT_STORAGE_URL": CLOSED_REDIS})
    app.test_client_class = CsrfClient
    return app


def test_with_redis_down_login_still_works_and_warns(redis_down_app, volunteer, caplog):
    client = redis_down_app.test_client()
    with caplog.at_level(logging.WARNING):
        assert _try(client, volunteer.email).status_code == 422
        assert _try(client, volunteer.email, TEST_PASSWORD).status_code == 302
        client.post("/logout")
        guesser = _client(redis_down_app, "192.0.2.71")
        for _ in range(6):
            _try(guesser, volunteer.email)
        assert _try(_client(redis_down_app, "192.0.2.70"), volunteer.email, TEST_PASSWORD).status_code == 429
    assert any("Redis unreachable" in record.getMessage() for record in caplog.records)
    assert client.post("/password/forgot", data={"email": volunteer.email}).status_code == 302


def test_with_redis_down_feeds_still_answer(redis_down_app, make_user):
    from courtwatch.db import db
    from courtwatch.feeds import services as feed_services

    user = make_user(Role.VOLUNTEER)
    _token, plaintext = feed_services.create_token(user, label="phone")
    db.session.commit()
    response = redis_down_app.test_client().get(f"/feeds/{plaintext}.ics")
    assert response.status_code == 200
    assert response.data.startswith(b"BEGIN:VCALENDAR")
