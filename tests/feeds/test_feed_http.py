"""The feed URL as calendar servers see it: 404s, conditional GETs, headers, rate limit, privacy."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from courtwatch.auth import services as auth_services
from courtwatch.courts.hearing_models import AccompanimentRequest, Hearing
from courtwatch.db import db
from courtwatch.feeds import services as feed_services
from courtwatch.feeds.builders import single_shift_calendar
from courtwatch.feeds.models import FeedScope, FeedToken
from courtwatch.feeds.views import RedactFeedTokens
from courtwatch.notify.models import OutboxAttachment
from courtwatch.shifts import claims
from tests.feeds.conftest import events_by_uid, feed_path, fetch, parse_both


def test_headers_and_conditional_get(client, make_shift, make_token, volunteer):
    claims.claim_shift(volunteer, make_shift().id)
    db.session.commit()
    plaintext = make_token(volunteer)
    response = fetch(client, plaintext)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    etag = response.headers["ETag"]
    last_modified = response.headers["Last-Modified"]
    assert etag and last_modified

    again = fetch(client, plaintext, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert fetch(client, plaintext, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert fetch(client, plaintext, headers={"If-None-Match": '"stale"'}).status_code == 200
    # Same data, same bytes: calendar servers polling hourly get 304s until something changes.
    assert fetch(client, plaintext).data == response.data

    claims.claim_shift(volunteer, make_shift(days=8).id)
    db.session.commit()
    changed = fetch(client, plaintext, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_unknown_malformed_and_revoked_tokens_are_404(client, make_token, volunteer):
    assert fetch(client, "A" * 43).status_code == 404
    assert fetch(client, "short").status_code == 404
    assert client.get("/feeds/..%2F..%2Fetc.ics").status_code == 404
    plaintext = make_token(volunteer)
    assert fetch(client, plaintext).status_code == 200
    token = db.session.query(FeedToken).one()
    feed_services.revoke_token(volunteer, token)
    db.session.commit()
    assert fetch(client, plaintext).status_code == 404


def test_feed_is_get_only_public_and_csrf_exempt(client, make_token, volunteer):
    plaintext = make_token(volunteer)
    assert client.post(feed_path(plaintext), csrf=False).status_code == 405
    response = fetch(client, plaintext)  # no session, no login
    assert response.status_code == 200
    assert b"BEGIN:VCALENDAR" in response.data
    assert client.get("/robots.txt").data.decode().splitlines()[1] == "Disallow: /"


def test_token_is_stored_only_as_hash_and_last_fetch_recorded(client, make_token, volunteer):
    plaintext = make_token(volunteer)
    token = db.session.query(FeedToken).one()
    assert len(plaintext) >= 43  # 32 random bytes, base64url
    assert token.token_hash == feed_services.hash_token(plaintext) != plaintext
    assert plaintext.startswith(token.prefix) and len(token.prefix) == 6
    assert token.last_fetched_at is None
    fetch(client, plaintext)
    db.session.expire_all()
    assert db.session.get(FeedToken, token.id).last_fetched_at is not None


def test_suspended_volunteers_links_stop_working(client, coordinator, make_token, volunteer):
    plaintext = make_token(volunteer)
    other = make_token(volunteer, label="laptop")
    assert fetch(client, plaintext).status_code == 200
    auth_services.suspend_user(coordinator, volunteer)
    db.session.commit()
    assert fetch(client, plaintext).status_code == 404
    assert fetch(client, other).status_code == 404
    assert all(t.revoked_at for t in db.session.query(FeedToken))
    # Reactivation does not bring the old links back: a new one must be made.
    auth_services.reactivate_user(coordinator, volunteer)
    db.session.commit()
    assert fetch(client, plaintext).status_code == 404


def test_rate_limited_per_token_not_per_address(app, client, make_token, volunteer):
    app.config["FEED_RATE_LIMIT"] = "2 per hour"
    first, second = make_token(volunteer), make_token(volunteer, label="b")
    assert fetch(client, first).status_code == 200
    assert fetch(client, first).status_code == 200
    assert fetch(client, first).status_code == 429
    assert fetch(client, second).status_code == 200  # same address, another token: its own budget


def test_logs_show_only_the_prefix(caplog, client, make_token, volunteer):
    plaintext = make_token(volunteer)
    with caplog.at_level(logging.DEBUG):
        fetch(client, plaintext)
        fetch(client, plaintext[:-1] + ("x" if plaintext[-1] != "x" else "y"))
    assert caplog.records
    assert all(plaintext not in record.getMessage() for record in caplog.records)
    # Access-log lines (werkzeug, gunicorn) are redacted too.
    record = logging.LogRecord(
        "werkzeug", logging.INFO, "", 0, '"%s" %s', (f"GET /feeds/{plaintext}.ics HTTP/1.1", 200), None
    )
    RedactFeedTokens().filter(record)
    assert plaintext not in record.getMessage()
    assert f"/feeds/{plaintext[:6]}…" in record.getMessage()


SECRET_STRINGS = [
    "Zyxwquorp",
    "Qanjobal-Secret",
    "MEETING-NOTE-ZX",
    "PRIVATE-NOTE-ZX",
    "CASE-99-ZX",
    "SHIFT-NOTE-ZX",
    "Otto Othervolunteer",
]


def test_no_accompanied_person_or_other_volunteer_in_any_feed_or_ics(
    client, coordinator, make_courthouse, make_shift, make_token, make_user, volunteer
):
    courthouse = make_courthouse(name="Family Court")
    starts = datetime.now(UTC) + timedelta(days=3)
    hearing = Hearing(
        courthouse_id=courthouse.id,
        starts_at=starts,
        title="Matter of Zyxwquorp",
        case_number="CASE-99-ZX",
        language="Qanjobal-Secret",
        notes="PRIVATE-NOTE-ZX",
        needs_accompaniment=True,
    )
    db.session.add(hearing)
    db.session.flush()
    db.session.add(
        AccompanimentRequest(
            hearing_id=hearing.id,
            person_label="Zyxwquorp",
            language="Qanjobal-Secret",
            meeting_notes="MEETING-NOTE-ZX",
            private_notes="PRIVATE-NOTE-ZX",
            purge_after=starts + timedelta(days=30),
        )
    )
    db.session.commit()
    shift = make_shift(
        courthouse=courthouse,
        kind="accompaniment",
        start=starts - timedelta(minutes=45),
        hearing_id=hearing.id,
        meeting_point="Main entrance",
        notes="SHIFT-NOTE-ZX",
    )
    other = make_user(name="Otto Othervolunteer", trainings=("Accompaniment training",))
    auth_services.record_training(
        None, volunteer, auth_services.get_or_create_training("Accompaniment training"), datetime.now(UTC).date()
    )
    claims.claim_shift(volunteer, shift.id)
    claims.claim_shift(other, shift.id)
    db.session.commit()

    bodies = [
        fetch(client, make_token(volunteer)).data,
        fetch(client, make_token(coordinator, scope=FeedScope.ALL)).data,
        fetch(client, make_token(coordinator, scope=FeedScope.COURTHOUSE, courthouse=courthouse)).data,
        single_shift_calendar(shift),
    ]
    attachments = db.session.query(OutboxAttachment).all()
    assert attachments, "claim confirmations carry an .ics"
    bodies += [attachment.content for attachment in attachments]
    for body in bodies:
        parse_both(body)
        assert f"shift-{shift.id}@cw.example.org".encode() in body
        for secret in SECRET_STRINGS:
            assert secret.encode() not in body, secret


def test_claim_confirmation_ics_has_the_feed_uid(client, make_shift, make_token, volunteer):
    shift = make_shift()
    claims.claim_shift(volunteer, shift.id)
    db.session.commit()
    attachment = db.session.query(OutboxAttachment).one()
    single = events_by_uid(parse_both(attachment.content))
    feed = events_by_uid(parse_both(fetch(client, make_token(volunteer)).data))
    assert list(single) == list(feed) == [f"shift-{shift.id}@cw.example.org"]
    uid = list(single)[0]
    assert single[uid]["DTSTART"].dt == feed[uid]["DTSTART"].dt
    assert int(single[uid]["SEQUENCE"]) == int(feed[uid]["SEQUENCE"])
