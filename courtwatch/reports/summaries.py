"""The campaign's numbers: incidents by action, place, month and kind, and the coverage behind them.

Counting rules (also printed in the report's "Method" section, keep both in step):

* An incident is one ``Incident`` (all the reports a coordinator linked to it count once) or
  one report that is not linked and whose action is sighting, attempted arrest or arrest.
  Reports saying "no action" (including "nothing observed") are never incidents.
* Confirmed only (the default): only reports marked confirmed count; an Incident counts when at
  least one of its linked reports is confirmed, and only those reports describe it. "All" counts
  every report except those marked false alarm.
* An Incident's action is the most serious among its counted reports; its courthouse and month
  are those of its first counted report in the range (so it is counted once in every table whose
  rows add up to the total). In the court type, role, warrant and agency tables an Incident is
  counted once under each value its reports give, so those columns may add up to more.
* Coverage: observation shifts (not cancelled) starting in the range, "staffed" when at least
  one volunteer checked in or held a claimed place and was not marked a no-show; volunteer hours
  observed are summed from check-in to check-out; reports filed count every report of any status,
  "nothing observed" ones included. Coverage is not split by court type (shifts carry none).

Every figure comes from an aggregate query; Python only arranges the few aggregated rows into
tables. Reports not linked to an Incident are read from the daily counts (counts.py: a year is a
few thousand grouped rows, whatever the number of reports); Incidents from their linked reports,
whose share is small and which a partial index holds (models.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _

from courtwatch.courts.models import COURT_TYPE_LABELS
from courtwatch.observations.models import (
    ACTION_LABELS,
    AGENCY_LABELS,
    TARGET_ROLE_LABELS,
    WARRANT_LABELS,
    Observation,
    ObservationAgency,
)
from courtwatch.reports.counts import (
    ACTION_COLUMNS,
    DIMENSIONS,
    INCIDENT_ACTIONS,
    SERIOUS_ACTIONS,
    value_column,
)
from courtwatch.reports.filters import ReportFilter
from courtwatch.reports.queries import (
    ACTION_BY_SEVERITY,
    hours_coverage,
    linked_incident_cube,
    linked_incidents_by,
    shift_coverage,
    stored_counts,
)
from courtwatch.reports.tables import HOURS, INCIDENTS, NUMBER, TEXT, Column, Table


@dataclass
class IncidentSeries:
    """What the two charts draw; the day counts and the linked reports, not the whole summary."""

    month_action: dict  # month -> {action: count}
    courthouse_incidents: list[tuple[str, int]]


@dataclass
class Summary(IncidentSeries):
    report_filter: ReportFilter
    tables: list[Table]
    totals: dict

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


# ---------------------------------------------------------------------------- tables
def _action_columns() -> list[Column]:
    return [Column(str(ACTION_LABELS[a]), INCIDENTS) for a in INCIDENT_ACTIONS] + [Column(_("Incidents"), INCIDENTS)]


def _coverage_columns() -> list[Column]:
    return [
        Column(_("Shifts scheduled"), NUMBER),
        Column(_("Shifts staffed"), NUMBER),
        Column(_("Volunteer hours observed"), HOURS),
        Column(_("Reports filed"), NUMBER),
        Column(_("Nothing observed reports"), NUMBER),
    ]


def _blank_row():
    return {"actions": defaultdict(int), "scheduled": 0, "staffed": 0, "hours": 0.0, "filed": 0, "nothing": 0}


def _row_values(cell) -> list:
    counts = [cell["actions"][a] for a in INCIDENT_ACTIONS]
    return counts + [
        sum(counts),
        cell["scheduled"],
        cell["staffed"],
        round(cell["hours"], 2),
        cell["filed"],
        cell["nothing"],
    ]


def _value_table(key, title, labels: dict, counts: dict) -> Table:
    table = Table(
        key,
        title,
        [
            Column(title, TEXT),
            Column(_("Incidents"), INCIDENTS),
            Column(_("of which arrests or attempted arrests"), INCIDENTS),
        ],
    )
    for value, label in labels.items():
        total, serious = counts.get(value, (0, 0))
        table.rows.append([str(label), total, serious])
    if counts.get(None, (0, 0))[0]:
        table.rows.append([_("Not recorded"), *counts[None]])
    table.note = _("An incident whose reports give several values is counted under each.")
    return table


def _breakdowns() -> dict:
    return {name: defaultdict(lambda: [0, 0]) for name in ("court_type", *DIMENSIONS)}


def _add_linked_breakdowns(report_filter: ReportFilter, breakdowns: dict) -> None:
    columns = {"court_type": Observation.court_type, "role": Observation.target_role, "warrant": Observation.warrant}
    for name, values in breakdowns.items():
        linked = (
            linked_incidents_by(report_filter, columns[name])
            if name in columns
            else linked_incidents_by(report_filter, ObservationAgency.agency, join_agency=True)
        )
        for value, (total, serious) in linked.items():
            values[value][0] += total
            values[value][1] += serious


def _gather(report_filter: ReportFilter, by_courthouse: dict, by_month: dict, breakdowns: dict | None = None) -> None:
    """Incidents and filed reports into the courthouse and month cells; value breakdowns if asked.

    Unlinked reports come from the stored counts (one incident each); Incidents from their linked
    reports. Each query returns at most a row per courthouse and month: Python adds up little.
    """
    for courthouse_id, month, filed, nothing in stored_counts(
        report_filter, ["courthouse_id", "month"], ["reports", "nothing_observed"], counted_only=False
    ):
        for cell in (by_courthouse[courthouse_id], by_month[month]):
            cell["filed"] += filed
            cell["nothing"] += nothing
    for courthouse_id, month, *counts in stored_counts(
        report_filter, ["courthouse_id", "month"], list(ACTION_COLUMNS.values()), counted_only=True
    ):
        for cell in (by_courthouse[courthouse_id], by_month[month]):
            for action, count in zip(ACTION_COLUMNS, counts, strict=True):
                cell["actions"][action] += count
    for courthouse_id, month, severity, count in linked_incident_cube(report_filter):
        action = ACTION_BY_SEVERITY[int(severity)]
        by_courthouse[courthouse_id]["actions"][action] += count
        by_month[month]["actions"][action] += count
    if breakdowns is not None:
        _add_breakdowns(report_filter, breakdowns)


def _add_breakdowns(report_filter: ReportFilter, breakdowns: dict) -> None:
    value_columns = [(dimension, value) for dimension, values in DIMENSIONS.items() for value in [*values, None]]
    columns = [*ACTION_COLUMNS.values()] + [
        value_column(d, v, serious) for d, v in value_columns for serious in (False, True)
    ]
    for court_type, *counts in stored_counts(report_filter, ["court_type"], columns, counted_only=True):
        sums = dict(zip(columns, counts, strict=True))
        by_type = breakdowns["court_type"][court_type or None]
        by_type[0] += sum(sums[name] for name in ACTION_COLUMNS.values())
        by_type[1] += sum(sums[ACTION_COLUMNS[action]] for action in SERIOUS_ACTIONS)
        for dimension, value in value_columns:
            breakdowns[dimension][value][0] += sums[value_column(dimension, value)]
            breakdowns[dimension][value][1] += sums[value_column(dimension, value, serious=True)]
    _add_linked_breakdowns(report_filter, breakdowns)


def _series(report_filter: ReportFilter, by_courthouse: dict, by_month: dict) -> dict:
    names = {c.id: c.short_name or c.name for c in report_filter.courthouses}
    return {
        "month_action": {m: dict(cell["actions"]) for m, cell in by_month.items()},
        "courthouse_incidents": [(names[c], sum(cell["actions"].values())) for c, cell in by_courthouse.items()],
    }


def incident_series(report_filter: ReportFilter) -> IncidentSeries:
    by_courthouse = {c.id: _blank_row() for c in report_filter.courthouses}
    by_month = {m: _blank_row() for m in report_filter.months()}
    _gather(report_filter, by_courthouse, by_month)
    return IncidentSeries(**_series(report_filter, by_courthouse, by_month))


def build_summary(report_filter: ReportFilter) -> Summary:
    by_courthouse = {c.id: _blank_row() for c in report_filter.courthouses}
    by_month = {m: _blank_row() for m in report_filter.months()}
    breakdowns = _breakdowns()
    _gather(report_filter, by_courthouse, by_month, breakdowns)
    _add_coverage(report_filter, by_courthouse, by_month)
    by_county, total = _roll_up(report_filter, by_courthouse)

    tables = [_overview_table(total)]
    actions = Table(
        "by_action", _("Incidents by action"), [Column(_("Action"), TEXT), Column(_("Incidents"), INCIDENTS)]
    )
    actions.rows = [[str(ACTION_LABELS[a]), total["actions"][a]] for a in INCIDENT_ACTIONS]
    tables.append(actions)
    month_table = Table("by_month", _("By month"), [Column(_("Month"), TEXT)] + _action_columns() + _coverage_columns())
    month_table.rows = [[m] + _row_values(cell) for m, cell in by_month.items()]
    tables.append(month_table)
    place = Table(
        "by_courthouse",
        _("By courthouse"),
        [Column(_("Courthouse"), TEXT), Column(_("County"), TEXT)] + _action_columns() + _coverage_columns(),
    )
    place.rows = [[c.name, c.county] + _row_values(by_courthouse[c.id]) for c in report_filter.courthouses]
    place.note = _("A courthouse with no incidents and no staffed shifts was not watched: its zero means nothing.")
    tables.append(place)
    county_table = Table(
        "by_county", _("By county"), [Column(_("County"), TEXT)] + _action_columns() + _coverage_columns()
    )
    county_table.rows = [[name] + _row_values(cell) for name, cell in sorted(by_county.items())]
    tables.append(county_table)
    tables.append(_value_table("by_court_type", _("Court type"), COURT_TYPE_LABELS, breakdowns["court_type"]))
    tables.append(_value_table("by_role", _("Role of the person targeted"), TARGET_ROLE_LABELS, breakdowns["role"]))
    tables.append(_value_table("by_warrant", _("Warrant shown"), WARRANT_LABELS, breakdowns["warrant"]))
    tables.append(_value_table("by_agency", _("Agency"), AGENCY_LABELS, breakdowns["agency"]))

    return Summary(
        report_filter=report_filter,
        tables=tables,
        **_series(report_filter, by_courthouse, by_month),
        totals={
            "incidents": sum(total["actions"].values()),
            **{a.value: total["actions"][a] for a in INCIDENT_ACTIONS},
            "shifts_scheduled": total["scheduled"],
            "shifts_staffed": total["staffed"],
            "hours": round(total["hours"], 2),
            "reports_filed": total["filed"],
            "nothing_observed": total["nothing"],
        },
    )


def _add_coverage(report_filter: ReportFilter, by_courthouse: dict, by_month: dict) -> None:
    for courthouse_id, month, scheduled, staffed in shift_coverage(report_filter):
        for cell in (by_courthouse[courthouse_id], by_month[month]):
            cell["scheduled"] += scheduled
            cell["staffed"] += int(staffed)
    for courthouse_id, month, hours in hours_coverage(report_filter):
        for cell in (by_courthouse[courthouse_id], by_month[month]):
            cell["hours"] += hours


def _roll_up(report_filter: ReportFilter, by_courthouse: dict) -> tuple[dict[str, dict], dict]:
    """Courthouse rows summed by county and over everything."""
    by_county: dict[str, dict] = {}
    total = _blank_row()
    for courthouse in report_filter.courthouses:
        source = by_courthouse[courthouse.id]
        county = by_county.setdefault(courthouse.county or _("No county"), _blank_row())
        for target in (county, total):
            for action, count in source["actions"].items():
                target["actions"][action] += count
            for name in ("scheduled", "staffed", "hours", "filed", "nothing"):
                target[name] += source[name]
    return by_county, total


def _overview_table(total) -> Table:
    table = Table("overview", _("Overview"), [Column(_("Figure"), TEXT), Column(_("Value"), NUMBER)])
    incidents = sum(total["actions"].values())
    table.rows = [
        [_("Incidents"), incidents],
        *[[str(ACTION_LABELS[a]), total["actions"][a]] for a in INCIDENT_ACTIONS],
        [_("Observation shifts scheduled"), total["scheduled"]],
        [_("Observation shifts staffed"), total["staffed"]],
        [_("Volunteer hours observed"), round(total["hours"], 2)],
        [_("Reports filed (any status)"), total["filed"]],
        [_("Nothing observed reports"), total["nothing"]],
    ]
    table.incident_rows = 1 + len(INCIDENT_ACTIONS)  # coverage lines below stay exact
    return table
