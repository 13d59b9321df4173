"""Managing calendar links on /account, through the HTML forms, and `flask feeds url`."""

from __future__ import annotations

import re

from courtwatch.db import db
from courtwatch.feeds.models import FeedToken
from tests.conftest import form_errors
from tests.feeds.conftest import BASE_URL, fetch

LINK = re.compile(re.escape(BASE_URL) + r"/feeds/([A-Za-z0-9_-]+)\.ics")


def _create(client, label="my phone"):
    response = client.post("/account/calendar/links", data={"label": label})
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    return response, html, LINK.search(html).group(1)


def test_create_link_shown_once_then_listed_without_token(client, volunteer_client):
    page = volunteer_client.get("/account").get_data(as_text=True)
    assert 'id="calendar"' in page and "Create a calendar link" in page

    response, html, plaintext = _create(volunteer_client)
    assert f"webcal://cw.example.org/feeds/{plaintext}.ics" in html
    assert 'id="feed-copy"' in html and re.search(r"/assets/feeds\.[0-9a-f]{10}\.js", html)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    # Nothing inline and nothing from another host on the page that holds the link.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert " style=" not in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    assert fetch(client, plaintext).status_code == 200

    listing = volunteer_client.get("/account").get_data(as_text=True)
    assert "my phone" in listing
    assert plaintext[:6] in listing
    assert plaintext not in listing  # shown once, never again
    assert "Last fetched" in listing


def test_bad_label_is_refused_next_to_the_field(volunteer_client):
    response = volunteer_client.post("/account/calendar/links", data={"label": "x" * 61})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert form_errors(html)
    assert "x" * 61 in html  # what they typed is kept
    assert db.session.query(FeedToken).count() == 0


def test_revoke_one_and_reset_all(client, volunteer_client, login_as, make_user):
    _r, _h, first = _create(volunteer_client, "phone")
    _r, _h, second = _create(volunteer_client, "laptop")
    _r, _h, third = _create(volunteer_client, "tablet")
    token = db.session.query(FeedToken).filter_by(label="phone").one()

    stranger = login_as(make_user())
    assert stranger.post(f"/account/calendar/links/{token.id}/revoke").status_code == 404
    assert volunteer_client.post(f"/account/calendar/links/{token.id}/revoke", csrf=False).status_code == 400
    assert fetch(client, first).status_code == 200

    response = volunteer_client.post(f"/account/calendar/links/{token.id}/revoke")
    assert response.status_code == 302
    assert fetch(client, first).status_code == 404
    assert fetch(client, second).status_code == 200
    listing = volunteer_client.get("/account").get_data(as_text=True)
    assert "laptop" in listing and ">phone<" not in listing

    assert volunteer_client.post("/account/calendar/reset").status_code == 302
    assert fetch(client, second).status_code == 404
    assert fetch(client, third).status_code == 404
    assert "Reset all calendar links" not in volunteer_client.get("/account").get_data(as_text=True)


def test_courthouse_links_for_coordinators_only(client, coordinator_client, volunteer_client, make_courthouse):
    courthouse = make_courthouse(name="Queens Criminal Court")
    assert "Courthouse calendars" not in volunteer_client.get("/account").get_data(as_text=True)
    assert (
        volunteer_client.post(
            "/account/calendar/courthouse-links", data={"courthouse": "all", "label": "x"}
        ).status_code
        == 403
    )

    page = coordinator_client.get("/account").get_data(as_text=True)
    assert "Courthouse calendars" in page and "Queens Criminal Court" in page
    response = coordinator_client.post(
        "/account/calendar/courthouse-links", data={"courthouse": str(courthouse.id), "label": "queens"}
    )
    assert response.status_code == 200
    plaintext = LINK.search(response.get_data(as_text=True)).group(1)
    assert b"X-WR-CALNAME:Courtwatch: Queens Criminal Court" in fetch(client, plaintext).data

    response = coordinator_client.post(
        "/account/calendar/courthouse-links", data={"courthouse": "all", "label": "everything"}
    )
    plaintext = LINK.search(response.get_data(as_text=True)).group(1)
    assert b"X-WR-CALNAME:Courtwatch: all courthouses" in fetch(client, plaintext).data

    bad = coordinator_client.post("/account/calendar/courthouse-links", data={"courthouse": "999999"})
    assert bad.status_code == 422
    assert form_errors(bad.get_data(as_text=True))


def test_pending_accounts_get_no_calendar_section(login_as, make_user):
    pending = login_as(make_user(status="pending"))
    assert 'id="calendar"' not in pending.get("/account").get_data(as_text=True)


def test_cli_feeds_url(client, runner, volunteer):
    result = runner.invoke(args=["feeds", "url", volunteer.email, "--label", "support"])
    assert result.exit_code == 0, result.output
    url = result.output.strip()
    match = LINK.fullmatch(url)
    assert match, url
    assert fetch(client, match.group(1)).status_code == 200
    assert db.session.query(FeedToken).one().label == "support"

    missing = runner.invoke(args=["feeds", "url", "nobody@example.org"])
    assert missing.exit_code == 2
    assert "Traceback" not in missing.output

    result = runner.invoke(args=["feeds", "revoke-all", volunteer.email])
    assert result.exit_code == 0
    assert fetch(client, match.group(1)).status_code == 404
