"""Courthouses in bulk: a list's rows planned as add / change / unchanged, then applied.

Re-importing is idempotent by a key: the slug column when the file has one, else name + city.
A row updates only what its file says: an empty cell never erases what a coordinator typed, and
values the file does not hold (a time zone worked out from coordinates, a court type taken from
the file's name, a generated slug) fill new courthouses only, so a corrected zone stays corrected.

The plan is made again at commit from the file itself, so a second commit finds nothing to do.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from sqlalchemy import select

from courtwatch.courts.courthouse_files import (
    BUILTIN_MAPPINGS,
    FIELDS,
    KEY_CHOICES,
    BuiltinMapping,
    CourthouseTable,
)
from courtwatch.courts.courthouse_zones import ZoneGuess, guess_zone, state_code
from courtwatch.courts.models import COURT_TYPE_LABELS, Courthouse, CourtType
from courtwatch.courts.services import EDITABLE_FIELDS, create_courthouse, slugify, update_courthouse, validated_values
from courtwatch.db import db
from courtwatch.errors import DomainError
from courtwatch.privacy.services import record_event

TEXT_LIMITS = {
    "name": 200,
    "short_name": 60,
    "slug": 80,
    "street_address": 200,
    "city": 100,
    "county": 100,
    "postal_code": 10,
    "phone": 100,
    "hours": 500,
    "notes": 5000,
}


@dataclass(frozen=True)
class RowPlace:
    """Where a row is: a file, and a line (CSV, XLSX) or an entry (JSON) in it."""

    filename: str
    line: int
    word: str  # line | entry

    def label(self, with_file: bool) -> str:
        text = _("entry %(n)s", n=self.line) if self.word == "entry" else _("line %(n)s", n=self.line)
        return f"{self.filename} {text}" if with_file else text

    def heading(self, with_file: bool) -> str:
        """The label at the start of a line of the preview."""
        if with_file:
            return self.label(True)
        return _("Entry %(n)s", n=self.line) if self.word == "entry" else _("Line %(n)s", n=self.line)


@dataclass
class CourthouseProblem:
    place: RowPlace
    reason: str


@dataclass
class PlannedCourthouse:
    place: RowPlace
    key: str
    values: dict  # what a new courthouse gets, or the whole updated set for a change
    zone: ZoneGuess
    action: str  # add | change | unchanged
    courthouse_id: int | None = None
    changed_fields: list[str] = field(default_factory=list)


@dataclass
class CourthousePlan:
    filenames: list[str]
    rows: list[PlannedCourthouse] = field(default_factory=list)
    problems: list[CourthouseProblem] = field(default_factory=list)
    repeats: list[CourthouseProblem] = field(default_factory=list)
    mapping_labels: list[str] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def several_files(self) -> bool:
        return len(self.filenames) > 1

    def where(self, problem: CourthouseProblem) -> str:
        return problem.place.heading(self.several_files)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "added": self.count("add"),
            "changed": self.count("change"),
            "unchanged": self.count("unchanged"),
            "rejected": len(self.problems),
            "repeated": len(self.repeats),
        }

    @property
    def zones_to_check(self) -> list[PlannedCourthouse]:
        return [r for r in self.rows if r.action == "add" and r.zone.needs_checking]


def resolve_mapping(mapping: dict, headers: list[str]) -> tuple[dict[str, str], str, BuiltinMapping | None]:
    """fields, key and the built-in mapping (if one was chosen) of a stored mapping choice. A
    built-in mapping's optional columns (hours, say) may be missing from one file of a list."""
    builtin = BUILTIN_MAPPINGS.get(mapping.get("builtin") or "")
    if builtin is not None:
        return {f: h for f, h in builtin.fields.items() if h in headers}, builtin.key, builtin
    return dict(mapping.get("fields", {})), mapping.get("key", "name_city"), None


def check_mapping(mapping: dict, headers: list[str]) -> None:
    fields, key, builtin = resolve_mapping(mapping, headers)
    if builtin is not None and not builtin.signature <= set(headers):
        missing = sorted(builtin.signature - set(headers))[0]
        raise DomainError(
            _(
                "This file does not have the columns of “%(name)s” (no “%(header)s”).",
                name=builtin.name,
                header=missing,
            ),
            field="file",
        )
    if mapping.get("builtin") and builtin is None:
        raise DomainError(_("No mapping named “%(name)s”.", name=mapping["builtin"][:40]), field="file")
    for field_name, header in fields.items():
        if field_name not in FIELDS or header not in headers:
            raise DomainError(_("The column “%(header)s” is not in this file.", header=header), field=field_name)
    if "name" not in fields:
        raise DomainError(_("Choose the column that holds the courthouse's name."), field="name")
    if key not in KEY_CHOICES:
        raise DomainError(_("Choose how courthouses are matched on re-import."), field="key")
    if key == "slug" and "slug" not in fields:
        raise DomainError(_("Choose the slug column, or match courthouses by name and city."), field="key")


def match_key(key_kind: str, values: dict) -> str:
    if key_kind == "slug":
        return "slug:" + values.get("slug", "").lower()
    return (
        "name:"
        + " ".join(values.get("name", "").lower().split())
        + "|"
        + " ".join(values.get("city", "").lower().split())
    )


def _court_types(text: str) -> list[str]:
    by_word = {t.value: t.value for t in CourtType}
    by_word.update({str(label).lower(): kind.value for kind, label in COURT_TYPE_LABELS.items()})
    found = []
    for part in text.replace(";", ",").replace("|", ",").split(","):
        word = " ".join(part.lower().split())
        if not word:
            continue
        if word not in by_word:
            raise ValueError(word)
        found.append(by_word[word])
    return found


def _clean_place(values: dict) -> None:
    """State as a two-letter code; coordinates as numbers in range, both or neither."""
    if "state" in values:
        code = state_code(values["state"])
        if code is None:
            raise ValueError(_("“%(value)s” is not a US state: write its two-letter code.", value=values["state"][:40]))
        values["state"] = code
    for coordinate, bound in (("latitude", 90), ("longitude", 180)):
        if coordinate in values:
            try:
                number = float(values[coordinate])
            except ValueError:
                number = math.nan
            if not (math.isfinite(number) and -bound <= number <= bound):
                text = values[coordinate][:40]
                if coordinate == "latitude":
                    raise ValueError(_("“%(value)s” is not a latitude (from -90 to 90).", value=text))
                raise ValueError(_("“%(value)s” is not a longitude (from -180 to 180).", value=text))
            values[coordinate] = round(number, 6)
    if ("latitude" in values) != ("longitude" in values):
        raise ValueError(_("Give both latitude and longitude, or neither."))


def _clean_zone_and_types(values: dict) -> None:
    if "timezone" in values:
        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                _("“%(value)s” is not a time zone (write America/New_York).", value=values["timezone"][:60])
            ) from None
    if "court_types" in values:
        try:
            values["court_types"] = ",".join(_court_types(values["court_types"]))
        except ValueError as unknown:
            raise ValueError(_("Unknown court type “%(value)s”.", value=str(unknown)[:40])) from None


def _row_values(cells: dict, fields: dict[str, str], builtin: BuiltinMapping | None) -> dict:
    """The row's non-empty values by field, cleaned; raises ValueError with a reason."""
    values = {}
    for field_name, header in fields.items():
        text = " ".join((cells.get(header) or "").split())  # hours arrive with line breaks
        if text:
            values[field_name] = text
    if builtin is not None and builtin.tidy is not None:
        values = builtin.tidy(values, cells)
    for field_name, limit in TEXT_LIMITS.items():
        if len(values.get(field_name, "")) > limit:
            raise ValueError(_("%(field)s: longer than %(n)s characters.", field=FIELDS[field_name], n=limit))
    _clean_place(values)
    _clean_zone_and_types(values)
    return values


def _current_values(courthouse: Courthouse) -> dict:
    return {name: getattr(courthouse, name) for name in EDITABLE_FIELDS}


@dataclass
class CourthouseSource:
    """One file of an import: its name (court types may follow from it), rows and mapping."""

    filename: str
    table: CourthouseTable
    mapping: dict


def plan_courthouse_import(sources: list[CourthouseSource]) -> CourthousePlan:
    """One plan over every file, so a courthouse listed in two files is added once."""
    for source in sources:
        check_mapping(source.mapping, source.table.headers)
    existing = list(db.session.scalars(select(Courthouse)))
    plan = CourthousePlan(filenames=[s.filename for s in sources])
    seen: dict[str, RowPlace] = {}
    new_rows: list[PlannedCourthouse] = []
    for source in sources:
        fields, key_kind, builtin = resolve_mapping(source.mapping, source.table.headers)
        if builtin is not None and str(builtin.label) not in plan.mapping_labels:
            plan.mapping_labels.append(str(builtin.label))
        by_key = {match_key(key_kind, _current_values(c)): c for c in existing}
        default_types = builtin.court_types_for(source.filename) if builtin is not None else ""
        for line, cells in source.table.rows:
            place = RowPlace(source.filename, line, source.table.line_word)
            planned = _planned_row(place, cells, fields, key_kind, builtin, by_key, default_types)
            if isinstance(planned, CourthouseProblem):
                plan.problems.append(planned)
            elif planned.key in seen:
                if key_kind == "slug":
                    reason = _(
                        "Repeats %(place)s (same slug); skipped.", place=seen[planned.key].label(plan.several_files)
                    )
                else:
                    reason = _(
                        "Repeats %(place)s (same name and city); skipped.",
                        place=seen[planned.key].label(plan.several_files),
                    )
                plan.repeats.append(CourthouseProblem(place, reason))
            else:
                seen[planned.key] = place
                plan.rows.append(planned)
                if planned.action == "add":
                    new_rows.append(planned)
    _assign_slugs(new_rows, {c.slug for c in existing}, plan)
    return plan


def _planned_row(place, cells, fields, key_kind, builtin, by_key, default_types):
    try:
        values = _row_values(cells, fields, builtin)
    except ValueError as reason:
        return CourthouseProblem(place, str(reason))
    if not values.get("name"):
        return CourthouseProblem(place, _("No courthouse name in this row."))
    if key_kind == "slug" and not values.get("slug"):
        return CourthouseProblem(place, _("No slug in this row; it is how courthouses are matched."))
    key = match_key(key_kind, values)
    courthouse = by_key.get(key)
    if courthouse is None:
        return _planned_addition(place, key, values, default_types)
    return _planned_update(place, key, values, courthouse)


def _planned_addition(place: RowPlace, key: str, values: dict, default_types: str):
    if values.get("timezone"):
        zone = ZoneGuess(values["timezone"], "file")
    else:
        zone = guess_zone(
            latitude=values.get("latitude"),
            longitude=values.get("longitude"),
            state=values.get("state", ""),
            postal_code=values.get("postal_code", ""),
        )
        if zone is None:
            return CourthouseProblem(
                place, _("No time zone: the row has no coordinates or US state, and no time zone.")
            )
    complete = {
        "court_types": default_types,
        **values,
        "timezone": zone.zone,
        "slug": values.get("slug", ""),
        "active": True,
    }
    try:
        complete = validated_values({**complete, "slug": complete["slug"] or "placeholder"})
    except DomainError as error:
        return CourthouseProblem(place, error.message)
    complete["slug"] = values.get("slug", "")
    complete["short_name"] = values.get("short_name", "")  # filled with the slug, once names are known
    return PlannedCourthouse(place=place, key=key, values=complete, zone=zone, action="add")


def _planned_update(place: RowPlace, key: str, values: dict, courthouse: Courthouse):
    current = _current_values(courthouse)
    changed = {name: value for name, value in values.items() if name in current and current[name] != value}
    try:
        complete = validated_values({**current, **changed})
    except DomainError as error:
        return CourthouseProblem(place, error.message)
    changed_fields = sorted(name for name in changed if complete.get(name) != current[name])
    zone = ZoneGuess(complete["timezone"], "file" if "timezone" in values else "kept")
    return PlannedCourthouse(
        place=place,
        key=key,
        values=complete,
        zone=zone,
        action="change" if changed_fields else "unchanged",
        courthouse_id=courthouse.id,
        changed_fields=changed_fields,
    )


def _assign_slugs(new_rows: list[PlannedCourthouse], used: set[str], plan: CourthousePlan) -> None:
    """Generated slugs: the name, then name + city for names the file repeats in several cities
    (three "Bristol County Superior Court"s), then a number. The same file gives the same slugs."""
    repeated_names = Counter(r.values["name"].lower() for r in new_rows)
    for row in list(new_rows):
        values = row.values
        if values["slug"]:
            if values["slug"] in used:
                plan.rows.remove(row)
                plan.problems.append(
                    CourthouseProblem(
                        row.place, _("Another courthouse already uses the slug “%(slug)s”.", slug=values["slug"])
                    )
                )
                continue
            used.add(values["slug"])
            continue
        several = repeated_names[values["name"].lower()] > 1
        if several and values.get("city") and not values.get("short_name"):
            values["short_name"] = f"{values['name']} ({values['city']})"[:60]
        base = slugify(values["name"] + (f" {values.get('city', '')}" if several else "")) or "courthouse"
        candidate, number = base, 1
        if candidate in used and values.get("city") and not several:
            candidate = base = slugify(f"{values['name']} {values['city']}")[:80] or base
        while candidate in used:
            number += 1
            candidate = f"{base[: 80 - len(str(number)) - 1]}-{number}"
        values["slug"] = candidate
        used.add(candidate)


def apply_courthouse_plan(actor, plan: CourthousePlan) -> dict[str, int]:
    """Create and update as planned (inside the caller's transaction) and record the import."""
    for row in plan.rows:
        if row.action == "add":
            create_courthouse(actor, **row.values)
        elif row.action == "change":
            courthouse = db.session.get(Courthouse, row.courthouse_id)
            update_courthouse(actor, courthouse, **row.values)
    counts = plan.counts
    files = [name[:200] for name in plan.filenames[:50]]
    record_event(actor, "courthouses.imported", object_type="courthouse", files=files, **counts)
    db.session.flush()
    return counts
