"""Finding 8: a reset link's token is used once from the URL, then held in the session; the
browser lands on a clean URL, and later requests (and their Referer) never carry it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from courtwatch.db import db
from courtwatch.notify.models import OutboxMessage

NEW_PASSWORD = "pelican lighthouse marmalade"


def _reset_path(email: str) -> str:
    body = db.session.scalar(select(OutboxMessage.body_text).where(OutboxMessage.to_address == email))
    return urlsplit(re.search(r"https?://\S+/password/reset/\S+", body).group(0)).path


def test_reset_token_is_exchanged_for_a_clean_url(client, volunteer):
    client.post("/password/forgot", data={"email": volunteer.email})
    path = _reset_path(volunteer.email)
    token = path.rsplit("/", 1)[1]
    first = client.get(path)
    assert first.status_code == 302 and first.headers["Location"] == "/password/reset"
    page = client.get("/password/reset")
    assert page.status_code == 200 and token not in page.get_data(as_text=True)
    assert 'action="' not in page.get_data(as_text=True) or token not in page.get_data(as_text=True)
    done = client.post("/password/reset", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/login"


def test_the_reset_url_with_the_token_accepts_no_post(client, volunteer):
    client.post("/password/forgot", data={"email": volunteer.email})
    assert (
        client.post(_reset_path(volunteer.email), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code
        == 405
    )


def test_the_clean_reset_url_without_a_token_sends_to_forgot(client):
    response = client.get("/password/reset")
    assert response.status_code == 302 and response.headers["Location"] == "/password/forgot"


def test_enrolment_link_token_leaves_the_url_too(app, coordinator_client, coordinator):
    from tests.support.two_factor import latest_enrolment_path

    coordinator_client.post("/account/two-factor/link")
    response = coordinator_client.get(latest_enrolment_path(coordinator.email))
    assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor"


def test_readme_tells_the_proxy_what_not_to_log():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "/password/reset/" in readme and "/account/two-factor/enrol/" in readme and "/feeds/" in readme
