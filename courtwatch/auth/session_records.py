"""Server-side session records: a login lives exactly as long as its row.

The browser's signed cookie holds a random token; the database holds its SHA-256 with who it
belongs to, when it started, when it was last seen and the browser family ("Firefox", "Chrome
Mobile") so the account page can list it. Deleting the row ends the session at once, whatever
the cookie says: logout, password change, suspension and "log out everywhere" all do that. No IP
address is kept.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import cache, lru_cache

from flask import current_app
from sqlalchemy import Select, bindparam, delete, select
from sqlalchemy.orm import joinedload

from courtwatch.auth.models import User
from courtwatch.auth.security_models import UserSession
from courtwatch.db import db, utcnow
from courtwatch.errors import NotFound

# last_seen_at is written at most this often, so a busy page does not write on every request.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@lru_cache(maxsize=512)
def browser_family(user_agent: str) -> str:
    """ "Chrome Mobile", "Firefox", "Safari"... from ua-parser's rules; the version and the rest of
    the string are dropped (they narrow down who someone is without helping them recognise a login)."""
    from ua_parser import parse_user_agent

    parsed = parse_user_agent(user_agent[:512]) if user_agent else None
    family = parsed.family if parsed else "Other"
    return family[:60]


def start_session(user: User, user_agent: str) -> str:
    """Record a new login and return the token for the cookie."""
    token = secrets.token_urlsafe(32)
    purge_expired_sessions()  # each login sweeps the ones past their absolute age: no cron needed
    db.session.add(
        UserSession(token_hash=token_digest(token), user_id=user.id, browser_family=browser_family(user_agent or ""))
    )
    db.session.flush()
    return token


def _expired(record: UserSession, now: datetime) -> bool:
    idle = timedelta(seconds=int(current_app.config["SESSION_IDLE_TIMEOUT"]))
    absolute = timedelta(seconds=int(current_app.config["SESSION_MAX_AGE"]))
    return now - record.last_seen_at > idle or now - record.created_at > absolute


def live_session(token: str | None) -> UserSession | None:
    """The session this token names, if it has not ended or expired; seeing it keeps it alive."""
    if not token or len(token) > 100:
        return None
    record = db.session.scalar(_live_session_statement(), {"token_hash": token_digest(token)})
    if record is None:
        return None
    now = utcnow()
    if _expired(record, now):
        db.session.delete(record)
        return None
    if now - record.last_seen_at > LAST_SEEN_RESOLUTION:
        record.last_seen_at = now
    return record


@cache  # built once: every signed-in request runs it, and building it cost more than running it
def _live_session_statement() -> Select:
    return (
        select(UserSession)
        .options(joinedload(UserSession.user))
        .where(UserSession.token_hash == bindparam("token_hash"))
    )


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == token_digest(token)))


def end_session_by_id(user: User, session_id: int) -> None:
    record = db.session.get(UserSession, session_id)
    if record is None or record.user_id != user.id:
        raise NotFound("No such session.")
    db.session.delete(record)
    db.session.flush()


def end_all_sessions(user: User) -> int:
    result = db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    return result.rowcount or 0


def list_sessions(user: User) -> list[UserSession]:
    """This account's sessions that have not expired, most recently seen first."""
    now = utcnow()
    records = db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.last_seen_at.desc())
    )
    return [record for record in records if not _expired(record, now)]


def purge_expired_sessions() -> int:
    """Delete every session past its absolute age (idle ones go when next seen or listed)."""
    cutoff = utcnow() - timedelta(seconds=int(current_app.config["SESSION_MAX_AGE"]))
    return db.session.execute(delete(UserSession).where(UserSession.created_at < cutoff)).rowcount or 0
