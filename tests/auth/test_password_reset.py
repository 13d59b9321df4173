"""Forgotten password: a link by email (through the real SMTP server), usable once."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import func, select

from courtwatch.auth import services
from courtwatch.db import db
from courtwatch.notify.models import OutboxMessage
from tests.conftest import TEST_PASSWORD

NEW_PASSWORD = "my new reset password"


def _reset_link(mailbox, address: str) -> str:
    messages = mailbox.to(address)
    assert len(messages) == 1
    match = re.search(r"https?://\S+/password/reset/\S+", mailbox.body(messages[0]))
    assert match, mailbox.body(messages[0])
    return urlsplit(match.group(0)).path


def test_reset_by_emailed_link(client, runner, mailbox, volunteer):
    response = client.post("/password/forgot", data={"email": volunteer.email})
    assert response.status_code == 302
    assert mailbox.messages == []  # queued, not sent inside the request

    result = runner.invoke(args=["notify", "send-due"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    path = _reset_link(mailbox, volunteer.email)

    exchanged = client.get(path)
    assert exchanged.status_code == 302 and exchanged.headers["Location"] == "/password/reset"
    assert client.get("/password/reset").status_code == 200
    response = client.post("/password/reset", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")

    bad = client.post("/login", data={"email": volunteer.email, "password": TEST_PASSWORD})
    assert bad.status_code == 422
    good = client.post("/login", data={"email": volunteer.email, "password": NEW_PASSWORD})
    assert good.status_code == 302
    client.post("/logout")

    # The link worked once; now it is spent.
    again = client.get(path)
    assert again.status_code == 302 and again.headers["Location"].endswith("/password/forgot")
    reuse = client.post("/password/reset", data={"password": "yet another password", "confirm": "yet another password"})
    assert reuse.status_code == 302
    db.session.expire_all()
    assert services.authenticate(volunteer.email, NEW_PASSWORD) is not None
    assert services.authenticate(volunteer.email, "yet another password") is None


def test_reset_ends_existing_sessions(client, login_as, runner, mailbox, volunteer):
    logged_in = login_as(volunteer)
    client.post("/password/forgot", data={"email": volunteer.email})
    runner.invoke(args=["notify", "send-due"])
    path = _reset_link(mailbox, volunteer.email)
    client.get(path)
    client.post("/password/reset", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert logged_in.get("/courthouses").headers["Location"].startswith("/login")


def test_unknown_email_gets_the_same_page_and_no_link(client, runner, mailbox, volunteer):
    known = client.post("/password/forgot", data={"email": volunteer.email}, follow_redirects=True)
    unknown = client.post("/password/forgot", data={"email": "stranger@example.org"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    strip = lambda html: re.sub(r'value="[^"]*"', "", html)  # noqa: E731  (CSRF tokens differ)
    assert strip(known.get_data(as_text=True)) == strip(unknown.get_data(as_text=True))
    # One message each (the same work, so the same time): a link to the account, a note to the stranger.
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
    runner.invoke(args=["notify", "send-due"])
    assert sorted(m["To"] for m in mailbox.messages) == sorted([volunteer.email, "stranger@example.org"])
    assert "/password/reset/" not in mailbox.body(mailbox.to("stranger@example.org")[0])
    assert "no Courtwatch account" in mailbox.body(mailbox.to("stranger@example.org")[0])


def test_tampered_link_is_refused(client, volunteer):
    response = client.get("/password/reset/not-a-real-token")
    assert response.status_code == 302 and response.headers["Location"].endswith("/password/forgot")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "not valid" in page
