"""Login throttling that stops guessing without letting anyone lock a coordinator out.

* Only failures count; a successful login counts for nothing and clears the account's failures.
* Per account: the first ``LOGIN_ACCOUNT_FREE_FAILURES`` failures cost nothing, then each one
  makes the account wait twice as long before the next try (30 s, 1 min, 2 min ... up to
  ``LOGIN_ACCOUNT_MAX_DELAY``).
* Per client, across accounts (password spraying): failures are counted under an HMAC of the
  client's address with a key that changes every hour, in a counter that expires within the
  hour. The address itself is never stored, logged or written to the database.
* A device that has logged in to this account before carries a signed device cookie and is
  exempt from the account's delay (OWASP "device cookies"), so an attacker hammering a
  coordinator's address cannot keep the coordinator out. A device cookie that itself keeps
  failing loses that exemption.

Account keys are HMACs of the normalised email too, so the store holds no addresses either.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from courtwatch.auth.throttle_store import ThrottleCounters
from courtwatch.errors import DomainError

DEVICE_COOKIE = "courtwatch_device"
DEVICE_SALT = "courtwatch.device-cookie"
ACCOUNT_FAILURE_WINDOW = 24 * 3600
FIRST_DELAY = 30


class Throttled(DomainError):
    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Attempt:
    """Who is trying: the account's email, the client's address and its device cookie (if any)."""

    email: str
    client_address: str | None
    device_cookie: str | None = None


def counters() -> ThrottleCounters:
    return current_app.extensions["login_throttle"]


def init_app(app) -> None:
    url = app.config["LOGIN_THROTTLE_STORAGE_URL"] or app.config["RATELIMIT_STORAGE_URL"]
    app.extensions["login_throttle"] = ThrottleCounters(str(url))


def _digest(kind: str, value: str, key: str | None = None) -> str:
    secret = (key or current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def _account_key(email: str) -> str:
    return "login:account:" + _digest("account", email)


def _client_key(address: str) -> str:
    # The HMAC key changes every hour: yesterday's counters could not be linked to an address
    # even by someone holding both the store and the secret key.
    hour = int(time.time()) // 3600
    hour_key = _digest("client-hour", str(hour))
    return "login:client:" + _digest("client", address, key=hour_key)


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=DEVICE_SALT)


def new_device_cookie(email: str) -> str:
    return _device_serializer().dumps({"a": _digest("device-account", email), "n": secrets.token_hex(8)})


def _trusted_device_nonce(attempt: Attempt) -> str | None:
    """The device cookie's nonce if it belongs to this account, is fresh and is not itself locked."""
    if not attempt.device_cookie:
        return None
    try:
        data = _device_serializer().loads(
            attempt.device_cookie, max_age=int(current_app.config["DEVICE_COOKIE_MAX_AGE"])
        )
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != _digest("device-account", attempt.email):
        return None
    nonce = str(data.get("n", ""))
    failures, _ = counters().get("login:device:" + nonce)
    if failures >= int(current_app.config["LOGIN_ACCOUNT_FREE_FAILURES"]):
        return None
    return nonce


def _wait_message(seconds: float) -> str:
    from flask_babel import gettext as _

    minutes = max(1, int(seconds + 59) // 60)
    return _(
        "Too many failed attempts. Wait %(minutes)d minute(s) and try again, or reset your password.", minutes=minutes
    )


def check_attempt(attempt: Attempt) -> None:
    """Raise ``Throttled`` before any password is checked if this attempt must wait."""
    config = current_app.config
    if attempt.client_address:
        failures, left = counters().get(_client_key(attempt.client_address))
        if failures >= int(config["LOGIN_CLIENT_MAX_FAILURES"]):
            raise Throttled(_wait_message(left), int(left) + 1)
    if _trusted_device_nonce(attempt):
        return
    locked, left = counters().get(_account_key(attempt.email) + ":wait")
    if locked:
        raise Throttled(_wait_message(left), int(left) + 1)


def record_failure(attempt: Attempt) -> None:
    config = current_app.config
    store = counters()
    if attempt.client_address:
        store.increment(_client_key(attempt.client_address), min(int(config["LOGIN_CLIENT_WINDOW"]), 3600))
    nonce = _trusted_device_nonce(attempt)
    if nonce:
        store.increment("login:device:" + nonce, ACCOUNT_FAILURE_WINDOW)
        return  # the owner's own device mistyping does not slow the account down for everyone
    failures = store.increment(_account_key(attempt.email), ACCOUNT_FAILURE_WINDOW)
    free = int(config["LOGIN_ACCOUNT_FREE_FAILURES"])
    if failures > free:
        delay = min(int(config["LOGIN_ACCOUNT_MAX_DELAY"]), FIRST_DELAY * 2 ** min(failures - free - 1, 20))
        store.put(_account_key(attempt.email) + ":wait", 1, delay)


def record_success(attempt: Attempt) -> None:
    store = counters()
    store.delete(_account_key(attempt.email))
    store.delete(_account_key(attempt.email) + ":wait")
