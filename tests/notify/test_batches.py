"""Push and SMS go out in batches: a few SQL statements per batch instead of five per message,
one VAPID signature per push service (not one per message), and a push service that hangs
mid-batch leaves the rest of the batch queued, untried, rather than claimed."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import event, select

from courtwatch.db import db
from courtwatch.notify.models import OutboxMessage, OutboxStatus
from courtwatch.notify.preferences import queue_for_person
from courtwatch.notify.services import send_due
from tests.notify.test_channels import VAPID_SETTINGS, Browser, check_vapid
from tests.support.providers import SilentServer, push_service, sms_provider, sms_settings


@pytest.fixture
def test_config(test_config, sms):
    return {
        **test_config,
        **sms_settings(sms),
        **VAPID_SETTINGS,
    }


def _alerted(make_user, endpoints: list[str], phones: bool = True) -> list:
    """One person per endpoint, subscribed there (and with a phone), each sent an alert."""
    people = []
    for n, endpoint in enumerate(endpoints):
        person = make_user()
        person.phone = f"+1617555{n:04d}" if phones else None
        db.session.commit()
        Browser(endpoint).subscribe(person)
        queue_for_person(person, "alert", subject="Agents", body_text="Now", sms_text="Agents now", link="/a")
        people.append(person)
    db.session.commit()
    return people


def test_a_batch_costs_a_few_statements_not_five_per_message(app, make_user, sms, push):
    people = _alerted(make_user, [f"{push.url}/push/device-{n}" for n in range(40)])
    statements = []

    def seen(*_args, **_kwargs):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        report = send_due()
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert report.sent == 80 and len(sms.received) == 40 and len(push.received) == 40
    # One message at a time cost a claim, a load, a subscription look-up and a mark: 320 here.
    # A batch of 16 costs those four once: about 25 in all.
    assert len(statements) <= 40, len(statements)
    db.session.expire_all()
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert Counter((m.status, m.attempts, m.claimed_until) for m in rows) == {(OutboxStatus.SENT, 1, None): 80}
    assert all(m.sent_at is not None for m in rows) and len(people) == 40


def test_one_vapid_signature_per_push_service_reused_across_messages(app, make_user, push):
    other = push_service()
    try:
        _alerted(make_user, [f"{push.url}/push/a", f"{push.url}/push/b", f"{other.url}/push/c"], phones=False)
        assert send_due().sent == 3
    finally:
        other.close()
    first, second = (r.headers["authorization"] for r in push.received)
    # Signing is randomised (ECDSA): equal headers mean the JWT was signed once and reused.
    assert first == second
    claims = check_vapid(first, push.url)
    assert 11 * 3600 < claims["exp"] - __import__("time").time() <= 12 * 3600
    [elsewhere] = other.received
    assert elsewhere.headers["authorization"] != first  # its own audience
    check_vapid(elsewhere.headers["authorization"], other.url)


def test_a_hung_push_service_leaves_the_rest_of_the_batch_queued_untried(app, make_user):
    hung = SilentServer()
    app.config["SMS_TIMEOUT"] = 1  # push waits as long as SMS does
    try:
        _alerted(make_user, [f"http://127.0.0.1:{hung.port}/push/{n}" for n in range(6)], phones=False)
        report = send_due()
    finally:
        hung.close()
    # The first push to time out pauses push for the run; what its batch still held is released.
    assert report.sent == 0 and report.failed >= 1 and report.failed + report.deferred == 6
    assert len(hung.connections) == report.failed
    db.session.expire_all()
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert {m.status for m in rows} == {OutboxStatus.PENDING} and {m.claimed_until for m in rows} == {None}
    assert sorted(m.attempts for m in rows) == [0] * report.deferred + [1] * report.failed


def test_a_sending_thread_keeps_its_connection_to_the_provider(app, make_user):
    provider = sms_provider(keep_alive=True)
    app.config.update(sms_settings(provider))
    try:
        for n in range(20):
            person = make_user()
            person.phone = f"+1617555{n:04d}"
            queue_for_person(person, "alert", subject="Agents", body_text="Now", sms_text="Agents now", link="/a")
        db.session.commit()
        assert send_due().sent == 20
    finally:
        provider.close()
    assert len(provider.received) == 20
    # One connection per sending thread (2 on SQLite, 8 on PostgreSQL), not one per text.
    assert len({r.client_port for r in provider.received}) <= 8
