"""Who hears what, how: each person's channels per kind of message, and the fan-out that queues
one outbox row per channel.

No stored row means the defaults: alerts by push and SMS where available (a subscribed device, a
phone number and a configured provider), everything else by email. A message that would reach
nobody on the chosen channels falls back to email, so an alert is never silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable

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


def _defaults() -> dict[str, list[str]]:
    return {kind.value: [c.value for c in channels] for kind, channels in DEFAULT_CHANNELS.items()}


def _apply(chosen: dict[str, list[str]], row: ChannelPreference) -> None:
    if row.kind in chosen:
        chosen[row.kind] = [c for c in row.channels.split(",") if c in Channel.__members__.values()]


def chosen_channels(user) -> dict[str, list[str]]:
    """{kind: [channel, ...]} as this person set them (or the defaults)."""
    chosen = _defaults()
    for row in db.session.scalars(select(ChannelPreference).where(ChannelPreference.user_id == user.id)):
        _apply(chosen, row)
    return chosen


class ChannelBook:
    """Everyone's channel choices and push subscriptions for a crowd, read in two queries (per
    500 people) instead of two per person: an alert to 1,000 people on call is queued in the
    report's own transaction, before anyone can be told."""

    CHUNK = 500

    def __init__(self, users) -> None:
        ids = sorted({user.id for user in users})
        self._chosen: dict[int, dict[str, list[str]]] = {}
        self._with_push: set[int] = set()
        check_push = push_configured(current_app.config)
        for start in range(0, len(ids), self.CHUNK):
            chunk = ids[start : start + self.CHUNK]
            for row in db.session.scalars(select(ChannelPreference).where(ChannelPreference.user_id.in_(chunk))):
                _apply(self._chosen.setdefault(row.user_id, _defaults()), row)
            if check_push:
                self._with_push.update(
                    db.session.scalars(
                        select(PushSubscription.user_id).where(PushSubscription.user_id.in_(chunk)).distinct()
                    )
                )

    def chosen(self, user) -> dict[str, list[str]]:
        return self._chosen.get(user.id) or _defaults()

    def available(self, user) -> set[str]:
        return _available(user, user.id in self._with_push)


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


def _available(user, subscribed: bool) -> set[str]:
    config = current_app.config
    available = {Channel.EMAIL.value}
    if user.phone and sms_configured(config):
        available.add(Channel.SMS.value)
    if subscribed and push_configured(config):
        available.add(Channel.PUSH.value)
    return available


def available_channels(user) -> set[str]:
    subscribed = push_configured(current_app.config) and db.session.scalar(
        select(PushSubscription.id).where(PushSubscription.user_id == user.id).limit(1)
    )
    return _available(user, bool(subscribed))


def render_sms(kind: str, locale: str | None, **context) -> str:
    """``templates/sms/KIND.txt``, on one line: short, no names (phones are seized, texts read aloud)."""
    with force_locale(locale or "en"):
        text = render_template(f"sms/{kind}.txt", url_for=external_url, **context)
    return " ".join(text.split())


def _wanted(user, kind: MessageKind, book: ChannelBook | None, sms_text: str | None) -> list[str]:
    if book is None:
        wanted = [c for c in chosen_channels(user)[kind] if c in available_channels(user)]
    else:
        available = book.available(user)
        wanted = [c for c in book.chosen(user)[kind] if c in available]
    if Channel.SMS in wanted and not sms_text:
        wanted.remove(Channel.SMS)
    return wanted or [Channel.EMAIL.value]


def _address(user, channel: str) -> str:
    return {Channel.EMAIL: user.email, Channel.SMS: user.phone, Channel.PUSH: ""}[Channel(channel)]


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
    book: ChannelBook | None = None,
) -> list[OutboxMessage]:
    """Queue one message to one person on each channel they chose for ``kind`` (in the caller's
    transaction). ``subject``/``body_text`` are the email and the push notification's title and
    text; ``sms_text`` the text message (none given: no SMS). ``book``: the choices of a crowd
    this person is part of, read once (see ``queue_for_crowd`` for the fastest fan-out)."""
    from courtwatch.notify.services import queue_email

    kind = MessageKind(kind)
    queued = []
    for channel in _wanted(user, kind, book, sms_text):
        message = queue_email(
            _address(user, channel),
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


def queue_for_crowd(
    people,
    kind: str,
    texts: Callable[[object], tuple[str, str, str | None]],
    *,
    link: str | None = None,
    dedupe_prefix: str | None = None,
    urgent: bool = False,
) -> int:
    """``queue_for_person`` for many people in one INSERT (``services.queue_many``); how many
    messages. ``texts(person)`` gives (subject, body, sms text or None). Only for messages nobody
    can have queued before (dedupe keys ``PREFIX:USER:CHANNEL`` are not looked up): an alert's
    fan-out, which skips who was already told. An alert to 1,000 people is queued inside the
    report's transaction, before anyone can be told, so it must cost little."""
    from courtwatch.notify.services import queue_many

    kind = MessageKind(kind)
    book = ChannelBook(people)
    rows = []
    for person in people:
        subject, body, sms = texts(person)
        for channel in _wanted(person, kind, book, sms):
            rows.append(
                {
                    "to_address": _address(person, channel),
                    "subject": subject,
                    "body_text": sms if channel == Channel.SMS else body,
                    "dedupe_key": f"{dedupe_prefix}:{person.id}:{channel}" if dedupe_prefix else None,
                    "urgent": urgent,
                    "kind": kind.value,
                    "channel": channel,
                    "user_id": person.id,
                    "link": link,
                }
            )
    return queue_many(rows)


__all__ = [
    "PRIORITY",
    "ChannelBook",
    "chosen_channels",
    "save_channels",
    "queue_for_person",
    "queue_for_crowd",
    "render_sms",
]
