"""Summary figures against hand-computed expectations on the fixed data set (tests/reports/dataset.py).

Dates are the courthouse's local calendar days: r7 (23:30 local on 31 March, 1 April in UTC) is
in the range and in March; r8 (22:00 local on 31 December, 1 January in UTC) is not; Incident i2
starts at 23:00 local on 31 January (1 February in UTC) and is a January incident.
"""

from __future__ import annotations

from datetime import date

import pytest

from courtwatch.errors import DomainError
from courtwatch.reports.filters import resolve_filter
from courtwatch.reports.hours import hours_per_month, hours_per_volunteer
from courtwatch.reports.summaries import build_summary
from tests.reports import dataset

Q1 = {"date_from": date(2025, 1, 1), "date_to": date(2025, 3, 31)}


@pytest.fixture
def data(app, make_courthouse, make_user):
    return dataset.build(make_courthouse, make_user)


def rows_by_label(table):
    return {row[0]: row[1:] for row in table.rows}


def test_confirmed_only_counts_linked_incidents_once_in_local_time(data):
    summary = build_summary(resolve_filter(**Q1))
    # r1 arrest, i1 (r2 confirmed arrest; r3 unverified ignored), r7 sighting, i2 (two sightings), r11 attempted.
    assert summary.totals["incidents"] == 5
    assert (summary.totals["arrest"], summary.totals["attempted_arrest"], summary.totals["sighting"]) == (2, 1, 2)
    by_action = rows_by_label(summary.table("by_action"))
    assert by_action == {"Sighting only": [2], "Attempted arrest": [1], "Arrest": [2]}
    months = rows_by_label(summary.table("by_month"))
    # columns: sighting, attempted, arrest, incidents, scheduled, staffed, hours, filed, nothing
    assert months["2025-01"][:4] == [1, 0, 1, 2]  # r1, i2 (local January although 1 Feb UTC)
    assert months["2025-02"][:4] == [0, 1, 1, 2]  # r11, i1
    assert months["2025-03"][:4] == [1, 0, 0, 1]  # r7 (1 April in UTC)
    places = {row[0]: row[2:] for row in summary.table("by_courthouse").rows}
    assert places["Alpha Courthouse"][:4] == [2, 0, 2, 4]
    assert places["Beta Courthouse"][:4] == [0, 1, 0, 1]
    assert places["Gamma Courthouse"] == [0, 0, 0, 0, 0, 0, 0.0, 0, 0]  # listed: an unwatched court
    counties = rows_by_label(summary.table("by_county"))
    assert counties["Suffolk County"][3] == 4 and counties["Worcester County"][3] == 1
    assert counties["Cook County"][3] == 0


def test_many_valued_breakdowns(data):
    summary = build_summary(resolve_filter(**Q1))
    assert rows_by_label(summary.table("by_court_type")) == {
        "Criminal": [2, 1],
        "Family": [2, 2],
        "Civil / housing": [0, 0],
        "Traffic": [0, 0],
        "Immigration": [0, 0],
        "Other": [0, 0],
        "Not recorded": [1, 0],
    }
    roles = rows_by_label(summary.table("by_role"))
    assert roles["Defendant"] == [1, 1] and roles["Victim / survivor"] == [1, 1]
    assert roles["Family-court litigant"] == [1, 1] and roles["Unknown"] == [1, 0]
    assert roles["Not recorded"] == [1, 0] and roles["Witness"] == [0, 0]
    warrants = rows_by_label(summary.table("by_warrant"))
    assert warrants["Judicial warrant (signed by a judge)"] == [1, 1]
    assert warrants["Administrative warrant (ICE form)"] == [1, 1]
    assert warrants["None shown"] == [1, 1] and warrants["Unknown"] == [1, 0]
    agencies = rows_by_label(summary.table("by_agency"))
    assert agencies["ICE ERO"] == [2, 2]  # r1 and i1
    assert agencies["HSI"] == [0, 0]  # only on unverified r3
    assert agencies["Local police assisting"] == [1, 1] and agencies["CBP"] == [1, 1]
    assert agencies["Not recorded"] == [2, 0]  # i2 and r7


def test_all_reports_except_false_alarms(data):
    summary = build_summary(resolve_filter(**Q1, scope="all"))
    # adds r4 (unverified sighting); r5 (false alarm) never counts; i1 still once.
    assert summary.totals["incidents"] == 6
    assert (summary.totals["arrest"], summary.totals["attempted_arrest"], summary.totals["sighting"]) == (2, 1, 3)
    agencies = rows_by_label(summary.table("by_agency"))
    assert agencies["ICE ERO"] == [2, 2]  # i1 once although r2 and r3 both name ICE ERO
    assert agencies["HSI"] == [1, 1]


def test_coverage_tells_a_zero_from_an_unwatched_court(data):
    summary = build_summary(resolve_filter(**Q1))
    places = {row[0]: row[6:] for row in summary.table("by_courthouse").rows}
    # scheduled, staffed, hours, filed, nothing observed
    assert places["Alpha Courthouse"] == [3, 2, 3.5, 9, 1]  # s1,s2,s3 (s3 no-show); r8 outside
    assert places["Beta Courthouse"] == [1, 1, 1.25, 2, 1]
    assert summary.totals["shifts_staffed"] == 3 and summary.totals["hours"] == 4.75
    assert summary.totals["nothing_observed"] == 2 and summary.totals["reports_filed"] == 11


def test_filters_by_county_court_type_and_courthouse(data):
    only_beta = build_summary(resolve_filter(**Q1, counties=["Worcester County"]))
    assert only_beta.totals["incidents"] == 1
    assert [row[0] for row in only_beta.table("by_courthouse").rows] == ["Beta Courthouse"]
    family = build_summary(resolve_filter(**Q1, court_types=["family"]))
    assert family.totals["incidents"] == 2  # i1 and r11
    alpha = build_summary(resolve_filter(**Q1, courthouse_ids=[data["alpha"].id]))
    assert alpha.totals["incidents"] == 4


def test_one_day_range_edges(data):
    last_day = build_summary(resolve_filter(date_from=date(2025, 3, 31), date_to=date(2025, 3, 31)))
    assert last_day.totals["incidents"] == 1  # r7 at 23:30 local
    new_year = build_summary(resolve_filter(date_from=date(2025, 1, 1), date_to=date(2025, 1, 1)))
    assert new_year.totals["incidents"] == 0  # r8 is 31 December local


def test_bad_filters_are_refused(app):
    with pytest.raises(DomainError) as error:
        resolve_filter(date_from=date(2025, 3, 1), date_to=date(2025, 1, 1))
    assert error.value.field == "date_to"
    with pytest.raises(DomainError):
        resolve_filter(**Q1, court_types=["martian"])


def test_volunteer_hours(data):
    report_filter = resolve_filter(**Q1)
    people = {row[0]: row[2:] for row in hours_per_volunteer(report_filter).rows}
    # shifts, checked in, no-shows, hours
    assert people == {"Val One": [3, 2, 1, 5.5], "Val Two": [2, 1, 0, 1.25]}
    months = rows_by_label(hours_per_month(report_filter))
    assert months["2025-01"] == [1, 1, 1, 0, 3.5]
    assert months["2025-02"] == [1, 2, 1, 0, 1.25]
    assert months["2025-03"] == [1, 2, 1, 1, 2.0]
