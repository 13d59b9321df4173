"""Accompaniment shifts follow their hearings; weekly patterns; the `shifts` CLI."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from courtwatch.courts.hearing_models import Hearing, HearingChange
from courtwatch.courts.hearing_services import notify_hearing_hooks
from courtwatch.db import db, utcnow
from courtwatch.notify.models import OutboxMessage
from courtwatch.shifts import claims, patterns
from courtwatch.shifts.hearing_hooks import shift_for_hearing
from courtwatch.shifts.models import Shift


def _hearing(courthouse, hours_ahead=72):
    starts = utcnow().replace(microsecond=0, second=0) + timedelta(hours=hours_ahead)
    hearing = Hearing(
        courthouse=courthouse,
        courthouse_id=courthouse.id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        courtroom="Room 1",
        needs_accompaniment=True,
    )
    db.session.add(hearing)
    notify_hearing_hooks(hearing, "accompaniment_needed")
    db.session.commit()
    return hearing


def _messages(address):
    db.session.expire_all()
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_address == address).order_by(OutboxMessage.id)
    ).all()


def test_accompaniment_shift_created_before_the_hearing(app, make_courthouse):
    hearing = _hearing(make_courthouse())
    shift = shift_for_hearing(hearing)
    lead = timedelta(minutes=app.config["ACCOMPANIMENT_LEAD_MINUTES"])
    assert shift.kind == "accompaniment" and shift.starts_at == hearing.starts_at - lead
    assert shift.ends_at == hearing.ends_at and (shift.capacity, shift.minimum) == (2, 2)
    assert shift.meeting_point
    notify_hearing_hooks(hearing, "accompaniment_needed")  # twice: still one shift
    assert db.session.scalar(select(func.count()).select_from(Shift)) == 1


def test_moved_hearing_moves_the_same_shift_and_tells_volunteers(make_courthouse, make_user):
    hearing = _hearing(make_courthouse())
    shift = shift_for_hearing(hearing)
    volunteer = make_user(trainings=("Accompaniment training",))
    claims.claim_shift(volunteer, shift.id)
    db.session.commit()
    hearing.starts_at += timedelta(hours=2)
    hearing.ends_at += timedelta(hours=2)
    change = HearingChange(hearing_id=hearing.id, kind="moved")
    db.session.add(change)
    notify_hearing_hooks(hearing, "moved", change)
    db.session.commit()
    moved = shift_for_hearing(hearing)
    assert moved.id == shift.id and moved.sequence == 1
    assert moved.starts_at == shift.starts_at  # same object, refreshed
    [_, notice] = _messages(volunteer.email)
    assert notice.subject.startswith("Shift changed") and "moved" in notice.body_text
    assert shift.courthouse.name in notice.body_text and "Meeting point" in notice.body_text


def test_cancelled_hearing_cancels_shift_and_reinstated_reopens(make_courthouse, make_user):
    hearing = _hearing(make_courthouse())
    volunteer = make_user(trainings=("Accompaniment training",))
    claims.claim_shift(volunteer, shift_for_hearing(hearing).id)
    db.session.commit()
    hearing.status = "cancelled"
    notify_hearing_hooks(hearing, "cancelled", None)
    db.session.commit()
    shift = shift_for_hearing(hearing)
    assert shift.status == "cancelled" and shift.sequence == 1
    assert _messages(volunteer.email)[-1].subject.startswith("Shift cancelled")
    hearing.status = "scheduled"
    notify_hearing_hooks(hearing, "reinstated", None)
    db.session.commit()
    shift = shift_for_hearing(hearing)
    assert shift.status == "open" and shift.sequence == 2
    notify_hearing_hooks(hearing, "room_changed", None)
    db.session.commit()
    assert shift_for_hearing(hearing).sequence == 3
    assert _messages(volunteer.email)[-1].subject.startswith("Shift changed")


def test_accompaniment_not_needed_cancels(make_courthouse):
    hearing = _hearing(make_courthouse())
    hearing.needs_accompaniment = False
    notify_hearing_hooks(hearing, "accompaniment_not_needed")
    db.session.commit()
    assert shift_for_hearing(hearing).status == "cancelled"


def test_pattern_generation_is_idempotent_and_keeps_local_time(make_courthouse):
    courthouse = make_courthouse(timezone="America/Chicago")
    pattern = patterns.save_pattern(
        None,
        None,
        courthouse=courthouse,
        weekdays="135",
        start_time=time(8, 30),
        end_time=time(12, 30),
        capacity=3,
        minimum=2,
    )
    db.session.commit()
    created = patterns.generate_shifts(horizon_days=21)
    db.session.commit()
    assert 8 <= created <= 10
    assert patterns.generate_shifts(horizon_days=21) == 0
    shifts = db.session.scalars(select(Shift).where(Shift.pattern_id == pattern.id)).all()
    for shift in shifts:
        local = courthouse.local(shift.starts_at)
        assert local.strftime("%H:%M") == "08:30" and local.isoweekday() in (1, 3, 5)
        assert (shift.capacity, shift.minimum) == (3, 2)


def test_pattern_form_rejects_no_days(coordinator_client, make_courthouse):
    courthouse = make_courthouse()
    response = coordinator_client.post(
        "/coordinator/patterns/new",
        data={
            "courthouse_id": courthouse.id,
            "start_time": "08:30",
            "end_time": "12:00",
            "capacity": "2",
            "minimum": "1",
            "active": "y",
        },
    )
    assert response.status_code == 422 and "at least one day" in response.get_data(as_text=True)
    ok = coordinator_client.post(
        "/coordinator/patterns/new",
        data={
            "courthouse_id": courthouse.id,
            "weekdays": ["1", "2"],
            "start_time": "08:30",
            "end_time": "12:00",
            "capacity": "2",
            "minimum": "1",
            "active": "y",
        },
    )
    assert ok.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Shift)) > 0


def test_cli_create_prints_id_and_generate(runner, make_courthouse):
    courthouse = make_courthouse(slug="cli-court")
    day = (datetime.now(UTC) + timedelta(days=4)).date().isoformat()
    result = runner.invoke(
        args=[
            "shifts",
            "create",
            "--courthouse",
            "cli-court",
            "--kind",
            "accompaniment",
            "--start",
            f"{day} 09:00",
            "--end",
            f"{day} 11:00",
            "--capacity",
            "3",
        ]
    )
    assert result.exit_code == 0, result.output
    shift = db.session.get(Shift, int(result.output.strip()))
    assert courthouse.local(shift.starts_at).strftime("%H:%M") == "09:00" and shift.capacity == 3
    assert shift.minimum == 2
    result = runner.invoke(args=["shifts", "generate"])
    assert result.exit_code == 0 and "0 shifts created" in result.output


def test_cli_bad_input_is_one_line_exit_2(runner, make_courthouse):
    make_courthouse(slug="cli-court")
    bad_time = runner.invoke(
        args=["shifts", "create", "--courthouse", "cli-court", "--start", "tomorrow", "--end", "2030-01-01 10:00"]
    )
    assert bad_time.exit_code == 2 and "YYYY-MM-DD HH:MM" in bad_time.output
    no_court = runner.invoke(
        args=["shifts", "create", "--courthouse", "nowhere", "--start", "2030-01-01 09:00", "--end", "2030-01-01 10:00"]
    )
    assert no_court.exit_code == 2 and "nowhere" in no_court.output
    backwards = runner.invoke(
        args=[
            "shifts",
            "create",
            "--courthouse",
            "cli-court",
            "--start",
            "2030-01-01 09:00",
            "--end",
            "2030-01-01 08:00",
        ]
    )
    assert backwards.exit_code == 2 and "Traceback" not in backwards.output
