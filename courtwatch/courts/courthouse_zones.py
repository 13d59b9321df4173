"""A courthouse's time zone when an imported list does not give one: from its coordinates (offline,
with timezonefinder's bundled boundaries), else from where its ZIP code lies (the zipcodes
package's offline table), else from its US state.

Every hearing time is read in the courthouse's zone, so a wrong zone moves every hearing; the
import preview therefore shows each zone with where it came from, and marks the ones taken from a
state that spans more than one zone (an El Paso court is on Mountain time, not Texas's Central).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from flask_babel import lazy_gettext as _l

# Code -> (name, the zone most of the state keeps, whether parts of the state keep another).
US_STATES: dict[str, tuple[str, str, bool]] = {
    "AL": ("Alabama", "America/Chicago", False),
    "AK": ("Alaska", "America/Anchorage", True),
    "AZ": ("Arizona", "America/Phoenix", True),
    "AR": ("Arkansas", "America/Chicago", False),
    "CA": ("California", "America/Los_Angeles", False),
    "CO": ("Colorado", "America/Denver", False),
    "CT": ("Connecticut", "America/New_York", False),
    "DE": ("Delaware", "America/New_York", False),
    "DC": ("District of Columbia", "America/New_York", False),
    "FL": ("Florida", "America/New_York", True),
    "GA": ("Georgia", "America/New_York", False),
    "HI": ("Hawaii", "Pacific/Honolulu", False),
    "ID": ("Idaho", "America/Boise", True),
    "IL": ("Illinois", "America/Chicago", False),
    "IN": ("Indiana", "America/Indiana/Indianapolis", True),
    "IA": ("Iowa", "America/Chicago", False),
    "KS": ("Kansas", "America/Chicago", True),
    "KY": ("Kentucky", "America/New_York", True),
    "LA": ("Louisiana", "America/Chicago", False),
    "ME": ("Maine", "America/New_York", False),
    "MD": ("Maryland", "America/New_York", False),
    "MA": ("Massachusetts", "America/New_York", False),
    "MI": ("Michigan", "America/Detroit", True),
    "MN": ("Minnesota", "America/Chicago", False),
    "MS": ("Mississippi", "America/Chicago", False),
    "MO": ("Missouri", "America/Chicago", False),
    "MT": ("Montana", "America/Denver", False),
    "NE": ("Nebraska", "America/Chicago", True),
    "NV": ("Nevada", "America/Los_Angeles", True),
    "NH": ("New Hampshire", "America/New_York", False),
    "NJ": ("New Jersey", "America/New_York", False),
    "NM": ("New Mexico", "America/Denver", False),
    "NY": ("New York", "America/New_York", False),
    "NC": ("North Carolina", "America/New_York", False),
    "ND": ("North Dakota", "America/Chicago", True),
    "OH": ("Ohio", "America/New_York", False),
    "OK": ("Oklahoma", "America/Chicago", False),
    "OR": ("Oregon", "America/Los_Angeles", True),
    "PA": ("Pennsylvania", "America/New_York", False),
    "RI": ("Rhode Island", "America/New_York", False),
    "SC": ("South Carolina", "America/New_York", False),
    "SD": ("South Dakota", "America/Chicago", True),
    "TN": ("Tennessee", "America/Chicago", True),
    "TX": ("Texas", "America/Chicago", True),
    "UT": ("Utah", "America/Denver", False),
    "VT": ("Vermont", "America/New_York", False),
    "VA": ("Virginia", "America/New_York", False),
    "WA": ("Washington", "America/Los_Angeles", False),
    "WV": ("West Virginia", "America/New_York", False),
    "WI": ("Wisconsin", "America/Chicago", False),
    "WY": ("Wyoming", "America/Denver", False),
    "PR": ("Puerto Rico", "America/Puerto_Rico", False),
    "VI": ("U.S. Virgin Islands", "America/St_Thomas", False),
    "GU": ("Guam", "Pacific/Guam", False),
    "MP": ("Northern Mariana Islands", "Pacific/Saipan", False),
    "AS": ("American Samoa", "Pacific/Pago_Pago", False),
}
STATE_BY_NAME = {name.lower(): code for code, (name, _zone, _several) in US_STATES.items()}

ZONE_SOURCES = {
    "file": _l("from the file"),
    "coordinates": _l("from the coordinates"),
    "postal_code": _l("from the ZIP code's location"),
    "state": _l("from the state"),
    "state_check": _l("from the state, which spans several zones: check it"),
    "kept": _l("kept as it is"),
}


@dataclass(frozen=True)
class ZoneGuess:
    zone: str
    source: str  # a ZONE_SOURCES key

    @property
    def needs_checking(self) -> bool:
        return self.source == "state_check"


def state_code(text: str) -> str | None:
    """A two-letter code from "MA", "ma" or "Massachusetts"; None when it is neither."""
    text = " ".join(text.split())
    if text.upper() in US_STATES:
        return text.upper()
    return STATE_BY_NAME.get(text.lower())


@cache
def _finder():
    from timezonefinder import TimezoneFinder  # loads its boundary data once per process

    return TimezoneFinder()


def zone_at(latitude: float, longitude: float) -> str | None:
    zone = _finder().timezone_at(lng=longitude, lat=latitude)
    # At sea the library answers with a nautical "Etc/GMT+3": no courthouse is there.
    if not zone or zone.startswith("Etc/"):
        return None
    return zone


def zip_location(postal_code: str, state: str) -> tuple[float, float] | None:
    """Where a US ZIP code lies (its centre), when it is real and in the row's state. Used for the
    zone only: a ZIP's centre is not the courthouse, so it is never stored as its coordinates."""
    digits = postal_code.strip()[:5]
    if len(digits) != 5 or not digits.isdigit():
        return None
    import zipcodes

    for match in zipcodes.matching(digits):
        if state and match.get("state") != state:
            continue
        try:
            return float(match["lat"]), float(match["long"])
        except (KeyError, TypeError, ValueError):
            return None
    return None


def guess_zone(
    *, latitude: float | None, longitude: float | None, state: str, postal_code: str = ""
) -> ZoneGuess | None:
    if latitude is not None and longitude is not None:
        zone = zone_at(latitude, longitude)
        if zone:
            return ZoneGuess(zone, "coordinates")
    located = zip_location(postal_code, state) if postal_code else None
    if located is not None:
        zone = zone_at(*located)
        if zone:
            return ZoneGuess(zone, "postal_code")
    known = US_STATES.get(state)
    if known:
        _name, zone, several = known
        return ZoneGuess(zone, "state_check" if several else "state")
    return None
