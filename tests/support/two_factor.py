"""Enrolling a second factor as a person does: ask for a set-up link, open it from the email,
type the password again, scan the key and type a code."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pyotp
from sqlalchemy import select

from courtwatch.db import db
from courtwatch.notify.models import OutboxMessage
from tests.conftest import TEST_PASSWORD

ENROLMENT_LINK = re.compile(r"https?://\S+/account/two-factor/enrol/\S+")


def latest_enrolment_path(email: str) -> str:
    db.session.expire_all()
    bodies = db.session.scalars(
        select(OutboxMessage.body_text).where(OutboxMessage.to_address == email).order_by(OutboxMessage.id.desc())
    )
    for body in bodies:
        match = ENROLMENT_LINK.search(body)
        if match:
            return urlsplit(match.group(0)).path
    raise AssertionError(f"no enrolment link was mailed to {email}")


def open_enrolment(client, email: str, password: str = TEST_PASSWORD) -> str:
    """Up to the QR code; returns the TOTP key shown."""
    assert client.post("/account/two-factor/link").status_code == 302
    follow = client.get(latest_enrolment_path(email))
    assert follow.status_code == 302 and follow.headers["Location"] == "/account/two-factor"
    assert client.post("/account/two-factor/password", data={"password": password}).status_code == 302
    page = client.get("/account/two-factor").get_data(as_text=True)
    return re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)


def enrol_app(client, email: str, password: str = TEST_PASSWORD) -> tuple[str, list[str]]:
    """Enrol an authenticator app; returns its key and the recovery codes shown once."""
    secret = open_enrolment(client, email, password)
    response = client.post("/account/two-factor/app", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    codes = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", response.get_data(as_text=True))
    return secret, codes
