"""Incidents (linked reports) for the open data, read once and counted in Python.

The publication needs the linked reports five ways: each Incident once in the courthouse-month
cube (at its earliest counted report, its most serious action), and, month by month, the Incidents
under each court type, role, warrant and agency. Asked as five grouped queries, that was about
half of a fresh answer's CPU at a million reports (bench/README.md); the linked reports are few,
so one read and a few loops give the same figures by the same rules as
``reports.queries.linked_incident_cube`` and ``linked_incidents_by(..., by_month=True)``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from datetime import date, timedelta

from courtwatch.reports.filters import local_midnight
from courtwatch.reports.queries import SEVERITY

VALUE_POSITIONS = {"court_type": 5, "target_role": 6, "warrant": 7}


def month_finder(report_filter):
    """``month_of(courthouse id, moment)``: "YYYY-MM" of the moment in the courthouse's zone.

    A search among the period's local month starts (computed once per zone) rather than a time-zone
    conversion and strftime a row; moments outside the period (an Incident's earliest moment read
    in another courthouse's zone) still take the conversion, so the result is the same.
    """
    months = report_filter.months()
    days = [date.fromisoformat(month + "-01") for month in months] + [report_filter.date_to]
    per_zone, starts, zones = {}, {}, {}
    for courthouse in report_filter.courthouses:
        zones[courthouse.id] = courthouse.zone
        if courthouse.timezone not in per_zone:
            edges = [local_midnight(day, courthouse.zone) for day in days[:-1]]
            per_zone[courthouse.timezone] = [*edges, local_midnight(days[-1] + timedelta(days=1), courthouse.zone)]
        starts[courthouse.id] = per_zone[courthouse.timezone]

    def month_of(courthouse_id, moment) -> str:
        index = bisect_right(starts[courthouse_id], moment)
        if 0 < index <= len(months):
            return months[index - 1]
        return moment.astimezone(zones[courthouse_id]).strftime("%Y-%m")

    return month_of


def linked_incident_figures(report_filter, rows: list) -> tuple[dict, dict]:
    """(cube: (courthouse id, month, severity) -> Incidents, values: month -> dimension -> value -> Incidents).

    ``rows``: ``reports.queries.linked_report_rows(report_filter)``, read by the caller (they are
    also part of a stored answer's validator).
    """
    month_of = month_finder(report_filter)
    earliest: dict[int, tuple] = {}  # incident -> (min courthouse id, min moment, max severity)
    seen = defaultdict(set)  # (month, dimension, value) -> incident ids
    for _report, incident, courthouse_id, moment, action, *values, agency in rows:
        month = month_of(courthouse_id, moment)
        for dimension, position in VALUE_POSITIONS.items():
            seen[month, dimension, values[position - 5]].add(incident)
        seen[month, "agency", agency].add(incident)
        severity = SEVERITY.get(action, 0)
        known = earliest.get(incident)
        earliest[incident] = (
            (courthouse_id, moment, severity)
            if known is None
            else (min(known[0], courthouse_id), min(known[1], moment), max(known[2], severity))
        )
    cube = defaultdict(int)
    for courthouse_id, moment, severity in earliest.values():
        cube[courthouse_id, month_of(courthouse_id, moment), severity] += 1
    values = defaultdict(lambda: defaultdict(dict))
    for (month, dimension, value), incidents in seen.items():
        values[month][dimension][value] = len(incidents)
    return cube, values
