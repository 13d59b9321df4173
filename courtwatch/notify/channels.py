"""Text messages and Web Push: the two channels beside email, each a real protocol.

SMS goes through a Twilio-compatible API (``POST {SMS_URL}/Accounts/{ACCOUNT}/Messages.json``,
form fields To/From/Body, basic auth ACCOUNT:TOKEN, answer 201 with ``{"sid": ...}``). Push is
RFC 8030 with the payload encrypted per RFC 8291 (aes128gcm) and the server identified by a VAPID
JWT (RFC 8292), through ``pywebpush``. The payload is the JSON the service worker already shows:
``{"title", "body", "url", "tag"}``.

A failure raises ``DeliveryFailed`` so the outbox retries; a subscription the push service says
is gone (404/410) is deleted instead, since retrying it can never succeed.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import requests
from pywebpush import WebPushException, webpush
from sqlalchemy import delete, select

from courtwatch.db import db
from courtwatch.notify.delivery import DeliveryFailed, deliver
from courtwatch.notify.models import OutboxMessage, PushSubscription


def sms_configured(config) -> bool:
    return all(config.get(key) for key in ("SMS_URL", "SMS_ACCOUNT", "SMS_TOKEN", "SMS_FROM"))


def push_configured(config) -> bool:
    return bool(config.get("VAPID_PRIVATE_KEY") and config.get("VAPID_PUBLIC_KEY"))


def send_sms(message: OutboxMessage, config) -> str | None:
    """Hand one text to the provider; its sid, or None when SMS is not configured (nothing sent)."""
    if not sms_configured(config):
        return None
    url = f"{str(config['SMS_URL']).rstrip('/')}/Accounts/{config['SMS_ACCOUNT']}/Messages.json"
    try:
        answer = requests.post(
            url,
            data={"To": message.to_address, "From": config["SMS_FROM"], "Body": message.body_text},
            auth=(config["SMS_ACCOUNT"], config["SMS_TOKEN"]),
            timeout=int(config["SMS_TIMEOUT"]),
        )
    except requests.RequestException as error:
        raise DeliveryFailed(f"SMS provider unreachable: {type(error).__name__}"[:480]) from error
    if answer.status_code != 201:
        raise DeliveryFailed(f"SMS provider answered {answer.status_code}"[:480])
    try:
        return str(answer.json()["sid"])
    except (ValueError, KeyError, TypeError) as error:
        raise DeliveryFailed("SMS provider's answer had no sid") from error


def push_payload(message: OutboxMessage) -> dict:
    return {
        "title": message.subject,
        "body": message.body_text,
        "url": message.link or "/",
        # One tag per outbox row: a retry replaces the notification instead of showing it twice.
        "tag": f"courtwatch-{message.id}",
    }


def _vapid_subject(config) -> str:
    subject = str(config.get("VAPID_SUBJECT") or "")
    if subject:
        return subject
    base = urlsplit(str(config["BASE_URL"]))
    return f"{base.scheme or 'https'}://{base.netloc}"


def send_push(message: OutboxMessage, config) -> int:
    """Push to every device of the message's person; how many took it (0 when push is off)."""
    if not push_configured(config) or message.user_id is None:
        return 0
    subscriptions = db.session.scalars(
        select(PushSubscription).where(PushSubscription.user_id == message.user_id).order_by(PushSubscription.id)
    ).all()
    data = json.dumps(push_payload(message))
    delivered, gone, errors = 0, [], []
    for subscription in subscriptions:
        info = {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
        try:
            webpush(
                info,
                data=data,
                vapid_private_key=config["VAPID_PRIVATE_KEY"],
                vapid_claims={"sub": _vapid_subject(config)},
                content_encoding="aes128gcm",
                ttl=3600,
                headers={"Urgency": "high" if message.priority == 0 else "normal"},
                timeout=int(config["SMS_TIMEOUT"]),
            )
            delivered += 1
        except WebPushException as error:
            status = getattr(error.response, "status_code", None)
            if status in (404, 410):
                gone.append(subscription.id)
            else:
                errors.append(f"push service answered {status}")
        except requests.RequestException as error:
            errors.append(f"push service unreachable: {type(error).__name__}")
    if gone:
        db.session.execute(delete(PushSubscription).where(PushSubscription.id.in_(gone)))
        db.session.commit()
    if errors and not delivered:
        raise DeliveryFailed("; ".join(errors)[:480])
    return delivered


def deliver_on_channel(message: OutboxMessage, config) -> None:
    """Send one outbox row on its channel; DeliveryFailed leaves it queued for a retry."""
    if message.channel == "sms":
        send_sms(message, config)
    elif message.channel == "push":
        send_push(message, config)
    else:
        deliver(message, config)
