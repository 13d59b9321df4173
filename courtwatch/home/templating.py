"""Template helpers: local times in the courthouse's zone, and the navigation for each role.

Local times are formatted by a memoised pure function keyed by (wall-clock time, format, locale,
Babel's time zone): a list page shows the same few times over and over (every shift starts at
8:30 or 13:30), and Babel's formatter costs tens of microseconds a call. The key holds everything
the text depends on, so a Spanish page never gets an English time, nor Chicago a Boston one: the
zone is applied before the lookup, the wall-clock time is the key.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale, dates
from flask import Flask, current_app
from flask_babel import format_date, format_datetime, format_time, get_locale, get_timezone
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from courtwatch import signals
from courtwatch.auth.languages import language_name
from courtwatch.auth.models import ROLE_LABELS, STATUS_LABELS
from courtwatch.forms import ActionForm

# (endpoint, label, who sees it). Endpoints that are not registered (yet) are skipped.
NAVIGATION = [
    ("home.index", _l("Home"), "approved"),
    ("shifts.index", _l("Shifts"), "approved"),
    ("shifts.my_shifts", _l("My shifts"), "approved"),
    ("observations.new", _l("Report"), "approved"),
    ("home.rights", _l("Your rights"), "user"),
    ("training.index", _l("Training"), "approved"),
    ("coordinator.gaps", _l("Gaps"), "staff"),
    ("hearings.index", _l("Hearings"), "staff"),
    ("imports.index", _l("Calendars"), "staff"),
    ("observations.review", _l("Review"), "staff"),
    ("reports.index", _l("Summaries"), "staff"),
    ("courts.index", _l("Courthouses"), "approved"),
    ("people.index", _l("Volunteers"), "staff"),
    ("announcements.index", _l("Announcements"), "staff"),
    ("outbox.index", _l("Outbox"), "staff"),
    ("privacy.audit", _l("Audit"), "admin"),
    ("opendata.admin", _l("Open data"), "admin"),
    ("account.show", _l("Account"), "user"),
]


def courthouse_actions(courthouse) -> list[tuple[str, str]]:
    """The buttons other areas add to a courthouse page (the ``courthouse_actions`` signal)."""
    return [action for actions in signals.send(signals.courthouse_actions, courthouse=courthouse) for action in actions]


def menu_audience() -> tuple[bool, bool, bool, bool]:
    """What the menu is decided by (signed in, approved, staff, admin): the stored menu's key."""
    user = current_user._get_current_object()  # one proxy lookup, not five per menu item
    if not user.is_authenticated:
        return (False, False, False, False)
    approved = bool(user.is_approved)
    return (True, approved, approved and bool(user.is_staff), approved and user.role == "admin")


def navigation() -> list[tuple[str, str]]:
    signed_in, approved, staff, admin = menu_audience()
    if not signed_in:
        return []
    allowed = {"user": True, "approved": approved, "staff": staff, "admin": admin}
    view_functions = current_app.view_functions
    return [
        (endpoint, str(label))
        for endpoint, label, audience in NAVIGATION
        if endpoint in view_functions and allowed[audience]
    ]


@lru_cache(maxsize=8192)
def format_wall_clock(kind: str, wall: datetime | date, fmt: str, locale: str, tzinfo) -> str:
    """What flask_babel's format_* give for a naive wall-clock time in the locale named by
    ``locale`` (tzinfo is Babel's zone, UTC here, so the time is shown as it is), but never with
    seconds: a date and time is the locale's date at that width joined to its short time.
    Pure, hence safe to memoise; the locale is keyed by its name."""
    if kind == "date":
        return dates.format_date(wall, fmt, locale=locale)
    if kind == "time":
        return dates.format_time(wall, "short", locale=locale, tzinfo=tzinfo)
    if fmt not in NAMED_WIDTHS:
        return dates.format_datetime(wall, fmt, locale=locale, tzinfo=tzinfo)
    joiner = str(Locale.parse(locale).datetime_formats[fmt])  # e.g. "{1}, {0}": date, then time
    return joiner.replace("{1}", dates.format_date(wall, fmt, locale=locale)).replace(
        "{0}", dates.format_time(wall, "short", locale=locale, tzinfo=tzinfo)
    )


NAMED_WIDTHS = ("short", "medium", "long", "full")


def zone_abbreviation(moment: datetime, zone: ZoneInfo) -> str:
    """ "EST", "NZDT", "HST": what people in that place call their time; never a raw zone id."""
    return moment.astimezone(zone).strftime("%Z")


_FALLBACK = {"date": format_date, "time": format_time, "datetime": format_datetime}


def locale_key() -> tuple[str, object] | None:
    """(locale name, Babel's zone) of this request, None outside one: what format_wall_clock is
    keyed by. A page drawing many times can look it up once and pass it to the helpers below."""
    locale = get_locale()
    return None if locale is None else (str(locale), get_timezone())


def _format_local(kind: str, wall: datetime | date, fmt: str, key: tuple | None) -> str:
    key = key or locale_key()
    if key is None:  # no app context: let flask_babel pick its defaults, as before
        return _FALLBACK[kind](wall, fmt)
    return format_wall_clock(kind, wall, fmt, *key)


def local_datetime(moment: datetime | None, zone: str | ZoneInfo, fmt: str = "medium", key: tuple | None = None) -> str:
    """The moment in the zone, without seconds, followed by the zone's abbreviation ("8:30 AM EST")."""
    if moment is None:
        return ""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    text = _format_local("datetime", moment.astimezone(zone).replace(tzinfo=None), fmt, key)
    return f"{text} {zone_abbreviation(moment, zone)}"


def local_time(moment: datetime | None, zone: str | ZoneInfo, key: tuple | None = None) -> str:
    if moment is None:
        return ""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    return _format_local("time", moment.astimezone(zone).replace(tzinfo=None), "short", key)


def local_date(moment: datetime | None, zone: str | ZoneInfo, fmt: str = "full") -> str:
    if moment is None:
        return ""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    return _format_local("date", moment.astimezone(zone).date(), fmt, None)


def day_heading(day: date, fmt: str = "full") -> str:
    """A calendar date (already local) as a heading, e.g. "Monday, December 1, 2026"."""
    return _format_local("date", day, fmt, None)


def current_locale() -> str:
    """The interface language as a code for <html lang>; Flask-Babel does not give templates one."""
    return str(get_locale() or "en")


def campaign_zone() -> ZoneInfo:
    """For pages whose times belong to no one courthouse (announcements)."""
    from courtwatch.courts.services import campaign_zone as zone_of_campaign

    return zone_of_campaign()


def init_templating(app: Flask) -> None:
    from courtwatch.home.assets import static_url
    from courtwatch.home.fragments import CSRF_SLOT, layout_fragment

    app.jinja_env.globals.update(
        get_locale=current_locale,
        navigation=navigation,
        menu_audience=menu_audience,
        layout_fragment=layout_fragment,
        csrf_slot=CSRF_SLOT,
        language_name=language_name,
        static_url=static_url,
        local_datetime=local_datetime,
        local_time=local_time,
        local_date=local_date,
        zone_abbreviation=zone_abbreviation,
        campaign_zone=campaign_zone,
        ActionForm=ActionForm,
        courthouse_actions=courthouse_actions,
        role_label=lambda role: str(ROLE_LABELS.get(role, role)),
        status_label=lambda status: str(STATUS_LABELS.get(status, status)),
    )
