"""One shift into a phone's calendar: Google and Outlook "add event" links, and QR codes.

Pure functions of the shift (no database, no request). The links carry the same things as the
.ics file (``builders.single_shift_calendar``): kind, courthouse, address, time in UTC, meeting
point and a link back to the shift page. Never the accompanied person's name, language or notes,
the hearing's caption or case number, or the shift's free-text notes: these links go to Google's
and Microsoft's servers, and stay in the calendar of whoever opens them.

Times are UTC with a ``Z`` (Google: ``20261201T133000Z``; Outlook: ``2026-12-01T13:30:00Z``):
the calendar app shows them in the phone's own zone, which is the courthouse's for a volunteer
standing in it, and nothing depends on the server's zone.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import NamedTuple
from urllib.parse import urlencode

from flask import current_app
from flask_babel import gettext as _

GOOGLE_TEMPLATE = "https://calendar.google.com/calendar/render"
OUTLOOK_COMPOSE = "https://outlook.live.com/calendar/0/deeplink/compose"


class EventText(NamedTuple):
    title: str
    location: str
    details: str


def event_text(shift, base_url: str | None = None) -> EventText:
    base_url = (base_url or current_app.config["BASE_URL"]).rstrip("/")
    courthouse = shift.courthouse
    kind = {"observation": _("Observation"), "accompaniment": _("Accompaniment")}.get(shift.kind, shift.kind)
    title = f"{kind} — {courthouse.name}"
    if shift.status == "cancelled":
        title = f"{_('Cancelled')}: {title}"
    location = ", ".join(part for part in (courthouse.name, courthouse.address_line) if part)
    notes = []
    if shift.meeting_point:
        notes.append(f"{_('Meeting point')}: {shift.meeting_point}")
    notes.append(f"{_('Shift details')}: {base_url}/shifts/{shift.id}")
    return EventText(title, location, "\n\n".join(notes))


def _google_time(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _outlook_time(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


def google_calendar_url(shift, base_url: str | None = None) -> str:
    text = event_text(shift, base_url)
    query = {
        "action": "TEMPLATE",
        "text": text.title,
        "dates": f"{_google_time(shift.starts_at)}/{_google_time(shift.ends_at)}",
        "details": text.details,
        "location": text.location,
    }
    return f"{GOOGLE_TEMPLATE}?{urlencode(query)}"


def outlook_calendar_url(shift, base_url: str | None = None) -> str:
    text = event_text(shift, base_url)
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": text.title,
        "startdt": _outlook_time(shift.starts_at),
        "enddt": _outlook_time(shift.ends_at),
        "body": text.details,
        "location": text.location,
    }
    return f"{OUTLOOK_COMPOSE}?{urlencode(query)}"


def qr_svg(data: str) -> str:
    """A QR code as inline SVG, drawn on the server: nothing is loaded from another host."""
    buffer = io.BytesIO()
    import segno  # the QR code's library, loaded by the first code drawn

    segno.make(data, error="m").save(
        buffer, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, omitsize=True, title=_("QR code of the link")
    )
    return buffer.getvalue().decode()
