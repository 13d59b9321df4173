"""`flask users create`: the first admin and support accounts from the command line."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from courtwatch.auth import services
from courtwatch.auth.models import AccountStatus, User
from courtwatch.db import db


def _users() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(User))


def _stderr_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def test_create_user(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Boss@Example.org",
            "--role",
            "admin",
            "--password",
            "a strong admin password",
            "--name",
            "Boss",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "created admin boss@example.org" in result.stdout
    user = db.session.scalar(select(User))
    assert (user.role, user.status, user.name) == ("admin", AccountStatus.ACTIVE, "Boss")
    assert services.authenticate("boss@example.org", "a strong admin password") == user


def test_password_is_prompted_when_left_out(runner):
    result = runner.invoke(
        args=["users", "create", "--email", "c@example.org", "--role", "coordinator"],
        input="prompted password 1\nprompted password 1\n",
    )
    assert result.exit_code == 0, result.output
    assert "prompted password 1" not in result.output  # hidden input is not echoed
    assert services.authenticate("c@example.org", "prompted password 1") is not None


@pytest.mark.parametrize(
    "args",
    [
        ["--email", "not-an-email", "--password", "long enough pw"],
        ["--email", "someone@", "--password", "long enough pw"],
        ["--email", "two words@example.org", "--password", "long enough pw"],
        ["--email", "ok@example.org", "--role", "superuser", "--password", "long enough pw"],
        ["--email", "ok@example.org", "--password", "short"],
    ],
    ids=["no-at", "no-domain", "space", "bad-role", "short-password"],
)
def test_bad_input_is_one_line_and_exit_status_2(runner, args):
    result = runner.invoke(args=["users", "create", *args])
    assert result.exit_code == 2, result.output
    lines = _stderr_lines(result)
    assert len(lines) == 1 and lines[0].startswith("Error:"), result.stderr
    assert "Traceback" not in result.output
    assert _users() == 0


def test_duplicate_email_is_refused(runner, volunteer):
    result = runner.invoke(args=["users", "create", "--email", volunteer.email.upper(), "--password", "long enough pw"])
    assert result.exit_code == 2
    assert len(_stderr_lines(result)) == 1 and "already exists" in result.stderr
    assert _users() == 1
