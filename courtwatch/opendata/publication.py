"""The public numbers for one period: confirmed incidents with coverage, every table suppressed together.

Counts come from the summaries' stored counts and their live count of linked Incidents
(``courtwatch.reports.summaries``), so the public page, the API and the staff summary count by
the same rules: confirmed reports only, an Incident once, whole months in each courthouse's
local time. Only aggregates leave this module; no report, narrative, reporter, courtroom or
time of day is ever read here.

Every table is suppressed together, whichever table the caller shows (suppressing the courthouse
table alone could leave a cell that the county table gives back), and once per month rather than
per period (lattice.py): a period's figure is the sum of its month cells, shown only when none of
them is hidden, so comparing the answers for overlapping periods gives nothing away. The API and
the page therefore always agree on what is hidden.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _

from courtwatch.courts.models import COURT_TYPE_LABELS
from courtwatch.courts.services import campaign_today
from courtwatch.errors import DomainError
from courtwatch.observations.models import (
    ACTION_LABELS,
    AGENCY_LABELS,
    TARGET_ROLE_LABELS,
    WARRANT_LABELS,
)
from courtwatch.opendata.lattice import month_cells, period_cell
from courtwatch.opendata.linked import linked_incident_figures
from courtwatch.opendata.memory import remembered_hidden_cells
from courtwatch.opendata.models import OpenDataSettings
from courtwatch.reports.counts import ACTION_COLUMNS, DIMENSIONS, value_column
from courtwatch.reports.filters import MAX_MONTHS, SCOPE_CONFIRMED, resolve_filter
from courtwatch.reports.queries import (
    ACTION_BY_SEVERITY,
    hours_coverage,
    linked_report_rows,
    shift_coverage,
    stored_counts,
)

ACTIONS = tuple(action.value for action in ACTION_COLUMNS)  # sighting, attempted_arrest, arrest
COUNT_COLUMNS = (*ACTIONS, "incidents")
COVERAGE_COLUMNS = ("shifts_scheduled", "shifts_staffed", "hours_observed")
UNRECORDED = "unrecorded"
# table key -> (dimension named in the API's ``by``, whether rows carry coverage)
TABLES = {
    "by_month": "month",
    "by_courthouse": "courthouse",
    "by_county": "county",
    "by_action": "action",
    "by_court_type": "court_type",
    "by_target_role": "target_role",
    "by_warrant": "warrant",
    "by_agency": "agency",
}
VALUE_TABLES = {
    "court_type": COURT_TYPE_LABELS,
    "target_role": TARGET_ROLE_LABELS,
    "warrant": WARRANT_LABELS,
    "agency": AGENCY_LABELS,
}
STORED_DIMENSION = {"target_role": "role", "warrant": "warrant", "agency": "agency"}
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
EARLIEST_MONTH = "1900-01"  # "0000-01" is a well-formed month, but no date type can hold a year before 1


@dataclass
class Period:
    first_month: str  # "YYYY-MM"
    last_month: str

    @property
    def first_day(self) -> date:
        return date.fromisoformat(self.first_month + "-01")

    @property
    def last_day(self) -> date:
        start = date.fromisoformat(self.last_month + "-01")
        return (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)


@dataclass
class Row:
    key: str  # a month, a courthouse's slug, a county's name or a code value: stable across languages
    label: str
    counts: dict  # column -> int, or None when suppressed
    coverage: dict | None = None
    county: str | None = None  # courthouse rows

    @property
    def suppressed(self) -> list[str]:
        return [column for column, value in self.counts.items() if value is None]


@dataclass
class PublishedTable:
    key: str
    dimension: str
    rows: list[Row]
    columns: tuple[str, ...]


@dataclass
class Publication:
    period: Period
    threshold: int
    totals: Row
    tables: dict[str, PublishedTable] = field(default_factory=dict)
    hidden_cells: int = 0


# ---------------------------------------------------------------------------- the period
def _month(value: str | None, name: str) -> str | None:
    if value is None or not value.strip():
        return None
    if not MONTH.match(value.strip()) or value.strip() < EARLIEST_MONTH:
        raise DomainError(_("Enter a month as YYYY-MM (got %(value)s).", value=value[:20]), field=name)
    return value.strip()


def _shift_month(month: str, delta: int) -> str:
    year, number = int(month[:4]), int(month[5:7]) - 1 + delta
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def resolve_period(
    settings: OpenDataSettings, first: str | None, last: str | None, today: date | None = None
) -> Period:
    """The months asked for, within what the campaign publishes; the last twelve by default."""
    this_month = (today or campaign_today()).strftime("%Y-%m")
    first, last = _month(first, "from"), _month(last, "to")
    last = last or this_month
    first = first or max(_shift_month(last, -11), EARLIEST_MONTH)
    if settings.published_from and first < settings.published_from:
        first = settings.published_from
    if last > this_month:
        last = this_month
    if last < first:
        raise DomainError(_("The end month is before the start month."), field="to")
    if (int(last[:4]) - int(first[:4])) * 12 + int(last[5:]) - int(first[5:]) + 1 > MAX_MONTHS:
        raise DomainError(_("Choose at most %(n)s months.", n=MAX_MONTHS), field="to")
    return Period(first, last)


# ---------------------------------------------------------------------------- counting
def _blank_counts() -> dict:
    return dict.fromkeys(COUNT_COLUMNS, 0)


@dataclass
class PublicationInputs:
    """What a publication is counted from that is cheap to read: the courthouses and the stored counts.

    Read once per answer: they are both part of the validator of a stored answer (stored.py) and,
    when none matches, the start of the counting. The linked reports and the coverage are read
    only when the answer is counted (the validator has cheaper fingerprints of them).
    """

    report_filter: object
    action_rows: list  # (courthouse id, month, *action sums) from the stored counts
    value_rows: list  # (month, court type, *sums of _value_sum_columns())


def _value_sum_columns() -> list[str]:
    value_columns = [(dimension, value) for dimension, options in DIMENSIONS.items() for value in [*options, None]]
    return [*ACTION_COLUMNS.values(), *(value_column(d, v) for d, v in value_columns)]


def read_inputs(period: Period) -> PublicationInputs:
    report_filter = resolve_filter(date_from=period.first_day, date_to=period.last_day, scope=SCOPE_CONFIRMED)
    action_columns = list(ACTION_COLUMNS.values())
    return PublicationInputs(
        report_filter,
        stored_counts(report_filter, ["courthouse_id", "month"], action_columns, counted_only=True),
        stored_counts(report_filter, ["month", "court_type"], _value_sum_columns(), counted_only=True),
    )


def _incident_cube(inputs: PublicationInputs, linked_cube: dict) -> dict:
    """Incidents per (courthouse id, month) and action: unlinked reports' stored counts plus Incidents."""
    cube = defaultdict(_blank_counts)
    for courthouse_id, month, *counts in inputs.action_rows:
        for action, count in zip(ACTIONS, counts, strict=True):
            cube[courthouse_id, month][action] += count
    for (courthouse_id, month, severity), count in linked_cube.items():
        cube[courthouse_id, month][ACTION_BY_SEVERITY[int(severity)].value] += count
    return cube


def count_coverage(report_filter) -> dict:
    """(courthouse id, month) -> shifts scheduled, shifts staffed and hours observed, counted from the shifts.

    Each month's figures depend on that month's shifts alone, so stored.py keeps them per month and
    calls this only for the months whose shifts changed (a filter narrowed to those months).
    """
    coverage = defaultdict(lambda: dict.fromkeys(COVERAGE_COLUMNS, 0))
    for courthouse_id, month, scheduled, staffed in shift_coverage(report_filter):
        coverage[courthouse_id, month]["shifts_scheduled"] += int(scheduled)
        coverage[courthouse_id, month]["shifts_staffed"] += int(staffed)
    for courthouse_id, month, hours in hours_coverage(report_filter):
        coverage[courthouse_id, month]["hours_observed"] += hours
    return dict(coverage)


def _value_counts_by_month(inputs: PublicationInputs, linked_values: dict) -> dict:
    """month -> dimension -> value (or UNRECORDED) -> incidents, unlinked reports plus linked Incidents.

    Each month counted as if asked for alone, for the whole period in one query per source.
    """
    months = {m: {dimension: defaultdict(int) for dimension in VALUE_TABLES} for m in inputs.report_filter.months()}
    columns = _value_sum_columns()
    for month, court_type, *counts in inputs.value_rows:
        values = months[month]
        sums = dict(zip(columns, counts, strict=True))
        values["court_type"][court_type or UNRECORDED] += sum(sums[name] for name in ACTION_COLUMNS.values())
        for public_name, stored_name in STORED_DIMENSION.items():
            for option in [*DIMENSIONS[stored_name], None]:
                values[public_name][option or UNRECORDED] += sums[value_column(stored_name, option)]
    for month, dimensions in linked_values.items():
        for dimension, counts in dimensions.items():
            for value, total in counts.items():
                months[month][dimension][value or UNRECORDED] += total
    return months


def _add(target: dict, source: dict) -> None:
    for column, value in source.items():
        target[column] = target.get(column, 0) + value


# ---------------------------------------------------------------------------- building
def _place_rows(courthouses, months: list[str], cube: dict, coverage: dict) -> tuple[dict, dict, dict]:
    """Counts and coverage per (kind, key): the whole period, each month, courthouse and county."""
    rows = {
        "all": {"": _blank_counts()},
        "month": {m: _blank_counts() for m in months},
        "courthouse": {c.slug: _blank_counts() for c in courthouses},
        "county": {},
    }
    cover = {
        "all": {"": {}},
        "month": {m: {} for m in months},
        "courthouse": {c.slug: {} for c in courthouses},
        "county": {},
    }
    county_of = {c.slug: c.county or "" for c in courthouses}
    for county in sorted(set(county_of.values())):
        rows["county"][county], cover["county"][county] = _blank_counts(), {}
    for courthouse in courthouses:
        for month in months:
            counts = dict(cube.get((courthouse.id, month), {}))
            counts["incidents"] = sum(counts.get(action, 0) for action in ACTIONS)
            places = (
                ("all", ""),
                ("month", month),
                ("courthouse", courthouse.slug),
                ("county", county_of[courthouse.slug]),
            )
            for kind, key in places:
                _add(rows[kind][key], counts)
                _add(cover[kind][key], coverage.get((courthouse.id, month), dict.fromkeys(COVERAGE_COLUMNS, 0)))
    return rows, cover, county_of


def build_publication(
    settings: OpenDataSettings,
    period: Period,
    inputs: PublicationInputs | None = None,
    coverage: dict | None = None,
) -> Publication:
    """The period's tables, each figure the sum of its month cells, suppressed month by month (lattice.py).

    ``coverage``: ``count_coverage``'s figures for the period when the caller has them (stored.py
    reads unchanged months back); counted here otherwise.
    """
    inputs = inputs or read_inputs(period)
    report_filter = inputs.report_filter
    linked_cube, linked_values = linked_incident_figures(report_filter, linked_report_rows(report_filter))
    cube = _incident_cube(inputs, linked_cube)
    if coverage is None:
        coverage = count_coverage(report_filter)
    months = report_filter.months()
    courthouses = report_filter.courthouses
    rows, cover, county_of = _place_rows(courthouses, months, cube, coverage)
    value_options = {dimension: [str(o) for o in [*labels, UNRECORDED]] for dimension, labels in VALUE_TABLES.items()}
    sections = set(settings.section_list)

    value_counts = _value_counts_by_month(inputs, linked_values)
    cells_by_month = {}
    for month in months:
        month_rows, _cover, _counties = _place_rows(courthouses, [month], cube, coverage)
        del month_rows["month"]  # one month's overall row is its "all" row
        cells_by_month[month] = month_cells(month_rows, county_of, value_counts[month], value_options, sections)
    month_values = {month: cells.values for month, cells in cells_by_month.items()}
    month_hidden = remembered_hidden_cells(cells_by_month, settings.threshold)

    def shown(cell, over=months):
        return period_cell(over, cell, month_values, month_hidden)

    def row(kind, key, label, **extra) -> Row:
        if kind == "month":
            counts = {column: shown(("all", "", column), [key]) for column in COUNT_COLUMNS}
        else:
            counts = {column: shown((kind, key, column)) for column in COUNT_COLUMNS}
        hours = cover[kind][key]
        return Row(
            key,
            label,
            counts,
            {
                "shifts_scheduled": int(hours.get("shifts_scheduled", 0)),
                "shifts_staffed": int(hours.get("shifts_staffed", 0)),
                "hours_observed": round(float(hours.get("hours_observed", 0)), 1),
            },
            **extra,
        )

    publication = Publication(period, settings.threshold, row("all", "", _("All courthouses")))
    tables = {
        "by_month": [row("month", m, m) for m in months],
        "by_courthouse": [row("courthouse", c.slug, c.name, county=c.county or "") for c in courthouses],
        "by_county": [row("county", k, k or _("No county")) for k in rows["county"]],
        "by_action": [Row(a, str(ACTION_LABELS[a]), {"incidents": publication.totals.counts[a]}) for a in ACTIONS],
    }
    for dimension, labels in VALUE_TABLES.items():
        tables[f"by_{dimension}"] = [
            Row(
                str(option),
                str(labels[option]) if option in labels else _("Not recorded"),
                {"incidents": shown((dimension, str(option), "incidents"))},
            )
            for option in [*labels, UNRECORDED]
        ]
    for key in settings.section_list:
        columns = COUNT_COLUMNS if key in ("by_month", "by_courthouse", "by_county") else ("incidents",)
        publication.tables[key] = PublishedTable(key, TABLES[key], tables[key], columns)
    shown_rows = [publication.totals, *(r for table in publication.tables.values() for r in table.rows)]
    publication.hidden_cells = sum(len(r.suppressed) for r in shown_rows)
    return publication
