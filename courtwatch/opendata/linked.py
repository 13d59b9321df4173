"""Incidents (linked reports) for the open data, read once and counted in Python.

The publication needs the linked reports five ways: each Incident once in the courthouse-month
cube (at its earliest counted report, its most serious action), and, month by month, the Incidents
under each court type, role, warrant and agency. Asked as five grouped queries, that was about
half of a fresh answer's CPU at a million reports (bench/README.md); the linked reports are few,
so one read and a few loops give the same figures by the same rules as
``reports.queries.linked_incident_cube`` and ``linked_incidents_by(..., by_month=True)``.
"""

from __future__ import annotations

from collections import defaultdict

from courtwatch.reports.queries import SEVERITY, linked_report_rows

VALUE_POSITIONS = {"court_type": 5, "target_role": 6, "warrant": 7}


def linked_incident_figures(report_filter) -> tuple[dict, dict]:
    """(cube: (courthouse id, month, severity) -> Incidents, values: month -> dimension -> value -> Incidents)."""
    zones = {courthouse.id: courthouse.zone for courthouse in report_filter.courthouses}
    earliest: dict[int, tuple] = {}  # incident -> (min courthouse id, min moment, max severity)
    seen = defaultdict(set)  # (month, dimension, value) -> incident ids
    for _report, incident, courthouse_id, moment, action, *values, agency in linked_report_rows(report_filter):
        month = moment.astimezone(zones[courthouse_id]).strftime("%Y-%m")
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
        cube[courthouse_id, moment.astimezone(zones[courthouse_id]).strftime("%Y-%m"), severity] += 1
    values = defaultdict(lambda: defaultdict(dict))
    for (month, dimension, value), incidents in seen.items():
        values[month][dimension][value] = len(incidents)
    return cube, values
