"""Browsing hearings, marking them as needing accompaniment, and the accompaniment request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from courtwatch import signals
from courtwatch.courts.hearing_models import AccompanimentRequest, Hearing
from courtwatch.db import db
from courtwatch.privacy.models import AuditEvent


@pytest.fixture
def hearing(app, make_courthouse):
    courthouse = make_courthouse(timezone="America/New_York")
    row = Hearing(
        courthouse_id=courthouse.id,
        starts_at=datetime(2099, 6, 1, 13, 30, tzinfo=UTC),
        title="State v. Doe",
        courtroom="4B",
        case_number="CR-1",
    )
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def hook_log(app):
    log = []

    def record(_app, *, hearing, event, change):
        log.append((hearing.id, event))

    with signals.hearing_changed.connected_to(record, sender=app):
        yield log


def test_browse_by_courthouse_and_day_without_n_plus_one(coordinator_client, hearing):
    for hour in range(14, 20):
        db.session.add(
            Hearing(
                courthouse_id=hearing.courthouse_id,
                starts_at=datetime(2099, 6, 1, hour, tzinfo=UTC),
                title=f"Case {hour}",
                needs_accompaniment=True,
            )
        )
    db.session.commit()
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = coordinator_client.get(f"/hearings?courthouse={hearing.courthouse_id}&day=2099-06-01")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "State v. Doe" in html and "9:30" in html and "Case 19" in html
    assert len(statements) < 10
    empty = coordinator_client.get(f"/hearings?courthouse={hearing.courthouse_id}&day=2099-06-02")
    assert "State v. Doe" not in empty.get_data(as_text=True)


def test_mark_and_unmark_needing_accompaniment_calls_hooks(coordinator_client, hearing, hook_log):
    url = f"/hearings/{hearing.id}/accompaniment"
    assert coordinator_client.post(url, data={"needed": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Hearing, hearing.id).needs_accompaniment
    coordinator_client.post(url, data={"needed": "0"})
    db.session.expire_all()
    assert not db.session.get(Hearing, hearing.id).needs_accompaniment
    assert hook_log == [(hearing.id, "accompaniment_needed"), (hearing.id, "accompaniment_not_needed")]


def test_accompaniment_request_create_edit_delete(app, coordinator_client, hearing, hook_log):
    url = f"/hearings/{hearing.id}/request"
    bad = coordinator_client.post(url, data={"person_label": "", "language": "Spanish"})
    assert bad.status_code == 422 and 'value="Spanish"' in bad.get_data(as_text=True)
    response = coordinator_client.post(
        url,
        data={
            "person_label": "M.R.",
            "language": "Spanish",
            "interpreter_booked": "y",
            "meeting_notes": "Front steps",
            "private_notes": "Prefers text",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.scalars(select(AccompanimentRequest)).one()
    assert row.person_label == "M.R." and row.interpreter_booked
    assert row.purge_after == hearing.starts_at + timedelta(days=app.config["ACCOMPANIMENT_PURGE_DAYS"])
    assert db.session.get(Hearing, hearing.id).needs_accompaniment
    assert hook_log == [(hearing.id, "accompaniment_needed"), (hearing.id, "request_saved")]
    detail = coordinator_client.get(f"/hearings/{hearing.id}").get_data(as_text=True)
    assert "M.R." in detail and "Prefers text" in detail
    listing = coordinator_client.get(f"/hearings?courthouse={hearing.courthouse_id}&day=2099-06-01")
    assert "M.R." not in listing.get_data(as_text=True)  # never in lists
    coordinator_client.post(url, data={"person_label": "Maria", "language": "Spanish"})
    db.session.expire_all()
    assert db.session.scalars(select(AccompanimentRequest)).one().person_label == "Maria"
    # The audit trail records that it happened, never what it says.
    details = " ".join(e.detail or "" for e in db.session.scalars(select(AuditEvent)))
    assert "Maria" not in details and "M.R." not in details and "Prefers" not in details
    coordinator_client.post(f"/hearings/{hearing.id}/request/delete")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(AccompanimentRequest)) == 0
    assert db.session.get(Hearing, hearing.id) is not None


def test_volunteers_never_see_requests(volunteer_client, hearing):
    for url in (f"/hearings/{hearing.id}", f"/hearings/{hearing.id}/request"):
        assert volunteer_client.get(url).status_code == 403
    assert volunteer_client.post(f"/hearings/{hearing.id}/accompaniment", data={"needed": "1"}).status_code == 403


def test_hearings_page_opens_on_the_next_scheduled_hearing(coordinator_client, make_courthouse):
    """With no choice made, the page shows where and when the next hearing is, not an empty day."""
    make_courthouse(name="Aardvark Quiet Court")  # first alphabetically, no hearings
    busy = make_courthouse(name="Zeta Busy Court", timezone="America/Los_Angeles")
    soon = datetime.now(UTC) + timedelta(days=9)
    db.session.add(
        Hearing(
            courthouse_id=busy.id, starts_at=soon, title="Status conference", courtroom="Dept 12", case_number="NEXT-1"
        )
    )
    db.session.add(
        Hearing(
            courthouse_id=busy.id,
            starts_at=soon - timedelta(days=30),
            title="Long past",
            courtroom="Dept 1",
            case_number="PAST-1",
        )
    )
    db.session.commit()
    html = coordinator_client.get("/hearings").get_data(as_text=True)
    assert "NEXT-1" in html and "PAST-1" not in html
    assert busy.local(soon).date().isoformat() in html
