"""Template helpers: local times in the courthouse's zone, and the navigation for each role."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_babel import format_date, format_datetime, format_time, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from courtwatch.auth.languages import language_name
from courtwatch.auth.models import ROLE_LABELS, STATUS_LABELS
from courtwatch.forms import ActionForm

# (endpoint, label, who sees it). Endpoints that are not registered (yet) are skipped.
NAVIGATION = [
    ("home.index", _l("Home"), "approved"),
    ("shifts.index", _l("Shifts"), "approved"),
    ("shifts.my_shifts", _l("My shifts"), "approved"),
    ("observations.new", _l("Report"), "approved"),
    ("coordinator.gaps", _l("Gaps"), "staff"),
    ("hearings.index", _l("Hearings"), "staff"),
    ("imports.index", _l("Calendars"), "staff"),
    ("observations.review", _l("Review"), "staff"),
    ("reports.index", _l("Summaries"), "staff"),
    ("courts.index", _l("Courthouses"), "approved"),
    ("people.index", _l("Volunteers"), "staff"),
    ("privacy.audit", _l("Audit"), "admin"),
    ("account.show", _l("Account"), "user"),
]


# Other areas add buttons to a courthouse page: callables (courthouse) -> [(url, label), ...].
COURTHOUSE_ACTIONS: list = []


def courthouse_actions(courthouse) -> list[tuple[str, str]]:
    return [action for provider in COURTHOUSE_ACTIONS for action in provider(courthouse)]


def navigation() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    items = []
    for endpoint, label, audience in NAVIGATION:
        if endpoint not in current_app.view_functions:
            continue
        allowed = {
            "user": True,
            "approved": current_user.is_approved,
            "staff": current_user.is_approved and current_user.is_staff,
            "admin": current_user.is_approved and current_user.role == "admin",
        }[audience]
        if allowed:
            items.append((endpoint, str(label)))
    return items


def local_datetime(moment: datetime | None, zone: str | ZoneInfo, fmt: str = "medium") -> str:
    if moment is None:
        return ""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    return format_datetime(moment.astimezone(zone).replace(tzinfo=None), fmt)


def local_time(moment: datetime | None, zone: str | ZoneInfo) -> str:
    if moment is None:
        return ""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    return format_time(moment.astimezone(zone).replace(tzinfo=None), "short")


def local_date(moment: datetime | None, zone: str | ZoneInfo, fmt: str = "full") -> str:
    if moment is None:
        return ""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    return format_date(moment.astimezone(zone).date(), fmt)


def current_locale() -> str:
    """The interface language as a code for <html lang>; Flask-Babel does not give templates one."""
    return str(get_locale() or "en")


def init_templating(app: Flask) -> None:
    app.jinja_env.globals.update(get_locale=current_locale, navigation=navigation, language_name=language_name,
                                 local_datetime=local_datetime, local_time=local_time,
                                 local_date=local_date, ActionForm=ActionForm,
                                 courthouse_actions=courthouse_actions,
                                 role_label=lambda role: str(ROLE_LABELS.get(role, role)),
                                 status_label=lambda status: str(STATUS_LABELS.get(status, status)))
