"""Cases followed across hearings: the same case number at the same courthouse, in any import or
source, is one case; existing hearings are linked by `flask cases link`; coordinators (only) see a
case's timeline, which names the case by id and its volunteers by first name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from courtwatch.courts.case_models import CourtCase
from courtwatch.courts.hearing_models import Hearing
from courtwatch.db import db, utcnow
from tests.support.cases import day, hearings_by_number, import_docket, write_docket


def test_two_imports_of_one_case_make_one_case_with_two_hearings(app, make_courthouse, tmp_path):
    courthouse = make_courthouse()
    other_courthouse = make_courthouse()
    first = write_docket(
        tmp_path, "week1.csv", [("2026-CR-0042", day(5), "9:00 AM"), ("2026-CR-0099", day(5), "10:00")]
    )
    import_docket(first, courthouse, "Clerk's docket")
    # A later docket from another source for the same courthouse writes the number differently.
    second = write_docket(tmp_path, "week6.csv", [("2026 cr 0042", day(40), "1:30 PM")])
    summary = import_docket(second, courthouse, "Court website")
    assert summary.added == 1
    # The same number at another courthouse is another case.
    import_docket(first, other_courthouse, "Clerk's docket")

    grouped = hearings_by_number()
    same_case = grouped["2026-CR-0042"] + grouped["2026 cr 0042"]
    here = [h for h in same_case if h.courthouse_id == courthouse.id]
    assert len(here) == 2 and here[0].case_id is not None and here[0].case_id == here[1].case_id
    there = [h for h in same_case if h.courthouse_id == other_courthouse.id]
    assert there[0].case_id not in (None, here[0].case_id)
    other = [h for h in grouped["2026-CR-0099"] if h.courthouse_id == courthouse.id][0]
    assert other.case_id not in (None, here[0].case_id)
    assert db.session.scalar(select(func.count()).select_from(CourtCase)) == 4
    # No case number in clear: a case holds only a keyed hash.
    for case in db.session.scalars(select(CourtCase)):
        assert case.case_key.startswith("h1:") and "0042" not in case.case_key and "0099" not in case.case_key
    # Re-importing changes nothing: still one case with two hearings.
    import_docket(second, courthouse, "Court website")
    assert db.session.scalar(select(func.count()).select_from(Hearing).where(Hearing.case_id == here[0].case_id)) == 2


def test_cli_imports_link_cases_too(app, runner, make_courthouse, tmp_path):
    make_courthouse(slug="cli-court")
    first = write_docket(tmp_path, "first.csv", [("A-77", day(3), "9:00 AM")])
    second = write_docket(tmp_path, "second.csv", [("A-77", day(30), "9:00 AM")])
    for path in (first, second):
        result = runner.invoke(args=["calendars", "import", path, "--courthouse", "cli-court"])
        assert result.exit_code == 0, result.output
        assert "add 1" in result.output
    hearings = hearings_by_number()["A-77"]
    assert len(hearings) == 2 and hearings[0].source_id != hearings[1].source_id
    assert hearings[0].case_id is not None and hearings[0].case_id == hearings[1].case_id


def test_backfill_command_links_hearings_imported_before_cases(app, runner, make_courthouse):
    courthouse = make_courthouse()
    for days_ahead in (2, 20):
        db.session.add(
            Hearing(
                courthouse_id=courthouse.id,
                starts_at=datetime.now(UTC) + timedelta(days=days_ahead),
                case_number="CV-1",
            )
        )
    db.session.add(Hearing(courthouse_id=courthouse.id, starts_at=datetime.now(UTC) + timedelta(days=3)))
    db.session.commit()
    result = runner.invoke(args=["cases", "link"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "linked 2"
    linked = hearings_by_number()["CV-1"]
    assert linked[0].case_id is not None and linked[0].case_id == linked[1].case_id
    assert runner.invoke(args=["cases", "link"]).output.strip() == "linked 0"


def test_timeline_for_coordinators_only_with_first_names_and_no_case_number(
    case_with_history, login_as, tmp_path, make_user
):
    import_docket(
        write_docket(tmp_path, "two.csv", [("CR-555", day(35), "2:00 PM")]), case_with_history["courthouse"], "Later"
    )
    first = case_with_history["hearing"]
    coordinator = login_as(case_with_history["coordinator"])
    # Linked from the hearing page.
    page = coordinator.get(f"/hearings/{first.id}").get_data(as_text=True)
    assert f"/cases/{first.case_id}" in page and "Case timeline (2 hearings)" in page
    response = coordinator.get(f"/cases/{first.case_id}")
    assert response.status_code == 200
    timeline = response.get_data(as_text=True)
    assert "Maya" in timeline and "Samuel" in timeline
    assert "Quintero" not in timeline and "Okafor" not in timeline
    assert "CR-555" not in timeline and "Rosa" not in timeline
    assert timeline.count('href="/hearings/') >= 2
    volunteer = login_as(case_with_history["maya"])
    assert volunteer.get(f"/cases/{first.case_id}").status_code == 403
    assert volunteer.get("/cases").status_code == 403
    assert coordinator.get("/cases/999999").status_code == 404


def test_purge_forgets_the_case_key_with_its_last_hearing(app, make_courthouse, tmp_path):
    from courtwatch.privacy.retention import purge_private_hearing_data

    courthouse = make_courthouse()
    import_docket(write_docket(tmp_path, "old.csv", [("P-1", day(2), "9:00 AM")]), courthouse, "Docket")
    import_docket(write_docket(tmp_path, "later.csv", [("P-1", day(50), "9:00 AM")]), courthouse, "Later")
    case = db.session.scalar(select(CourtCase))
    # The first hearing's data goes; the case still has a live hearing, so it keeps its key.
    purge_private_hearing_data(now=utcnow() + timedelta(days=2 + 31))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(CourtCase, case.id).case_key is not None
    purge_private_hearing_data(now=utcnow() + timedelta(days=50 + 31))
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(CourtCase, case.id).case_key is None
    assert db.session.scalar(select(func.count()).select_from(Hearing).where(Hearing.case_id == case.id)) == 2
