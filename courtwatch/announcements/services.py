"""Who an announcement reaches, sending it once, and reading it back.

Filters combine with AND; none chosen means every approved account. What each one means:

* courthouse: people *connected* to it: a claimed shift there from 90 days ago onwards
  (upcoming ones included), an on-call window for it or its county that has not ended (weekly
  windows always count), or a request for its last-call alerts;
* language: the person lists it among the languages they speak;
* training: the person has that training on record;
* on call: an on-call window that has not ended (weekly ones count); with a courthouse chosen,
  a window for that courthouse or its county;
* shift: the people who hold a place on that shift (claimed; not waitlisted or released).

Each recipient gets one outbox message per channel they chose for announcements (the lowest
priority), deduplicated per announcement and person; the announcement row is unique by the
token its preview carried, so a double click sends it once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import String, insert, literal, or_, select
from sqlalchemy.exc import IntegrityError

from courtwatch.announcements.models import Announcement, AnnouncementRecipient
from courtwatch.auth.languages import LANGUAGES, language_name
from courtwatch.auth.models import AccountStatus, Training, User, UserTraining
from courtwatch.courts.models import Courthouse
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.notify.messages import external_url
from courtwatch.notify.preferences import queue_for_person, render_sms
from courtwatch.rapid.models import AlertOptIn, OnCallWindow
from courtwatch.shifts.models import Shift, ShiftSignup, SignupStatus

SUBJECT_MAX = 120
BODY_MAX = 2000
RECENT_DAYS = 14
COURTHOUSE_LOOKBACK = timedelta(days=90)
PAGE_SIZE = 30
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass(frozen=True)
class Audience:
    courthouse_id: int | None = None
    language: str | None = None
    training_id: int | None = None
    on_call: bool = False
    shift_id: int | None = None


def check_audience(audience: Audience) -> None:
    """A DomainError naming the field for a filter that points at nothing."""
    if audience.courthouse_id is not None and db.session.get(Courthouse, audience.courthouse_id) is None:
        raise DomainError(_("Choose a courthouse from the list."), field="courthouse")
    if audience.language is not None and audience.language not in LANGUAGES:
        raise DomainError(_("Choose a language from the list."), field="language")
    if audience.training_id is not None and db.session.get(Training, audience.training_id) is None:
        raise DomainError(_("Choose a training from the list."), field="training")
    if audience.shift_id is not None and db.session.get(Shift, audience.shift_id) is None:
        raise DomainError(_("Choose a shift from the list."), field="shift")


def _window_not_over(now: datetime):
    return OnCallWindow.weekly.is_(True) | (OnCallWindow.ends_at > now)


def _window_place(courthouse: Courthouse):
    place = OnCallWindow.courthouse_id == courthouse.id
    return or_(place, OnCallWindow.county == courthouse.county) if courthouse.county else place


def _recipient_ids(audience: Audience, now: datetime):
    query = select(User.id).where(User.status == AccountStatus.ACTIVE)
    courthouse = db.session.get(Courthouse, audience.courthouse_id) if audience.courthouse_id else None
    if courthouse is not None:
        took_shift = (
            select(ShiftSignup.user_id)
            .join(Shift, Shift.id == ShiftSignup.shift_id)
            .where(
                Shift.courthouse_id == courthouse.id,
                Shift.starts_at >= now - COURTHOUSE_LOOKBACK,
                ShiftSignup.status == SignupStatus.CLAIMED,
            )
        )
        on_call_there = select(OnCallWindow.user_id).where(_window_place(courthouse), _window_not_over(now))
        opted_in = select(AlertOptIn.user_id).where(AlertOptIn.courthouse_id == courthouse.id)
        query = query.where(User.id.in_(took_shift) | User.id.in_(on_call_there) | User.id.in_(opted_in))
    if audience.language:
        listed = literal(",", String) + User.languages + literal(",", String)
        query = query.where(listed.like(f"%,{audience.language},%"))
    if audience.training_id:
        query = query.where(
            User.id.in_(select(UserTraining.user_id).where(UserTraining.training_id == audience.training_id))
        )
    if audience.on_call:
        windows = select(OnCallWindow.user_id).where(_window_not_over(now))
        if courthouse is not None:
            windows = windows.where(_window_place(courthouse))
        query = query.where(User.id.in_(windows))
    if audience.shift_id:
        query = query.where(
            User.id.in_(
                select(ShiftSignup.user_id).where(
                    ShiftSignup.shift_id == audience.shift_id, ShiftSignup.status == SignupStatus.CLAIMED
                )
            )
        )
    return query


def count_recipients(audience: Audience, now: datetime | None = None) -> int:
    check_audience(audience)
    ids = _recipient_ids(audience, now or utcnow()).subquery()
    return db.session.scalar(select(db.func.count()).select_from(ids)) or 0


def describe(audience: Audience) -> str:
    """ "Language: Spanish; On call" (in the author's language), or "Everyone"."""
    parts = []
    if audience.courthouse_id:
        parts.append(_("Courthouse: %(name)s", name=db.session.get(Courthouse, audience.courthouse_id).name))
    if audience.language:
        parts.append(_("Language: %(name)s", name=language_name(audience.language)))
    if audience.training_id:
        parts.append(_("Training: %(name)s", name=db.session.get(Training, audience.training_id).name))
    if audience.on_call:
        parts.append(_("On call"))
    if audience.shift_id:
        parts.append(_("Shift: %(shift)s", shift=db.session.get(Shift, audience.shift_id).short_title))
    return "; ".join(parts) or _("Everyone approved")


def check_text(subject: str, body: str, token: str) -> None:
    """The service's own limits (the form says the same beside each field first)."""
    if not subject.strip() or len(subject) > SUBJECT_MAX or re.search(r"[\x00-\x1f\x7f]", subject):
        raise DomainError(_("Give a subject of at most %(n)d characters on one line.", n=SUBJECT_MAX), field="subject")
    if not body.strip() or len(body) > BODY_MAX:
        raise DomainError(_("Write the announcement in at most %(n)d characters.", n=BODY_MAX), field="body")
    if not _TOKEN.match(token or ""):
        raise DomainError(_("Preview the announcement before sending it."))


def send_announcement(
    author: User, subject: str, body: str, audience: Audience, token: str, now: datetime | None = None
) -> tuple[Announcement, bool]:
    """(announcement, True) when sent now; (the earlier one, False) when this token was sent before."""
    now = now or utcnow()
    earlier = db.session.scalar(select(Announcement).where(Announcement.send_token == token))
    if earlier is not None:
        return earlier, False
    check_text(subject, body, token)
    check_audience(audience)
    people = list(db.session.scalars(select(User).where(User.id.in_(_recipient_ids(audience, now))).order_by(User.id)))
    if not people:
        raise DomainError(_("Nobody matches these filters, so there is nobody to send this to."))
    announcement = Announcement(
        send_token=token,
        subject=subject.strip(),
        body=body.strip(),
        author_id=author.id,
        audience=describe(audience)[:500],
        recipient_count=len(people),
        created_at=now,
    )
    try:
        with db.session.begin_nested():  # a concurrent second click: its insert fails here, once
            db.session.add(announcement)
    except IntegrityError:
        return db.session.scalar(select(Announcement).where(Announcement.send_token == token)), False
    db.session.execute(
        insert(AnnouncementRecipient), [{"announcement_id": announcement.id, "user_id": p.id} for p in people]
    )
    _queue(announcement, people)
    db.session.flush()
    return announcement, True


def render_announcement(announcement: Announcement, locale: str | None, link: str) -> tuple[str, str]:
    """(subject, body) of the email, framed in the recipient's language (``templates/email/``; not
    one of notify's EMAIL_KINDS, which all carry a courthouse time)."""
    with force_locale(locale or "en"):
        subject = render_template("email/announcement.subject.txt", announcement=announcement, link=link)
        body = render_template("email/announcement.txt", announcement=announcement, link=link)
    return " ".join(subject.split()), body.strip() + "\n"


def _queue(announcement: Announcement, people: list[User]) -> None:
    link = external_url("announcements.show", announcement_id=announcement.id)
    rendered: dict[str | None, tuple[str, str, str]] = {}  # per locale: the same words for everyone
    for person in people:
        if person.locale not in rendered:
            subject, body = render_announcement(announcement, person.locale, link)
            rendered[person.locale] = (subject, body, render_sms("announcement", person.locale, link=link))
        subject, body, sms = rendered[person.locale]
        queue_for_person(
            person,
            "announcement",
            subject=subject,
            body_text=body,
            sms_text=sms,
            link=link,
            dedupe_key=f"announcement:{announcement.id}:{person.id}",
        )


def recent_for(user: User, now: datetime | None = None, limit: int = 5) -> list[Announcement]:
    """The announcements sent to this person in the last RECENT_DAYS days, newest first."""
    since = (now or utcnow()) - timedelta(days=RECENT_DAYS)
    return list(
        db.session.scalars(
            select(Announcement)
            .join(AnnouncementRecipient, AnnouncementRecipient.announcement_id == Announcement.id)
            .where(AnnouncementRecipient.user_id == user.id, Announcement.created_at >= since)
            .order_by(Announcement.id.desc())
            .limit(limit)
        )
    )


def readable(user: User, announcement_id: int) -> Announcement:
    """Staff read every announcement; anyone else only those sent to them (others: NotFound)."""
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is not None and (user.is_staff or _was_sent_to(user, announcement)):
        return announcement
    raise NotFound(_("There is no such announcement."))


def _was_sent_to(user: User, announcement: Announcement) -> bool:
    return (
        db.session.scalar(
            select(AnnouncementRecipient.id).where(
                AnnouncementRecipient.announcement_id == announcement.id, AnnouncementRecipient.user_id == user.id
            )
        )
        is not None
    )


def list_sent(before_id: int | None = None, limit: int = PAGE_SIZE) -> list[Announcement]:
    query = select(Announcement).order_by(Announcement.id.desc()).limit(limit)
    if before_id:
        query = query.where(Announcement.id < before_id)
    return list(db.session.scalars(query))
