"""Hearings with no time, past hearings and the language asked: what a docket row turns into.

Issue 13, findings 6, 7 and 8.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from courtwatch.courts.hearing_models import Hearing
from courtwatch.courts.hearing_services import (
    save_accompaniment_request,
    set_accompaniment_needed,
)
from courtwatch.db import db
from courtwatch.errors import DomainError
from courtwatch.imports import services
from courtwatch.shifts.hearing_hooks import shift_for_hearing
from courtwatch.shifts.models import Shift
from tests.imports.conftest import ics, vevent

MAPPING = {"fields": {"case_number": "Case", "date": "Date", "time": "Time"}, "key": "case_date"}


def import_csv(tmp_path, courthouse, text: str):
    path = tmp_path / "docket.csv"
    path.write_text(text)
    source = services.get_or_create_source(courthouse, "docket", "csv")
    summary = services.import_file(
        str(path), kind="csv", courthouse=courthouse, source=source, mapping=MAPPING, apply=True
    )
    db.session.commit()
    return summary


def hearing(case: str) -> Hearing:
    """The one hearing with this case number (stored sealed, so compared after opening)."""
    db.session.expire_all()
    (found,) = [row for row in db.session.scalars(select(Hearing)) if row.case_number == case]
    return found


def test_hearing_without_time_gets_no_shift_until_a_coordinator_sets_one(
    app, tmp_path, make_courthouse, coordinator_client
):
    """Finding 6: a date-only row became an accompaniment shift from 23:15 to 03:00."""
    courthouse = make_courthouse()
    day = (datetime.now(courthouse.zone) + timedelta(days=7)).date()
    import_csv(tmp_path, courthouse, f"Case,Date,Time\nT-1,{day.isoformat()},\n")
    row = hearing("T-1")
    save_accompaniment_request(None, row, person_label="A.", language="Spanish")
    db.session.commit()
    assert row.needs_accompaniment and shift_for_hearing(row) is None
    page = coordinator_client.get(f"/hearings/{row.id}").get_data(as_text=True)
    assert "time unknown" in page
    bad = coordinator_client.post(f"/hearings/{row.id}/time", data={"time": "noon-ish"})
    assert bad.status_code == 422 and "Enter a time" in bad.get_data(as_text=True)
    coordinator_client.post(f"/hearings/{row.id}/time", data={"time": "09:30"})
    row = hearing("T-1")
    shift = shift_for_hearing(row)
    assert shift is not None
    assert courthouse.local(row.starts_at).strftime("%H:%M") == "09:30"
    assert courthouse.local(shift.starts_at).strftime("%Y-%m-%d %H:%M") == f"{day.isoformat()} 08:45"
    # Finding 8: the language asked on the request is the shift's language ("Needs my language").
    assert shift.language == "es"
    # The docket, imported again still without a time, does not undo the coordinator's time.
    summary = import_csv(tmp_path, courthouse, f"Case,Date,Time\nT-1,{day.isoformat()},\n")
    assert summary.changed == 0 and summary.unchanged == 1
    assert courthouse.local(hearing("T-1").starts_at).strftime("%H:%M") == "09:30"


def test_language_change_on_the_request_reaches_the_shift(app, tmp_path, make_courthouse):
    courthouse = make_courthouse()
    day = (datetime.now(courthouse.zone) + timedelta(days=7)).date()
    import_csv(tmp_path, courthouse, f"Case,Date,Time\nL-1,{day.isoformat()},10:00\n")
    row = hearing("L-1")
    save_accompaniment_request(None, row, person_label="B.")
    db.session.commit()
    assert shift_for_hearing(row).language is None
    save_accompaniment_request(None, row, person_label="B.", language="portugués")
    db.session.commit()
    assert shift_for_hearing(hearing("L-1")).language == "pt"


def test_past_hearings_are_history_only(app, tmp_path, make_courthouse):
    """Finding 6: a 2019 hearing became a claimable 2019 shift."""
    courthouse = make_courthouse()
    summary = import_csv(tmp_path, courthouse, "Case,Date,Time\nOLD-1,2019-04-19,9:00\n")
    assert summary.added == 1 and any("history only" in note for note in summary.notes)
    row = hearing("OLD-1")
    with pytest.raises(DomainError, match="history"):
        set_accompaniment_needed(None, row, True)
    db.session.rollback()
    assert db.session.scalars(select(Shift)).first() is None


def test_a_calendar_of_only_past_events_says_so(app, tmp_path, make_courthouse):
    """Finding 7: "No usable hearings" without saying why."""
    courthouse = make_courthouse()
    path = tmp_path / "old.ics"
    path.write_bytes(ics(*[vevent(f"o{n}", f":201903{n + 10:02d}T140000Z") for n in range(12)]))
    with pytest.raises(DomainError, match="All 12 events are before today"):
        services.import_file(str(path), kind="ics", courthouse=courthouse, source=None, mapping=None, apply=False)


def test_every_corpus_calendar_imports_or_is_refused_with_one_line(app, make_courthouse, corpora_dir, tmp_path):
    """Every .ics of the shared corpus, with today's window: imported, or one plain-language line."""
    courthouse = make_courthouse()
    folder = os.path.join(corpora_dir, "ics")
    for name in sorted(f for f in os.listdir(folder) if f.endswith(".ics")):
        path = os.path.join(folder, name)
        try:
            services.import_file(path, kind="ics", courthouse=courthouse, source=None, mapping=None, apply=False)
        except DomainError as error:
            message = error.message
            assert message and "\n" not in message.strip(), (name, message)
            for python_text in ("Traceback", "Error(", "object has no attribute", "NoneType", "index out of range"):
                assert python_text not in message, (name, message)
        db.session.rollback()
