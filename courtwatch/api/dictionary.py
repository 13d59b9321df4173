"""The data dictionary: every field the API and the public tables publish, in one place.

The OpenAPI document, the JSON dictionary and the public dictionary page are all drawn from
these lists, so the documentation cannot drift from the code. Changing a field's meaning or
removing one is a new schema version (``SCHEMA_VERSION``) and a new ``/api/vN``; adding a field
is not.
"""

from __future__ import annotations

from courtwatch.courts.models import CourtType
from courtwatch.observations.models import Action, Agency, TargetRole, Warrant

SCHEMA_VERSION = "1.0"
INCIDENT_ACTIONS = [Action.SIGHTING.value, Action.ATTEMPTED_ARREST.value, Action.ARREST.value]
AGENT_COUNT_BANDS = ["1", "2-4", "5-9", "10+", "unknown"]
SUMMARY_DIMENSIONS = ["courthouse", "county", "month", "action", "court_type", "target_role", "warrant", "agency"]

SUMMARY_FIELDS = [
    (
        "key",
        "string",
        "The row's stable identifier: YYYY-MM for a month, the courthouse's slug, the county's name, "
        'or the code of an action, court type, role, warrant or agency ("unrecorded" when reports '
        "did not say).",
        None,
    ),
    ("label", "string", "The row's name in English.", None),
    ("county", "string", "Courthouse rows only: the courthouse's county.", None),
    ("sighting", "integer|null", "Confirmed incidents whose most serious action was a sighting of agents.", None),
    (
        "attempted_arrest",
        "integer|null",
        "Confirmed incidents whose most serious action was an attempted arrest.",
        None,
    ),
    ("arrest", "integer|null", "Confirmed incidents whose most serious action was an arrest.", None),
    ("incidents", "integer|null", "All confirmed incidents of the row. Null when suppressed.", None),
    (
        "shifts_scheduled",
        "integer",
        "Coverage: observation shifts scheduled (not cancelled) in the row's courthouses and months.",
        None,
    ),
    ("shifts_staffed", "integer", "Coverage: of those, shifts at least one volunteer attended.", None),
    ("hours_observed", "number", "Coverage: volunteer hours of observation, check-in to check-out, one decimal.", None),
    (
        "suppressed",
        "array of strings",
        "The count columns of this row withheld by small-count suppression (JSON: a list; CSV: names joined by ';').",
        None,
    ),
]

INCIDENT_FIELDS = [
    ("id", "string", "An opaque identifier, stable between pulls, that cannot be traced back to a report.", None),
    (
        "date",
        "string (date)",
        "The local day of the incident (YYYY-MM-DD) in the courthouse's time zone; the "
        'Monday of its week when date_precision is "week".',
        None,
    ),
    ("date_precision", "string", '"day" or "week", as the campaign chose.', ["day", "week"]),
    ("courthouse", "string", "The courthouse's slug.", None),
    ("courthouse_name", "string", "The courthouse's name.", None),
    ("county", "string", "The courthouse's county.", None),
    ("action", "string", "The most serious action among the incident's confirmed reports.", INCIDENT_ACTIONS),
    (
        "agencies",
        "array of strings",
        "Every agency the confirmed reports name (CSV: joined by ';').",
        [a.value for a in Agency],
    ),
    ("agent_count_band", "string", "How many agents, in bands (the largest count a report gave).", AGENT_COUNT_BANDS),
    (
        "target_role",
        "string|null",
        "The role of the person targeted, from the most serious report.",
        [r.value for r in TargetRole],
    ),
    (
        "warrant_shown",
        "string|null",
        "Which warrant agents showed, from the most serious report.",
        [w.value for w in Warrant],
    ),
    ("court_type", "string|null", "The kind of court, from the most serious report.", [c.value for c in CourtType]),
]


def as_dictionary() -> dict:
    def fields(rows):
        return [
            {"name": name, "type": kind, "description": text, **({"values": values} if values else {})}
            for name, kind, text, values in rows
        ]

    return {
        "schema_version": SCHEMA_VERSION,
        "summary_row": fields(SUMMARY_FIELDS),
        "incident_row": fields(INCIDENT_FIELDS),
        "never_published": [
            "narratives and any other free text",
            "photos",
            "reporters or any volunteer",
            "courtrooms and areas of the building",
            "times finer than a day",
            "accompanied people",
            "vehicles, plates, badges and markings",
        ],
    }
