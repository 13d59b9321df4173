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
import threading
import time
from contextlib import nullcontext
from urllib.parse import urlsplit

from sqlalchemy import delete, select

from courtwatch.db import db
from courtwatch.notify.delivery import ChannelTimedOut, DeliveryFailed, deliver
from courtwatch.notify.models import OutboxMessage, PushSubscription

# A VAPID JWT may live up to 24 hours (RFC 8292); ours live 12, as pywebpush's do, and one is
# reused for 11: signing a fresh one per message cost a key parse and an ECDSA signature each.
VAPID_LIFETIME = 12 * 3600
VAPID_REUSE = 11 * 3600
_vapid_headers: dict[tuple[str, str, str], tuple[float, dict]] = {}
_vapid_lock = threading.Lock()


def vapid_headers(config, endpoint: str) -> dict:
    """The ``Authorization`` header for one push service (its origin is the JWT's audience),
    signed once and reused until VAPID_REUSE has passed."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(endpoint))
    key = (str(config["VAPID_PRIVATE_KEY"]), _vapid_subject(config), origin)
    now = time.time()
    with _vapid_lock:
        cached = _vapid_headers.get(key)
        if cached and cached[0] > now:
            return cached[1]
    from py_vapid import Vapid

    claims = {"sub": key[1], "aud": origin, "exp": int(now) + VAPID_LIFETIME}
    headers = dict(Vapid.from_string(private_key=key[0]).sign(claims))
    with _vapid_lock:
        _vapid_headers[key] = (now + VAPID_REUSE, headers)
    return headers


class HttpClients:
    """The HTTP connections one sending thread reuses (a ``requests.Session``): a new session per
    message costs its set-up, and a new TCP (and TLS) connection to a push service or SMS
    provider that would have kept the last one open."""

    def __init__(self) -> None:
        self._session = None

    @property
    def session(self):
        if self._session is None:
            import requests  # loaded by the sending command only: every CLI start would pay for it

            self._session = requests.Session()
        return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def __enter__(self) -> HttpClients:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def sms_configured(config) -> bool:
    return all(config.get(key) for key in ("SMS_URL", "SMS_ACCOUNT", "SMS_TOKEN", "SMS_FROM"))


def push_configured(config) -> bool:
    return bool(config.get("VAPID_PRIVATE_KEY") and config.get("VAPID_PUBLIC_KEY"))


def send_sms(message: OutboxMessage, config, clients: HttpClients) -> str | None:
    """Hand one text to the provider; its sid, or None when SMS is not configured (nothing sent)."""
    if not sms_configured(config):
        return None
    import requests

    url = f"{str(config['SMS_URL']).rstrip('/')}/Accounts/{config['SMS_ACCOUNT']}/Messages.json"
    try:
        answer = clients.session.post(
            url,
            data={"To": message.to_address, "From": config["SMS_FROM"], "Body": message.body_text},
            auth=(config["SMS_ACCOUNT"], config["SMS_TOKEN"]),
            timeout=int(config["SMS_TIMEOUT"]),
        )
    except requests.Timeout as error:
        raise ChannelTimedOut(f"SMS provider did not answer within {config['SMS_TIMEOUT']} s") from error
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


def send_push(
    message: OutboxMessage, config, clients: HttpClients, subscriptions: list[PushSubscription] | None = None
) -> int:
    """Push to every device of the message's person; how many took it (0 when push is off).
    ``subscriptions``: that person's, when the caller loaded a batch's at once. A subscription the
    push service calls gone is deleted in the caller's transaction."""
    if not push_configured(config) or message.user_id is None:
        return 0
    import requests
    from pywebpush import WebPushException, webpush  # aiohttp behind it: ~0.2 s on every start

    if subscriptions is None:
        subscriptions = db.session.scalars(
            select(PushSubscription).where(PushSubscription.user_id == message.user_id).order_by(PushSubscription.id)
        ).all()
    data = json.dumps(push_payload(message))
    delivered, gone, errors, timed_out = 0, [], [], 0
    for subscription in subscriptions:
        info = {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
        try:
            # No key or claims given: pywebpush then signs nothing, and sends our cached header.
            webpush(
                info,
                data=data,
                content_encoding="aes128gcm",
                ttl=3600,
                headers={
                    **vapid_headers(config, subscription.endpoint),
                    "Urgency": "high" if message.priority == 0 else "normal",
                },
                timeout=int(config["SMS_TIMEOUT"]),
                requests_session=clients.session,
            )
            delivered += 1
        except WebPushException as error:
            status = getattr(error.response, "status_code", None)
            if status in (404, 410):
                gone.append(subscription.id)
            else:
                errors.append(f"push service answered {status}")
        except requests.Timeout:
            timed_out += 1
            errors.append("push service did not answer in time")
        except requests.RequestException as error:
            errors.append(f"push service unreachable: {type(error).__name__}")
    if gone:
        db.session.execute(delete(PushSubscription).where(PushSubscription.id.in_(gone)))
    if errors and not delivered:
        failure = ChannelTimedOut if timed_out == len(errors) else DeliveryFailed
        raise failure("; ".join(errors)[:480])
    return delivered


def deliver_on_channel(
    message: OutboxMessage,
    config,
    clients: HttpClients | None = None,
    subscriptions: list[PushSubscription] | None = None,
) -> None:
    """Send one outbox row on its channel; DeliveryFailed leaves it queued for a retry.
    ``clients``: the sending thread's connections (without them, one set for this message)."""
    if message.channel not in ("sms", "push"):
        deliver(message, config)
        return
    with nullcontext(clients) if clients is not None else HttpClients() as connections:
        if message.channel == "sms":
            send_sms(message, config, connections)
        else:
            send_push(message, config, connections, subscriptions)
