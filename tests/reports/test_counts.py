"""The daily report counts stay equal to a full recount, whatever happens to the reports.

The summary page trusts ``report_day_count`` instead of reading the reports, so every way a
report changes (filed, verified, linked, unlinked, amended, moved in time or place, agencies
changed, its courthouse's time zone changed) must leave the table as a recount from scratch
would. Also: two transactions filing at the same courthouse at once both end up counted.
"""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from courtwatch.courts import services as court_services
from courtwatch.db import db
from courtwatch.observations import verification
from courtwatch.observations.models import ObservationAgency
from courtwatch.reports.counts import recount_all, report_day_count, report_month_count
from courtwatch.reports.filters import resolve_filter
from courtwatch.reports.summaries import build_summary
from tests.reports import dataset
from tests.reports.dataset import at


def table_rows() -> list[list[tuple]]:
    return [
        sorted(tuple(row) for row in db.session.execute(select(table)))
        for table in (report_day_count, report_month_count)
    ]


def assert_counts_exact() -> None:
    """What the upkeep left equals what a recount from the reports gives."""
    db.session.flush()
    kept = table_rows()
    recount_all(db.session.connection())
    assert kept == table_rows()


def day_row(courthouse, day: date, status="confirmed", court_type="criminal"):
    table = report_day_count
    row = (
        db.session.execute(
            select(table).where(
                table.c.courthouse_id == courthouse.id,
                table.c.day == day,
                table.c.status == status,
                table.c.court_type == court_type,
            )
        )
        .mappings()
        .one_or_none()
    )
    return dict(row) if row else None


@pytest.fixture
def places(app, make_courthouse, make_user):
    boston = make_courthouse(timezone="America/New_York")
    la = make_courthouse(timezone="America/Los_Angeles")
    coordinator = make_user(role="coordinator")
    return boston, la, coordinator


def test_a_report_counts_on_its_courthouse_local_day(places):
    boston, _la, _coordinator = places
    # 23:30 on 31 March in Boston is 1 April in UTC: it belongs to 31 March.
    dataset.report(
        boston,
        at("2025-03-31T23:30"),
        action="arrest",
        role="defendant",
        warrant="administrative",
        court_type="criminal",
        agencies=("ice_ero", "local_police"),
    )
    row = day_row(boston, date(2025, 3, 31))
    assert row is not None and day_row(boston, date(2025, 4, 1)) is None
    assert (row["reports"], row["arrests"], row["month"]) == (1, 1, "2025-03")
    assert (row["role_defendant"], row["role_defendant_serious"], row["warrant_administrative_serious"]) == (1, 1, 1)
    assert (row["agency_ice_ero"], row["agency_local_police"], row["agency_hsi"], row["agency_unrecorded"]) == (
        1,
        1,
        0,
        0,
    )
    assert_counts_exact()


def test_every_kind_of_change_leaves_the_counts_exact(places):
    boston, la, coordinator = places
    first = dataset.report(
        boston, at("2025-02-03T10:00"), action="sighting", status="unverified", court_type="criminal", role="witness"
    )
    second = dataset.report(boston, at("2025-02-03T11:00"), action="arrest", court_type="criminal")
    third = dataset.report(boston, at("2025-02-04T09:00"), action="none", nothing=True)
    assert_counts_exact()

    verification.verify_observation(coordinator, first, "confirmed", "Seen by two observers.")
    assert day_row(boston, date(2025, 2, 3))["sightings"] == 1
    assert_counts_exact()

    incident = verification.link_observations(coordinator, [first.id, second.id])
    linked_day = day_row(boston, date(2025, 2, 3))
    assert (linked_day["reports"], linked_day["sightings"], linked_day["arrests"]) == (2, 0, 0)  # now counted live
    assert_counts_exact()

    verification.unlink_observation(coordinator, second)
    assert day_row(boston, date(2025, 2, 3))["arrests"] == 1
    assert incident.id
    assert_counts_exact()

    # An amendment: another day, another action, other agencies.
    second.observed_at = at("2025-02-05T15:00")
    second.action = "attempted_arrest"
    second.agencies = [ObservationAgency(agency="cbp")]
    db.session.flush()
    assert day_row(boston, date(2025, 2, 3))["arrests"] == 0
    moved = day_row(boston, date(2025, 2, 5))
    assert (moved["attempted_arrests"], moved["agency_cbp"], moved["agency_cbp_serious"]) == (1, 1, 1)
    assert_counts_exact()

    # Another courthouse, and a change that counts nothing new (the narrative).
    third.courthouse_id = la.id
    third.narrative = "Quiet morning."
    db.session.flush()
    assert day_row(boston, date(2025, 2, 4), court_type="") is None
    assert day_row(la, date(2025, 2, 4), court_type="")["nothing_observed"] == 1
    assert_counts_exact()

    # Place and time at once: the day it left, at the courthouse it left, is emptied too.
    third.courthouse_id = boston.id
    third.observed_at = at("2025-02-10T09:00")
    db.session.flush()
    assert day_row(la, date(2025, 2, 4), court_type="") is None
    assert day_row(boston, date(2025, 2, 10), court_type="")["reports"] == 1
    assert_counts_exact()


def test_a_new_time_zone_moves_reports_to_their_new_local_day(places):
    boston, _la, _coordinator = places
    dataset.report(boston, at("2025-06-01T01:30"), action="sighting", court_type="criminal")  # 05:30 UTC
    assert day_row(boston, date(2025, 6, 1))["sightings"] == 1
    court_services.update_courthouse(None, boston, **{**_editable(boston), "timezone": "America/Los_Angeles"})
    db.session.flush()
    # 05:30 UTC is 22:30 on 31 May in Los Angeles.
    assert day_row(boston, date(2025, 6, 1)) is None
    assert day_row(boston, date(2025, 5, 31))["sightings"] == 1
    assert_counts_exact()


def _editable(courthouse) -> dict:
    return {name: getattr(courthouse, name) for name in court_services.EDITABLE_FIELDS}


def test_reports_filed_at_once_at_one_courthouse_are_both_counted(places):
    """Two transactions recount the same courthouse-day; the second must see the first's report."""
    boston, _la, _coordinator = places
    db.session.commit()
    engine = db.engine
    first = Session(engine)
    dataset_report_in(first, boston, "2025-07-01T09:00")
    first.flush()  # counted in the first transaction (and, on PostgreSQL, the courthouse's lock held)
    errors = []

    def file_second():
        try:
            with Session(engine) as second:
                dataset_report_in(second, boston, "2025-07-01T10:00")
                second.commit()
        except Exception as error:  # reported below, in the test's own thread
            errors.append(error)

    thread = threading.Thread(target=file_second)
    thread.start()
    try:
        _wait_until_blocked(engine, thread)
        first.commit()
    finally:
        first.close()  # on failure too: a rollback frees the lock, so neither thread nor teardown hangs
        thread.join(30)
    assert not thread.is_alive() and not errors, errors
    db.session.expire_all()
    assert day_row(boston, date(2025, 7, 1))["sightings"] == 2
    assert_counts_exact()


def dataset_report_in(session: Session, courthouse, when: str) -> None:
    from courtwatch.observations.models import Observation

    session.add(
        Observation(
            courthouse_id=courthouse.id,
            observed_at=at(when),
            status="confirmed",
            action="sighting",
            court_type="criminal",
            agents_present="yes",
            idempotency_key=f"concurrent-{when}",
            content_hash="0" * 64,
        )
    )


def _wait_until_blocked(engine, thread, seconds: float = 10) -> None:
    """Let the second transaction reach its wait (PostgreSQL: the advisory lock; SQLite: the write lock)."""
    deadline = time.monotonic() + seconds
    if engine.dialect.name != "postgresql":
        time.sleep(0.5)  # SQLite shows no waiters; the second writer waits on the busy timeout
        return
    with engine.connect() as connection:
        while time.monotonic() < deadline and thread.is_alive():
            waiting = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            ).scalar()
            if waiting:
                return
            connection.rollback()  # pg_stat_activity is a snapshot per transaction: take a fresh one
            time.sleep(0.05)
    raise AssertionError("the second transaction never waited for the first")


def test_recount_command_restores_counts_after_a_bulk_load(places, runner):
    """A bulk insert through SQL bypasses the upkeep; `flask reports recount` brings the table back."""
    boston, _la, _coordinator = places
    dataset.report(boston, at("2025-02-03T10:00"), action="arrest", court_type="criminal")
    db.session.commit()
    db.session.execute(report_day_count.delete())
    db.session.commit()
    result = runner.invoke(args=["reports", "recount"])
    assert result.exit_code == 0, result.output
    assert "counted 1 courthouse-day rows" in result.output
    db.session.expire_all()
    assert day_row(boston, date(2025, 2, 3))["arrests"] == 1


def test_ranges_cut_inside_months_add_up(app, make_courthouse, make_user):
    """Whole months come from month rows, the cut ones from day rows; the figures must agree."""
    dataset.build(make_courthouse, make_user)

    def filed(start, end):
        totals = build_summary(resolve_filter(date_from=start, date_to=end)).totals
        return totals["reports_filed"], totals["nothing_observed"]

    whole = filed(date(2025, 1, 10), date(2025, 3, 31))
    parts = [filed(date(2025, 1, 10), date(2025, 1, 31)), filed(date(2025, 2, 1), date(2025, 3, 31))]
    assert whole == tuple(map(sum, zip(*parts, strict=True))) and whole[0] > 0
    month_rows = db.session.execute(select(report_month_count)).all()
    assert month_rows, "the month rows are filled as reports are filed"
