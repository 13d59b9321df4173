"""Messages as templates: every email is a Jinja text template in ``templates/email/``.

``render_email(kind, locale, **context)`` gives (subject, body) in the recipient's language, from
the same catalog as the pages. Wording lives in the templates, not in Python; links come from
``url_for(endpoint, ..., _external=True)`` against ``BASE_URL`` (the public address), whether the
message is composed in a request (a claim) or in a cron job (a reminder), so a renamed route
changes the mail with it. Times are the courthouse's wall-clock time with the zone's abbreviation
and no seconds: "8:30 AM EST", "8:30 a. m. EST", "Monday, March 2, 2026".

Each kind's subject is ``email/KIND.subject.txt`` and its body ``email/KIND.txt``.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel import dates
from flask import current_app, render_template
from flask_babel import force_locale, get_locale

EMAIL_KINDS = (
    "shift_confirmed",
    "shift_promoted",
    "shift_offer",
    "shift_removed",
    "shift_changed",
    "shift_cancelled",
    "shift_reminder",
    "shift_confirm_ask",
    "release_request",
    "observation_alert",
    "alert",
    "alert_update",
    "password_reset",
    "calendar_problem",
    "sign_in_changed",
)

# 12-hour clock in both languages: "8:30 AM", "8:30 a. m." (volunteers read these on the street).
TIME_PATTERN = "h:mm a"


def external_url(endpoint: str, **values) -> str:
    """``url_for(..., _external=True)`` on BASE_URL, with or without a request, whatever its host."""
    values.pop("_external", None)
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def _local(moment: datetime, zone: ZoneInfo | str) -> datetime:
    return moment.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone)


def clock_time(moment: datetime, zone: ZoneInfo | str, with_zone: bool = True) -> str:
    """ "8:30 AM EST" (English), "8:30 a. m. EST" (Spanish): wall-clock time and the zone's abbreviation."""
    local = _local(moment, zone)
    text = dates.format_time(local.replace(tzinfo=None), TIME_PATTERN, locale=str(get_locale() or "en"))
    text = text.replace("\u202f", " ").replace("\xa0", " ")  # plain spaces in plain-text mail
    return f"{text} {local.tzname()}" if with_zone else text


def calendar_day(moment: datetime, zone: ZoneInfo | str, fmt: str = "full") -> str:
    """ "Monday, March 2, 2026" / "lunes, 2 de marzo de 2026": the courthouse's local date."""
    return dates.format_date(_local(moment, zone).date(), fmt, locale=str(get_locale() or "en"))


def time_span(start: datetime, end: datetime, zone: ZoneInfo | str) -> str:
    """ "8:30 AM – 11:30 AM EST"; both abbreviations when daylight saving starts in between."""
    if _local(start, zone).tzname() == _local(end, zone).tzname():
        return f"{clock_time(start, zone, with_zone=False)} – {clock_time(end, zone)}"
    return f"{clock_time(start, zone)} – {clock_time(end, zone)}"


def render_email(kind: str, locale: str | None, **context) -> tuple[str, str]:
    if kind not in EMAIL_KINDS:
        raise ValueError(f"unknown email kind {kind!r}")
    helpers = {"url_for": external_url, "clock_time": clock_time, "calendar_day": calendar_day, "time_span": time_span}
    with force_locale(locale or "en"):
        subject = render_template(f"email/{kind}.subject.txt", **helpers, **context)
        body = render_template(f"email/{kind}.txt", **helpers, **context)
    return " ".join(subject.split()), body.strip() + "\n"
