"""The logged-in user of a request: the signed cookie's token checked against its session record.

Flask-Login keeps "user id:session version" in the cookie; we add the token of a server-side
session record (see ``session_records``). A cookie copied before logout, a password change or a
suspension names a record that no longer exists, so it opens nothing.
"""

from __future__ import annotations

from flask import request, session
from flask_login import login_user, logout_user

from courtwatch.auth import session_records
from courtwatch.auth.models import User

SESSION_TOKEN_KEY = "session_token"
# What a login keeps from the anonymous session before it; everything else is dropped (no session
# fixation): where to go next, the chosen language, and a second-factor set-up link being followed.
CARRIED_OVER_LOGIN = ("next", "locale", "enrolment_grant_id")


def restart_session(**values) -> None:
    carried = {key: session[key] for key in CARRIED_OVER_LOGIN if key in session}
    session.clear()
    session.update(carried)
    session.update(values)


def load_user(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    record = session_records.live_session(session.get(SESSION_TOKEN_KEY))
    if record is None or record.user_id != int(user_id):
        return None
    user = record.user
    if user.session_version != int(version) or not user.is_active:
        return None
    return user


def begin_session(user: User, **values) -> None:
    """Log ``user`` in on a fresh cookie, with a new server-side session record."""
    restart_session(**values)
    session.permanent = True
    session[SESSION_TOKEN_KEY] = session_records.start_session(user, request.headers.get("User-Agent", ""))
    login_user(user)


def end_current_session() -> None:
    session_records.end_session(session.get(SESSION_TOKEN_KEY))
    logout_user()
    session.clear()


def current_session_token() -> str | None:
    return session.get(SESSION_TOKEN_KEY)
