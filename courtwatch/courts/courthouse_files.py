"""Courthouse lists (CSV, XLSX or JSON) read as a header and rows, and the column mappings that say
which column holds what.

CSV and XLSX go through the calendar importer's table readers (encodings, delimiters, zip-bomb
checks). A JSON list of objects is flattened so nested objects become dotted columns
(``address.city``, ``location.latitude``): one mapping form then serves all three kinds.

Built-in mappings name the public lists campaigns start from, so those import with no column
choices at all; a file whose columns match one is recognised on its own.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from courtwatch.errors import DomainError
from courtwatch.imports.tables import Table, clean_header, read_table, sniff_kind

FIELDS = {
    "name": _l("Name"),
    "short_name": _l("Short name"),
    "slug": _l("Slug (a unique code)"),
    "street_address": _l("Street address"),
    "city": _l("City"),
    "county": _l("County"),
    "state": _l("State"),
    "postal_code": _l("ZIP code"),
    "timezone": _l("Time zone"),
    "latitude": _l("Latitude"),
    "longitude": _l("Longitude"),
    "phone": _l("Phone"),
    "hours": _l("Opening hours"),
    "court_types": _l("Court types"),
    "notes": _l("Notes"),
}
# Far more than any court system has; a bigger file is a mistake (a docket, say), refused early.
MAX_ROWS = 20_000
KEY_CHOICES = {
    "name_city": _l("Name + city"),
    "slug": _l("The slug column"),
}
# Normalised header names (letters and digits only); the whole header first, then its last
# dotted part, so "address.city" finds "city".
SYNONYMS = {
    "name": ["name", "courtname", "courthouse", "courthousename", "court", "nombre"],
    "short_name": ["shortname", "abbreviation"],
    "slug": ["slug"],
    "street_address": ["streetaddress", "street", "address", "address1", "addressline1", "direccion"],
    "city": ["city", "town", "municipality", "ciudad"],
    "county": ["county", "parish", "condado"],
    "state": ["state", "province", "estado"],
    "postal_code": ["zip", "zipcode", "postalcode", "postcode", "codigopostal"],
    "timezone": ["timezone", "tz", "tzid", "zonahoraria"],
    "latitude": ["latitude", "lat"],
    "longitude": ["longitude", "lon", "lng", "long"],
    "phone": ["phone", "telephone", "phonenumber", "tel", "telefono"],
    "hours": ["hours", "openinghours", "businesshours", "horario"],
    "court_types": ["courttypes", "courttype", "division"],
    "notes": ["notes", "note", "comments"],
}


def _tidy_ma_courts(values: dict, raw: dict) -> dict:
    """The Massachusetts lists put a building's name before the city ("Edward W. Brooke
    Courthouse, Boston") and a floor in a separate "unit"."""
    city = values.get("city", "")
    if "," in city:
        building, _sep, city = city.rpartition(",")
        values["city"] = city.strip()
        values["street_address"] = ", ".join(p for p in (values.get("street_address", ""), building.strip()) if p)
    unit = " ".join(raw.get("address.unit", "").split())
    if unit:
        values["street_address"] = ", ".join(p for p in (values.get("street_address", ""), unit) if p)
    return values


@dataclass(frozen=True)
class BuiltinMapping:
    name: str
    label: object
    fields: dict[str, str]
    signature: frozenset[str]  # headers that identify a file of this kind
    key: str = "name_city"
    court_types: str = ""  # for new courthouses, when no row says
    court_types_by_filename: tuple[tuple[str, str], ...] = ()
    tidy: Callable[[dict, dict], dict] | None = None
    description: object = ""

    def court_types_for(self, filename: str) -> str:
        name = filename.lower()
        for part, types in self.court_types_by_filename:
            if part in name:
                return types
        return self.court_types


BUILTIN_MAPPINGS = {
    mapping.name: mapping
    for mapping in (
        BuiltinMapping(
            name="ma-courts",
            label=_l("Massachusetts court lists (JSON, one file per court department)"),
            fields={
                "name": "name",
                "street_address": "address.address",
                "city": "address.city",
                "county": "address.county",
                "state": "address.state",
                "postal_code": "address.zip",
                "latitude": "location.latitude",
                "longitude": "location.longitude",
                "phone": "phone",
                "hours": "hours",
            },
            signature=frozenset({"name", "court_code", "address.address", "address.city", "location.latitude"}),
            court_types_by_filename=(
                ("housing", "civil_housing"),
                ("juvenile", "family"),
                ("probate", "family"),
                ("district", "criminal"),
                ("bmc", "criminal"),
                ("superior", "criminal"),
                ("land_court", "other"),
                ("appeals", "other"),
                ("supreme", "other"),
            ),
            tidy=_tidy_ma_courts,
            description=_l("Name, address, county, coordinates, phone and hours; matched by name and city."),
        ),
        BuiltinMapping(
            name="eoir",
            label=_l("EOIR immigration court list (CSV)"),
            fields={
                "name": "court_name",
                "street_address": "street",
                "city": "city",
                "state": "state",
                "postal_code": "zip",
            },
            signature=frozenset({"court_name", "street", "city", "state", "zip"}),
            court_types="immigration",
            description=_l("Name and address; time zone from the state; matched by name and city."),
        ),
    )
}


def normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def guess_fields(headers: list[str]) -> dict[str, str]:
    """field -> header, from the synonyms; each header serves one field."""
    whole = {h: normalise(h) for h in headers if h}
    last = {h: normalise(h.rsplit(".", 1)[-1]) for h in headers if h}
    taken: set[str] = set()
    guessed: dict[str, str] = {}
    for names in (whole, last):
        for field_name, words in SYNONYMS.items():
            if field_name in guessed:
                continue
            match = next((h for word in words for h, n in names.items() if n == word and h not in taken), None)
            if match:
                guessed[field_name] = match
                taken.add(match)
    return guessed


def detect_builtin(headers: list[str]) -> BuiltinMapping | None:
    found = [m for m in BUILTIN_MAPPINGS.values() if m.signature <= set(headers)]
    return found[0] if len(found) == 1 else None


@dataclass
class CourthouseTable:
    """A courthouse list as text cells; ``line_word`` says how to point at a row ("line", "entry")."""

    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]
    notes: list[str] = field(default_factory=list)
    line_word: str = "line"


def courthouse_file_kind(filename: str, head: bytes) -> str | None:
    """csv | xlsx | json from the content (the name only breaks ties); None when it is none of them."""
    text = head.lstrip(codecs.BOM_UTF8).lstrip()
    if text.startswith((b"{", b"[")):
        return "json"
    kind = sniff_kind(filename, head)
    return kind if kind in ("csv", "xlsx") else None


def read_courthouse_file(path: str, kind: str, max_bytes: int) -> CourthouseTable:
    if kind == "json":
        return _read_json(path)
    table: Table = read_table(path, kind, max_bytes)
    try:
        headers = table.headers
        rows = []
        for line, cells in table.rows:
            if any(c.strip() for c in cells):
                if len(rows) >= MAX_ROWS:
                    raise too_many_rows()
                rows.append((line, {h: cells[i] if i < len(cells) else "" for i, h in enumerate(headers) if h}))
    finally:
        table.close()
    return CourthouseTable(headers=[h for h in headers if h], rows=rows, notes=table.notes)


def too_many_rows() -> DomainError:
    return DomainError(
        _("A courthouse list holds at most %(n)s courthouses; is this a docket?", n=f"{MAX_ROWS:,}"), field="file"
    )


def _read_json(path: str) -> CourthouseTable:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            data = json.load(handle)
    except UnicodeDecodeError:
        raise DomainError(_("This JSON file is not UTF-8 text."), field="file") from None
    except json.JSONDecodeError as error:
        raise DomainError(
            _("This JSON file could not be read near line %(line)s: %(error)s", line=error.lineno, error=error.msg),
            field="file",
        ) from None
    if isinstance(data, dict):
        # {"courthouses": [...]}: the one list inside.
        lists = [v for v in data.values() if isinstance(v, list)]
        data = lists[0] if len(lists) == 1 else None
    if not isinstance(data, list) or not data or not all(isinstance(item, dict) for item in data):
        raise DomainError(_("This JSON file is not a list of courthouses (objects with names)."), field="file")
    if len(data) > MAX_ROWS:
        raise too_many_rows()
    headers: dict[str, None] = {}
    rows = []
    for number, item in enumerate(data, start=1):
        flat = _flatten(item)
        headers.update(dict.fromkeys(flat))
        rows.append((number, flat))
    return CourthouseTable(
        headers=list(headers),
        rows=rows,
        notes=[_("Read %(n)s entries from a JSON list.", n=len(rows))],
        line_word="entry",
    )


def _flatten(item: dict, prefix: str = "") -> dict[str, str]:
    """Nested objects become dotted columns; lists of plain values are joined; lists of objects
    (contacts, say) are left out: they are not one courthouse's single value."""
    flat: dict[str, str] = {}
    for key, value in item.items():
        name = clean_header(f"{prefix}{key}")
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, list):
            if all(not isinstance(v, dict | list) for v in value):
                flat[name] = "; ".join(_scalar_text(v) for v in value)
        else:
            flat[name] = _scalar_text(value)
    return flat


def _scalar_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
