"""Finding 10: a development server is safe too.

``make run`` (ENV_NAME=development, no secret configured) signs sessions with a random key it
keeps in ``instance/``, never a public default; the calendar-URL guard refuses loopback hosts in
development as in production.
"""

from __future__ import annotations

import os
import stat

import pytest
from flask.sessions import SecureCookieSessionInterface

from courtwatch import create_app
from courtwatch.config import INSECURE_SECRET
from courtwatch.errors import DomainError


@pytest.fixture
def development_config(test_config, tmp_path, monkeypatch):
    monkeypatch.delenv("COURTWATCH_SECRET_KEY", raising=False)
    monkeypatch.setenv("COURTWATCH_INSTANCE_PATH", str(tmp_path / "instance"))
    config = {k: v for k, v in test_config.items() if k not in ("SECRET_KEY", "TESTING")}
    return {**config, "ENV_NAME": "development"}


def test_development_generates_and_keeps_a_random_secret(development_config, tmp_path):
    first = create_app(development_config)
    secret = first.config["SECRET_KEY"]
    assert secret and secret != INSECURE_SECRET and len(secret) >= 64
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.read_text().strip() == secret
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    # The next start reuses it (sessions survive a restart).
    assert create_app(development_config).config["SECRET_KEY"] == secret


def test_a_cookie_forged_with_the_old_public_default_opens_nothing(development_config, make_user, app):
    from courtwatch.auth.models import Role

    admin = make_user(Role.ADMIN)
    dev_app = create_app(development_config)
    forger = SecureCookieSessionInterface()
    old_signer = forger.get_signing_serializer(
        type("Fake", (), {"secret_key": INSECURE_SECRET, "config": dev_app.config})()
    )
    forged = old_signer.dumps({"_user_id": f"{admin.id}:1", "_fresh": True})
    client = dev_app.test_client()
    client.set_cookie("session", forged)
    response = client.get("/admin/audit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_old_public_default_is_refused_in_every_mode(development_config):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({**development_config, "SECRET_KEY": INSECURE_SECRET})


@pytest.mark.parametrize("env_name", ["development", "production"])
@pytest.mark.parametrize("url", ["http://127.0.0.1:6379/", "http://localhost:6379/x.ics"])
def test_calendar_guard_refuses_loopback_in_development_too(development_config, env_name, url, monkeypatch):
    from courtwatch.imports.sync import normalise_url

    config = {**development_config, "ENV_NAME": env_name}
    if env_name == "production":
        config.update(SECRET_KEY="p" * 64, STAFF_TWO_FACTOR=True)
    app = create_app(config)
    with app.app_context(), pytest.raises(DomainError):
        normalise_url(url)


def test_calendar_guard_refuses_a_redirect_to_loopback_in_development(development_config):
    from courtwatch.imports.sync import check_public_host

    app = create_app(development_config)
    with app.app_context(), pytest.raises(DomainError, match="private network"):
        check_public_host("127.0.0.1")
