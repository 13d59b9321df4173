"""`flask demo load`: a campaign worth looking at, only ever in a fresh database."""

from __future__ import annotations

from sqlalchemy import func, select

from courtwatch.auth import services
from courtwatch.auth.models import AccountStatus, Role, User
from courtwatch.courts.models import Courthouse
from courtwatch.db import db


def test_demo_load_creates_people_and_courthouses(runner):
    result = runner.invoke(args=["demo", "load", "--password", "demo password 123"])
    assert result.exit_code == 0, result.output + (result.stderr or "")
    assert "admin@example.org" in result.output
    db.session.expire_all()
    users = {u.email: u for u in db.session.scalars(select(User))}
    assert users["admin@example.org"].role == Role.ADMIN
    assert users["coordinator@example.org"].role == Role.COORDINATOR
    for number in range(1, 9):
        volunteer = users[f"volunteer{number}@example.org"]
        assert volunteer.role == Role.VOLUNTEER and volunteer.status == AccountStatus.ACTIVE
    pending = [u for u in users.values() if u.status == AccountStatus.PENDING]
    assert len(pending) == 1
    assert all(u.is_demo for u in users.values())
    assert len({tuple(users[f"volunteer{n}@example.org"].language_codes) for n in range(1, 9)}) > 3
    assert any(users[f"volunteer{n}@example.org"].trainings for n in range(1, 9))
    assert services.authenticate("volunteer3@example.org", "demo password 123") is not None
    courthouses = list(db.session.scalars(select(Courthouse)))
    assert len(courthouses) >= 5
    assert all(c.zone for c in courthouses)  # every seed zone is a real IANA zone


def test_second_run_says_already_loaded(runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    before = db.session.scalar(select(func.count()).select_from(User))
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0
    assert "already loaded" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_refuses_a_database_with_real_accounts(runner, make_user):
    make_user(email="real.person@example.org")
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "real accounts" in lines[0]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert db.session.scalar(select(func.count()).select_from(Courthouse)) == 0
