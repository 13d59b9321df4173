"""Reading and changing what the campaign publishes; every change is audit-logged.

``publication_settings`` is read on every public request, so it is one primary-key lookup. The
first read creates the row with publication off: a fresh installation publishes nothing until an
admin decides to.
"""

from __future__ import annotations

import re
from functools import cache
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import Select, select

from courtwatch.db import db
from courtwatch.errors import DomainError
from courtwatch.opendata.models import DATE_PRECISIONS, SECTIONS, OpenDataSettings
from courtwatch.privacy.services import record_event

SETTINGS_ID = 1
MIN_THRESHOLD, MAX_THRESHOLD = 2, 50
MAX_ORIGINS = 20
MONTH_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def publication_settings() -> OpenDataSettings:
    settings = db.session.get(OpenDataSettings, SETTINGS_ID)
    if settings is None:
        settings = OpenDataSettings(
            id=SETTINGS_ID,
            enabled=False,
            title="",
            introduction="",
            sections=",".join(SECTIONS),
            threshold=3,
            published_from="",
            date_precision="day",
            frame_ancestors="",
        )
        db.session.add(settings)
        db.session.flush()
    return settings


def is_published() -> bool:
    """Whether the public footer links the open-data page: one column, not the settings row
    through the ORM (every page's footer asks; the ORM lookup was ~4 % of /shifts)."""
    return bool(db.session.scalar(_published_statement()))


@cache
def _published_statement() -> Select:
    return select(OpenDataSettings.enabled).where(OpenDataSettings.id == SETTINGS_ID)


def normalise_origins(text: str) -> str:
    """One https origin per line (scheme://host[:port]); anything else is refused with its line."""
    origins = []
    for raw in (text or "").split():
        parts = urlsplit(raw.strip())
        plain = (
            parts.scheme in ("https", "http")
            and parts.hostname
            and not parts.username
            and parts.path in ("", "/")
            and not parts.query
            and not parts.fragment
        )
        if not plain or (parts.scheme == "http" and parts.hostname not in ("localhost", "127.0.0.1")):
            raise DomainError(
                _("Enter web addresses like https://news.example.org, one a line (got %(value)s).", value=raw),
                field="frame_ancestors",
            )
        origin = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        if origin not in origins:
            origins.append(origin)
    if len(origins) > MAX_ORIGINS:
        raise DomainError(_("At most %(n)d sites may embed the charts.", n=MAX_ORIGINS), field="frame_ancestors")
    return "\n".join(origins)


def _sections(value) -> str:
    chosen = list(value or [])
    if any(s not in SECTIONS for s in chosen):
        raise DomainError(_("Choose tables from the list."), field="sections")
    return ",".join(s for s in SECTIONS if s in chosen)


def _threshold(value) -> int:
    if not isinstance(value, int) or not MIN_THRESHOLD <= value <= MAX_THRESHOLD:
        raise DomainError(
            _("Choose a number from %(low)d to %(high)d.", low=MIN_THRESHOLD, high=MAX_THRESHOLD), field="threshold"
        )
    return value


def _month(value) -> str:
    month = (value or "").strip()
    if month and not MONTH_PATTERN.match(month):
        raise DomainError(_("Enter a month as YYYY-MM."), field="published_from")
    return month


def _precision(value) -> str:
    if value not in DATE_PRECISIONS:
        raise DomainError(_("Choose a day or a week."), field="date_precision")
    return value


# Each editable setting's check: returns the value to store or raises a DomainError naming the field.
CLEANERS = {
    "enabled": bool,
    "title": lambda value: (value or "").strip(),
    "introduction": lambda value: (value or "").strip(),
    "sections": _sections,
    "threshold": _threshold,
    "published_from": _month,
    "date_precision": _precision,
    "frame_ancestors": normalise_origins,
}


def update_settings(actor, **values) -> OpenDataSettings:
    """Check every value first, then change what differs and record before and after."""
    unknown = set(values) - set(CLEANERS)
    if unknown:
        raise DomainError(_("Unknown setting: %(value)s", value=", ".join(sorted(unknown))))
    clean = {name: CLEANERS[name](value) for name, value in values.items()}
    settings = publication_settings()
    changes = {
        name: [getattr(settings, name), value] for name, value in clean.items() if getattr(settings, name) != value
    }
    if changes:
        for name, (_before, after) in changes.items():
            setattr(settings, name, after)
        settings.updated_by_id = getattr(actor, "id", None)
        record_event(actor, "opendata.settings_changed", settings, changes=changes)
        db.session.flush()
    return settings
