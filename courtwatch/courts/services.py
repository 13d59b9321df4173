"""Courthouse rules: slugs are unique and URL-safe, time zones are real IANA zones."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from courtwatch.courts.models import Courthouse, CourtType
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.forms import has_control_characters
from courtwatch.privacy.services import record_event

# Shown in mail subjects and calendar LOCATION/SUMMARY properties.
ONE_LINE_FIELDS = (
    "name",
    "short_name",
    "slug",
    "street_address",
    "city",
    "county",
    "state",
    "postal_code",
    "timezone",
    "phone",
    "hours",
)
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
EDITABLE_FIELDS = (
    "name",
    "short_name",
    "slug",
    "street_address",
    "city",
    "county",
    "state",
    "postal_code",
    "timezone",
    "court_types",
    "notes",
    "active",
    "latitude",
    "longitude",
    "phone",
    "hours",
)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


def us_timezones() -> list[str]:
    """The zones a US campaign will pick from first; any IANA zone is still accepted."""
    return sorted(z for z in available_timezones() if z.startswith(("America/", "Pacific/Honolulu", "US/")))


def campaign_zone() -> ZoneInfo:
    """The zone for times that belong to no one courthouse (announcements): CAMPAIGN_TIMEZONE,
    else the zone most active courthouses use, else UTC. One query: a page asks once, not per row."""
    name = str(current_app.config.get("CAMPAIGN_TIMEZONE") or "")
    if not name:
        name = (
            db.session.scalar(
                select(Courthouse.timezone)
                .where(Courthouse.active.is_(True))
                .group_by(Courthouse.timezone)
                .order_by(func.count().desc(), Courthouse.timezone)
                .limit(1)
            )
            or "UTC"
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def campaign_today() -> date:
    """Today on the campaign's calendar. ``date.today()`` is the server's clock zone, which is not
    the campaign's (a server in UTC is a day ahead of California every evening)."""
    return utcnow().astimezone(campaign_zone()).date()


def _check_contact(values: dict) -> None:
    """Coordinates and the phone and hours lines (the form and imports alike)."""
    latitude, longitude = values.get("latitude"), values.get("longitude")
    if latitude is not None and not -90 <= latitude <= 90:
        raise DomainError(_("Latitude runs from -90 to 90."), field="latitude")
    if longitude is not None and not -180 <= longitude <= 180:
        raise DomainError(_("Longitude runs from -180 to 180."), field="longitude")
    if (latitude is None) != (longitude is None):
        raise DomainError(_("Give both latitude and longitude, or neither."), field="latitude")
    for field in ("phone", "hours"):
        if field in values:
            values[field] = (values[field] or "").strip()


def validated_values(values: dict) -> dict:
    values = dict(values)
    values["name"] = (values.get("name") or "").strip()
    if not values["name"]:
        raise DomainError(_("Give the courthouse a name."), field="name")
    values["short_name"] = (values.get("short_name") or "").strip() or values["name"][:60]
    values["slug"] = (values.get("slug") or "").strip().lower() or slugify(values["short_name"])
    if not SLUG_PATTERN.match(values["slug"]):
        raise DomainError(_("Use lowercase letters, digits and hyphens only."), field="slug")
    try:
        ZoneInfo(values.get("timezone") or "")
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise DomainError(_("Choose a time zone such as America/New_York."), field="timezone") from error
    types = values.get("court_types") or []
    if isinstance(types, str):
        types = [t for t in types.split(",") if t]
    unknown = set(types) - {t.value for t in CourtType}
    if unknown:
        raise DomainError(_("Unknown court type: %(types)s.", types=", ".join(sorted(unknown))), field="court_types")
    values["court_types"] = ",".join(t.value for t in CourtType if t.value in types)
    values["state"] = (values.get("state") or "").strip().upper()[:2]
    _check_contact(values)
    for field in ONE_LINE_FIELDS:  # the CLI and imports come through here too, not only the form
        if has_control_characters(values.get(field)):
            raise DomainError(_("Keep this on one line, without line breaks or tabs."), field=field)
    return values


def get_courthouse(courthouse_id: int) -> Courthouse:
    courthouse = db.session.get(Courthouse, courthouse_id)
    if courthouse is None:
        raise NotFound(_("No such courthouse."))
    return courthouse


def courthouse_by_slug(slug: str) -> Courthouse:
    courthouse = db.session.scalar(select(Courthouse).where(Courthouse.slug == slug))
    if courthouse is None:
        raise NotFound(_("No courthouse with the short name %(slug)s.", slug=slug), field="courthouse")
    return courthouse


def list_courthouses(*, active_only: bool = False) -> list[Courthouse]:
    query = select(Courthouse).order_by(Courthouse.state, Courthouse.name)
    if active_only:
        query = query.where(Courthouse.active.is_(True))
    return list(db.session.scalars(query))


def courthouse_names(*, active_only: bool = False) -> list[tuple[int, str]]:
    """(id, name) in list order: what a choice of courthouse shows, without loading the rows."""
    return [(row.id, row.name) for row in db.session.execute(_courthouse_names_statement(active_only))]


@cache  # built once: /shifts' filter asks on every request
def _courthouse_names_statement(active_only: bool) -> Select:
    query = select(Courthouse.id, Courthouse.name).order_by(Courthouse.state, Courthouse.name)
    return query.where(Courthouse.active.is_(True)) if active_only else query


def _check_slug_free(slug: str, own_id: int | None) -> None:
    other = db.session.scalar(select(Courthouse.id).where(Courthouse.slug == slug))
    if other is not None and other != own_id:
        raise DomainError(_("Another courthouse already uses this short name."), field="slug")


def create_courthouse(actor, **values) -> Courthouse:
    values = validated_values(values)
    _check_slug_free(values["slug"], None)
    courthouse = Courthouse(**{k: values[k] for k in EDITABLE_FIELDS if k in values})
    db.session.add(courthouse)
    db.session.flush()
    record_event(actor, "courthouse.created", courthouse, slug=courthouse.slug)
    return courthouse


def update_courthouse(actor, courthouse: Courthouse, **values) -> Courthouse:
    values = validated_values(values)
    _check_slug_free(values["slug"], courthouse.id)
    changed = {}
    for key in EDITABLE_FIELDS:
        if key in values and getattr(courthouse, key) != values[key]:
            changed[key] = values[key]
            setattr(courthouse, key, values[key])
    if changed:
        record_event(actor, "courthouse.updated", courthouse, fields=sorted(changed))
    return courthouse
