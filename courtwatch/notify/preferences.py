"""Who hears what, how: each person's channels per kind of message, and the fan-out that queues
one outbox row per channel.

No stored row means the defaults: alerts by push and SMS where available (a subscribed device, a
phone number and a configured provider), everything else by email. A message that would reach
nobody on the chosen channels falls back to email, so an alert is never silently dropped.
"""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select

from courtwatch.db import db
from courtwatch.notify.channels import push_configured, sms_configured
from courtwatch.notify.messages import external_url
from courtwatch.notify.models import PRIORITY, Channel, ChannelPreference, MessageKind, OutboxMessage, PushSubscription

DEFAULT_CHANNELS = {
    MessageKind.ALERT: (Channel.PUSH, Channel.SMS),
    MessageKind.REMINDER: (Channel.EMAIL,),
    MessageKind.NOTICE: (Channel.EMAIL,),
    MessageKind.ANNOUNCEMENT: (Channel.EMAIL,),
}


def chosen_channels(user) -> dict[str, list[str]]:
    """{kind: [channel, ...]} as this person set them (or the defaults)."""
    chosen = {kind.value: [c.value for c in channels] for kind, channels in DEFAULT_CHANNELS.items()}
    for row in db.session.scalars(select(ChannelPreference).where(ChannelPreference.user_id == user.id)):
        if row.kind in chosen:
            chosen[row.kind] = [c for c in row.channels.split(",") if c in Channel.__members__.values()]
    return chosen


def save_channels(user, choices: dict[str, list[str]]) -> None:
    valid = set(Channel)
    for kind in MessageKind:
        channels = ",".join(c for c in Channel if c in set(choices.get(kind, ())) & valid)
        row = db.session.scalar(
            select(ChannelPreference).where(ChannelPreference.user_id == user.id, ChannelPreference.kind == kind)
        )
        if row is None:
            db.session.add(ChannelPreference(user_id=user.id, kind=kind.value, channels=channels))
        else:
            row.channels = channels


def available_channels(user) -> set[str]:
    config = current_app.config
    available = {Channel.EMAIL.value}
    if user.phone and sms_configured(config):
        available.add(Channel.SMS.value)
    if push_configured(config) and db.session.scalar(
        select(PushSubscription.id).where(PushSubscription.user_id == user.id).limit(1)
    ):
        available.add(Channel.PUSH.value)
    return available


def render_sms(kind: str, locale: str | None, **context) -> str:
    """``templates/sms/KIND.txt``, on one line: short, no names (phones are seized, texts read aloud)."""
    with force_locale(locale or "en"):
        text = render_template(f"sms/{kind}.txt", url_for=external_url, **context)
    return " ".join(text.split())


def queue_for_person(
    user,
    kind: str,
    *,
    subject: str,
    body_text: str,
    sms_text: str | None = None,
    link: str | None = None,
    dedupe_key: str | None = None,
    urgent: bool = False,
) -> list[OutboxMessage]:
    """Queue one message to one person on each channel they chose for ``kind`` (in the caller's
    transaction). ``subject``/``body_text`` are the email and the push notification's title and
    text; ``sms_text`` the text message (none given: no SMS)."""
    from courtwatch.notify.services import queue_email

    kind = MessageKind(kind)
    wanted = [c for c in chosen_channels(user)[kind] if c in available_channels(user)]
    if Channel.SMS in wanted and not sms_text:
        wanted.remove(Channel.SMS)
    if not wanted:
        wanted = [Channel.EMAIL.value]
    queued = []
    for channel in wanted:
        address = {Channel.EMAIL: user.email, Channel.SMS: user.phone, Channel.PUSH: ""}[Channel(channel)]
        message = queue_email(
            address,
            subject,
            sms_text if channel == Channel.SMS else body_text,
            dedupe_key=f"{dedupe_key}:{channel}" if dedupe_key else None,
            urgent=urgent,
            kind=kind,
            channel=channel,
            user_id=user.id,
            link=link,
        )
        if message is not None:
            queued.append(message)
    return queued


__all__ = ["PRIORITY", "chosen_channels", "save_channels", "queue_for_person", "render_sms"]
