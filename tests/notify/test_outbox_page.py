"""The outbox page: staff see what waits and what failed per channel, and retry or cancel it;
what they do changes what the real delivery run (``send_due`` against the test SMTP server) sends."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from courtwatch.db import db
from courtwatch.notify.models import OutboxMessage, OutboxStatus
from courtwatch.notify.services import queue_email, send_due
from courtwatch.privacy.models import AuditEvent


def _message(address="someone@example.org", *, status=OutboxStatus.PENDING, body="Secret body", **kw) -> int:
    message = queue_email(address, f"Subject for {address}", body, **kw)
    message.status = status
    if status == OutboxStatus.FAILED:
        message.attempts, message.last_error = 5, "SMTPServerDisconnected: gone"
    db.session.commit()
    return message.id


def _status(message_id: int) -> str:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id).status


def _listed_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-message="(\d+)"', html)]


def test_only_staff_open_the_outbox_and_act_on_it(client, volunteer_client, coordinator_client, admin_client):
    message_id = _message()
    assert client.get("/admin/outbox").status_code == 302
    assert volunteer_client.get("/admin/outbox").status_code == 403
    assert volunteer_client.post(f"/admin/outbox/{message_id}/cancel").status_code == 403
    assert volunteer_client.post(f"/admin/outbox/{message_id}/retry").status_code == 403
    assert _status(message_id) == OutboxStatus.PENDING
    assert coordinator_client.get("/admin/outbox").status_code == 200
    assert admin_client.get("/admin/outbox").status_code == 200


def test_lists_waiting_and_failed_per_channel_with_counts_and_never_a_body(coordinator_client, make_user):
    person = make_user(name="Pia Push")
    waiting = _message("waiting@example.org", body="Reset link https://x/reset/SECRET")
    failed_sms = _message("+16175550123", status=OutboxStatus.FAILED, channel="sms", kind="alert")
    push = _message("", channel="push", kind="alert", user_id=person.id)
    sent = _message("sent@example.org", status=OutboxStatus.SENT)

    html = coordinator_client.get("/admin/outbox").get_data(as_text=True)
    assert _listed_ids(html) == [push, waiting]  # newest first; failed and sent not among the waiting
    assert "waiting@example.org" in html and "Pia Push" in html
    assert "SECRET" not in html and "Secret body" not in html
    counts = dict(re.findall(r'<tr data-channel="(\w+)">(.*?)</tr>', html, re.S))
    assert re.search(r'data-status="pending">1<', counts["email"])
    assert re.search(r'data-status="failed">1<', counts["sms"])
    assert re.search(r'data-status="pending">1<', counts["push"])

    failed = coordinator_client.get("/admin/outbox?which=failed").get_data(as_text=True)
    assert _listed_ids(failed) == [failed_sms]
    assert "+16175550123" in failed and "SMTPServerDisconnected" in failed
    assert _listed_ids(coordinator_client.get("/admin/outbox?channel=push").get_data(as_text=True)) == [push]
    assert sent not in _listed_ids(html + failed)


def test_pages_newest_first(coordinator_client):
    ids = [_message(f"p{i}@example.org") for i in range(55)]
    first = coordinator_client.get("/admin/outbox").get_data(as_text=True)
    assert _listed_ids(first) == ids[::-1][:50]
    older = re.search(r'href="(/admin/outbox\?[^"]*before=\d+[^"]*)"', first).group(1).replace("&amp;", "&")
    assert _listed_ids(coordinator_client.get(older).get_data(as_text=True)) == ids[::-1][50:]


def test_retry_sends_a_failed_message_on_the_next_run(app, coordinator_client, coordinator, mailbox):
    message_id = _message("retry-me@example.org", status=OutboxStatus.FAILED)
    assert send_due().sent == 0
    assert mailbox.to("retry-me@example.org") == []

    response = coordinator_client.post(f"/admin/outbox/{message_id}/retry?which=failed")
    assert response.status_code == 302
    assert _status(message_id) == OutboxStatus.PENDING
    report = send_due()
    assert report.sent == 1
    [received] = mailbox.to("retry-me@example.org")
    assert mailbox.body(received).strip() == "Secret body"
    assert _status(message_id) == OutboxStatus.SENT
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.retry")).all()
    assert event.actor_id == coordinator.id and event.object_id == message_id and '"failed"' in event.detail


def test_cancel_keeps_a_waiting_message_from_ever_being_sent(app, admin_client, admin, mailbox):
    keep = _message("keep@example.org")
    drop = _message("drop@example.org")
    assert admin_client.post(f"/admin/outbox/{drop}/cancel").status_code == 302
    assert _status(drop) == OutboxStatus.CANCELLED
    assert send_due().sent == 1
    assert [m["To"] for m in mailbox.messages] == ["keep@example.org"]
    assert _status(keep) == OutboxStatus.SENT and _status(drop) == OutboxStatus.CANCELLED
    assert db.session.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "outbox.cancel")) == admin.id

    # A cancelled message stays cancelled: retrying it is refused with a message, and nothing is sent.
    page = admin_client.post(f"/admin/outbox/{drop}/retry", follow_redirects=True).get_data(as_text=True)
    assert "can be retried" in page
    assert _status(drop) == OutboxStatus.CANCELLED and send_due().sent == 0
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.retry")).all()) == 0


def test_a_message_being_sent_or_sent_is_not_cancelled(coordinator_client, mailbox):
    sending = _message("inflight@example.org", status=OutboxStatus.SENDING)
    sent = _message("done@example.org", status=OutboxStatus.SENT)
    for message_id, status in ((sending, OutboxStatus.SENDING), (sent, OutboxStatus.SENT)):
        page = coordinator_client.post(f"/admin/outbox/{message_id}/cancel", follow_redirects=True)
        assert "can be cancelled" in page.get_data(as_text=True)
        assert _status(message_id) == status
    assert coordinator_client.post("/admin/outbox/999999/cancel").status_code == 404


def test_retry_and_cancel_need_the_form_token(coordinator_client):
    message_id = _message()
    assert coordinator_client.post(f"/admin/outbox/{message_id}/cancel", csrf=False).status_code == 400
    assert _status(message_id) == OutboxStatus.PENDING


def test_queued_and_next_try_times_are_the_campaigns_local_time(app, coordinator_client):
    """Staff compare these times with what volunteers tell them ("my reminder never came at 9"):
    the campaign's clock with the zone named, not UTC."""
    app.config["CAMPAIGN_TIMEZONE"] = "America/Chicago"
    message_id = _message("late@example.org")
    message = db.session.get(OutboxMessage, message_id)
    message.created_at = datetime(2026, 12, 2, 2, 5, tzinfo=UTC)
    message.next_attempt_at = datetime(2026, 12, 2, 2, 45, tzinfo=UTC)
    db.session.commit()
    page = coordinator_client.get("/admin/outbox").get_data(as_text=True)
    (card,) = re.findall(rf'<li class="card" data-message="{message_id}".*?</li>', page, re.S)
    assert "8:05" in card and "8:45" in card and "CST" in card
    assert "UTC" not in card and "02:05" not in card
