"""Channels beside email: SMS through a Twilio-compatible provider and Web Push (RFC 8291 aes128gcm
with VAPID), each against a real server on 127.0.0.1; each person's channels per kind; priorities;
a Message-ID that survives a retry."""

from __future__ import annotations

import base64
import json
import os
import time
from urllib.parse import parse_qs

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy import select

from courtwatch.db import db
from courtwatch.notify.models import OutboxMessage, OutboxStatus, PushSubscription
from courtwatch.notify.preferences import queue_for_person, render_sms, save_channels
from courtwatch.notify.services import queue_email, send_due
from courtwatch.notify.vapid import new_key_pair
from tests.support.providers import sms_settings

VAPID_PRIVATE, VAPID_PUBLIC = new_key_pair()
VAPID_SETTINGS = {
    "VAPID_PRIVATE_KEY": VAPID_PRIVATE,
    "VAPID_PUBLIC_KEY": VAPID_PUBLIC,
    "VAPID_SUBJECT": "mailto:ops@example.org",
}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture
def test_config(test_config, sms):
    return {
        **test_config,
        **sms_settings(sms),
        **VAPID_SETTINGS,
    }


class Browser:
    """What a browser keeps for one push subscription: a P-256 key pair and a 16-byte auth secret."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )

    def subscribe(self, user) -> None:
        db.session.add(
            PushSubscription(
                user_id=user.id, endpoint=self.endpoint, p256dh=b64url(self.public), auth=b64url(self.auth)
            )
        )
        db.session.commit()

    def decrypt(self, body: bytes) -> dict:
        return json.loads(http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"))


def check_vapid(authorization: str, audience: str) -> dict:
    """The VAPID header (RFC 8292): ``vapid t=JWT, k=KEY``, signed ES256 by our key, for this origin."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert fields["k"] == VAPID_PUBLIC
    header, claims, signature = fields["t"].split(".")
    assert json.loads(unb64url(header))["alg"] == "ES256"
    raw = unb64url(signature)
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(VAPID_PUBLIC))
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    payload = json.loads(unb64url(claims))
    assert payload["aud"] == audience and payload["sub"] == "mailto:ops@example.org"
    assert payload["exp"] > time.time()
    return payload


def _person(make_user, phone="+16172531000"):
    user = make_user()
    user.phone = phone
    db.session.commit()
    return user


def test_alert_reaches_phone_by_sms_and_push_decrypted_with_the_browser_key(app, make_user, sms, push, mailbox):
    user = _person(make_user)
    browser = Browser(f"{push.url}/push/device-1")
    browser.subscribe(user)
    text = render_sms(
        "alert", "en", courthouse="Boston Immigration", area="Hallway", time="9:40 AM", link="https://x/a/1"
    )
    queue_for_person(
        user,
        "alert",
        subject="Agents at Boston Immigration",
        body_text="Hallway, 9:40 AM",
        sms_text=text,
        link="/alerts/1",
        dedupe_key="alert-1",
    )
    db.session.commit()
    assert send_due().sent == 2

    [call] = sms.received
    form = parse_qs(call.body.decode())
    assert form == {
        "To": ["+16172531000"],
        "From": ["+16175550000"],
        "Body": ["Courtwatch: agents reported at Boston Immigration, Hallway, 9:40 AM. https://x/a/1"],
    }

    [delivered] = push.received
    assert delivered.path == "/push/device-1"
    assert delivered.headers["content-encoding"] == "aes128gcm" and int(delivered.headers["ttl"]) > 0
    assert delivered.headers["urgency"] == "high"
    check_vapid(delivered.headers["authorization"], push.url)
    payload = browser.decrypt(delivered.body)
    [row] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "push")).all()
    assert payload == {
        "title": "Agents at Boston Immigration",
        "body": "Hallway, 9:40 AM",
        "url": "/alerts/1",
        "tag": f"courtwatch-{row.id}",
    }
    assert mailbox.messages == []  # alerts default to push and SMS, not email


def test_expired_subscription_is_deleted(app, make_user, push):
    user = _person(make_user, phone=None)
    gone, live = Browser(f"{push.url}/push/old"), Browser(f"{push.url}/push/new")
    gone.subscribe(user)
    live.subscribe(user)
    push.gone_paths.add("/push/old")
    queue_for_person(user, "alert", subject="Agents", body_text="Now", link="/a")
    db.session.commit()
    assert send_due().sent == 1
    assert db.session.scalars(select(PushSubscription.endpoint)).all() == [live.endpoint]
    assert live.decrypt(push.received[-1].body)["title"] == "Agents"


def test_preferences_are_respected(app, make_user, sms, push, mailbox):
    user = _person(make_user)
    Browser(f"{push.url}/push/d").subscribe(user)
    save_channels(user, {"alert": ["email"], "reminder": ["sms", "push"], "notice": [], "announcement": ["push"]})
    db.session.commit()
    for kind in ("alert", "reminder", "announcement"):
        queue_for_person(user, kind, subject=f"S {kind}", body_text="b", sms_text=f"Courtwatch: {kind}")
    db.session.commit()
    channels = sorted((m.kind, m.channel) for m in db.session.scalars(select(OutboxMessage)))
    assert channels == [("alert", "email"), ("announcement", "push"), ("reminder", "push"), ("reminder", "sms")]
    send_due()
    assert [parse_qs(c.body.decode())["Body"] for c in sms.received] == [["Courtwatch: reminder"]]
    assert [m["Subject"] for m in mailbox.messages] == ["S alert"]
    assert len(push.received) == 2


def test_no_channel_available_falls_back_to_email(app, make_user, mailbox):
    user = _person(make_user, phone=None)  # no phone, no device: the alert comes by email
    queue_for_person(user, "alert", subject="Agents", body_text="Now", sms_text="Courtwatch: x")
    db.session.commit()
    send_due()
    assert [m["Subject"] for m in mailbox.messages] == ["Agents"]


def test_unconfigured_sms_sends_nothing(app, make_user, sms, mailbox):
    for key in ("SMS_URL", "SMS_ACCOUNT", "SMS_TOKEN", "SMS_FROM"):
        app.config[key] = ""
    user = _person(make_user)
    queue_for_person(user, "alert", subject="Agents", body_text="Now", sms_text="Courtwatch: x")
    message = queue_email(user.phone, "", "Courtwatch: direct", channel="sms", kind="alert")
    db.session.commit()
    send_due()
    assert sms.received == []
    assert message.status == OutboxStatus.SENT  # nothing to do is not a failure to retry forever
    assert [m["Subject"] for m in mailbox.messages] == ["Agents"]


def test_sms_provider_refusal_is_retried(app, make_user, sms):
    app.config["SMS_TOKEN"] = "wrong"
    message = queue_email("+16172531000", "", "Courtwatch: x", channel="sms", kind="alert")
    db.session.commit()
    report = send_due()
    assert (report.sent, report.failed) == (0, 1)
    db.session.refresh(message)
    assert message.status == OutboxStatus.PENDING and "401" in message.last_error


def test_alerts_go_first_then_reminders_and_notices_then_announcements(app, mailbox):
    for kind in ("announcement", "notice", "announcement", "reminder", "alert"):
        queue_email(f"{kind}@example.org", kind, "body", kind=kind)
    db.session.commit()
    send_due()
    assert [m["Subject"] for m in mailbox.messages] == ["alert", "notice", "reminder", "announcement", "announcement"]


def test_message_id_is_stable_across_a_retry(app, mailbox):
    message = queue_email("person@example.org", "Hello", "Body")
    db.session.commit()
    first_port = app.config["SMTP_PORT"]
    send_due()
    [first] = mailbox.messages
    # The same row sent again (as after a crash between SMTP and the commit): same Message-ID.
    message.status, message.next_attempt_at = OutboxStatus.PENDING, message.created_at
    db.session.commit()
    send_due()
    second = mailbox.messages[1]
    assert first["Message-ID"] == second["Message-ID"] == f"<outbox-{message.id}@localhost>"
    assert app.config["SMTP_PORT"] == first_port


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("(617) 253-1000", "+16172531000"), ("+34 912 345 678", "+34912345678"), ("", None)],
)
def test_phone_is_stored_in_e164(app, volunteer, volunteer_client, typed, stored):
    answer = volunteer_client.post("/account/profile", data={"name": "Ana", "phone": typed, "languages": ["en"]})
    assert answer.status_code == 302
    db.session.refresh(volunteer)
    assert volunteer.phone == stored


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("call me", "That is not a phone number"),
        ("617 253", "too few or too many digits"),
        ("(999) 253-1000", "does not exist"),
    ],
)
def test_bad_phone_is_refused_next_to_the_field(app, volunteer, volunteer_client, typed, message):
    from tests.conftest import form_errors

    answer = volunteer_client.post("/account/profile", data={"name": "Ana", "phone": typed, "languages": ["en"]})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert any(message in error for error in form_errors(html))
    assert f'value="{typed}"' in html  # what the person typed stays in the field
    db.session.refresh(volunteer)
    assert volunteer.phone is None


def _subscription_json(endpoint="https://push.example.net/send/abc"):
    browser = Browser(endpoint)
    return {"endpoint": endpoint, "keys": {"p256dh": b64url(browser.public), "auth": b64url(browser.auth)}}


def test_browser_subscription_is_stored_for_its_person_and_removed(app, volunteer, volunteer_client):
    page = volunteer_client.get("/account").get_data(as_text=True)
    assert 'id="push-device"' in page and VAPID_PUBLIC in page and "/assets/push." in page
    token = volunteer_client.csrf_token()
    headers = {"X-CSRFToken": token}
    answer = volunteer_client.post("/account/messages/push", json=_subscription_json(), headers=headers)
    assert answer.status_code == 201
    [row] = db.session.scalars(select(PushSubscription)).all()
    assert row.user_id == volunteer.id and row.endpoint == "https://push.example.net/send/abc"
    gone = volunteer_client.post("/account/messages/push/remove", json={"endpoint": row.endpoint}, headers=headers)
    assert gone.status_code == 204
    db.session.expire_all()
    assert db.session.scalars(select(PushSubscription)).all() == []


@pytest.mark.parametrize(
    "change",
    [
        {"endpoint": "http://127.0.0.1:9/steal"},  # never posts to plain http or the server's own network
        {"endpoint": 42},
        {"keys": {"p256dh": "short", "auth": "x"}},
        {"keys": "nope"},
    ],
)
def test_a_bad_subscription_is_refused(app, volunteer_client, change):
    data = {**_subscription_json(), **change}
    answer = volunteer_client.post(
        "/account/messages/push", json=data, headers={"X-CSRFToken": volunteer_client.csrf_token()}
    )
    assert answer.status_code == 400
    assert db.session.scalars(select(PushSubscription)).all() == []


def test_subscription_needs_the_csrf_token(app, volunteer_client):
    answer = volunteer_client.post("/account/messages/push", json=_subscription_json())
    assert answer.status_code == 400
    assert db.session.scalars(select(PushSubscription)).all() == []


def test_channels_are_chosen_on_the_account_page(app, volunteer, volunteer_client):
    from courtwatch.notify.preferences import chosen_channels

    assert chosen_channels(volunteer)["alert"] == ["push", "sms"]  # the default
    answer = volunteer_client.post(
        "/account/messages/channels",
        data={"channels-alert": ["sms", "email", "fax"], "channels-announcement": []},
    )
    assert answer.status_code == 302
    chosen = chosen_channels(volunteer)
    assert chosen["alert"] == ["email", "sms"] and chosen["announcement"] == [] and chosen["reminder"] == []
    page = volunteer_client.get("/account").get_data(as_text=True)
    assert 'name="channels-alert" value="sms" checked' in page
    assert 'name="channels-alert" value="push">' in page


def test_vapid_keys_are_read_from_instance_files(tmp_path):
    from courtwatch.config import load_settings
    from courtwatch.notify.vapid import write_key_pair

    write_key_pair(tmp_path)
    settings = load_settings(str(tmp_path), {"ENV_NAME": "testing"})
    assert settings["VAPID_PUBLIC_KEY"] == (tmp_path / "vapid_public_key").read_text().strip()
    assert len(unb64url(settings["VAPID_PUBLIC_KEY"])) == 65 and len(unb64url(settings["VAPID_PRIVATE_KEY"])) == 32
