"""Feed tokens: minting, finding, revoking. The token is a capability, so it is handled like a password.

The plaintext is returned once, from ``create_token``, and never stored: the database keeps its
SHA-256 hash (a fast hash is right here: the token has 256 bits of entropy, unlike a password,
so there is nothing to brute-force). Lookup goes through the unique hash index and then compares
in constant time. Logs and pages only ever show the first six characters.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from datetime import datetime, timedelta
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from courtwatch.auth import services as auth_services
from courtwatch.auth.models import AccountStatus, Role, User
from courtwatch.courts.models import Courthouse
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.feeds.models import FeedScope, FeedToken
from courtwatch.privacy.services import record_event

log = logging.getLogger(__name__)

TOKEN_BYTES = 32  # 256 bits from the OS's CSPRNG
PREFIX_LENGTH = 6
LABEL_MAX_LENGTH = 60
MAX_LIVE_TOKENS = 20  # per person: enough for every device, few enough to review on one page
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
# Writing last_fetched_at on every fetch would turn each hourly poll into a write; minutes are enough.
TOUCH_INTERVAL = timedelta(minutes=5)
STAFF_ROLES = (Role.COORDINATOR, Role.ADMIN)  # User.is_staff


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def feed_path(plaintext: str) -> str:
    return f"/feeds/{plaintext}.ics"


def feed_url(plaintext: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + feed_path(plaintext)


def webcal_url(plaintext: str) -> str:
    """The same URL with the webcal scheme: one tap on a phone opens "Subscribe to calendar"."""
    url = feed_url(plaintext)
    return "webcal://" + url.split("://", 1)[1]


def create_token(
    user: User,
    *,
    label: str = "",
    scope: str = FeedScope.VOLUNTEER,
    courthouse: Courthouse | None = None,
    actor: User | None = None,
) -> tuple[FeedToken, str]:
    """A new link for ``user``; returns the row and the plaintext token, which is never seen again."""
    label = (label or "").strip()
    if len(label) > LABEL_MAX_LENGTH:
        raise DomainError(_("Use at most %(n)d characters.", n=LABEL_MAX_LENGTH), field="label")
    if user.status != AccountStatus.ACTIVE:
        raise DomainError(_("Calendar links are for approved accounts."))
    if scope not in set(FeedScope):
        raise DomainError(_("Unknown kind of calendar."), field="courthouse")
    if scope != FeedScope.VOLUNTEER and not user.is_staff:
        raise DomainError(_("Only coordinators can subscribe to courthouse calendars."), field="courthouse")
    if scope == FeedScope.COURTHOUSE and courthouse is None:
        raise DomainError(_("Choose a courthouse."), field="courthouse")
    if count_live_tokens(user) >= MAX_LIVE_TOKENS:
        raise DomainError(
            _("You have %(n)d calendar links. Revoke one you no longer use first.", n=MAX_LIVE_TOKENS), field="label"
        )
    plaintext = secrets.token_urlsafe(TOKEN_BYTES)
    token = FeedToken(
        user_id=user.id,
        label=label or _("Calendar"),
        token_hash=hash_token(plaintext),
        prefix=plaintext[:PREFIX_LENGTH],
        scope=scope,
        courthouse_id=courthouse.id if scope == FeedScope.COURTHOUSE else None,
    )
    db.session.add(token)
    db.session.flush()
    record_event(actor or user, "feed.created", token, prefix=token.prefix, scope=scope, owner=user.id)
    return token, plaintext


@cache
def _poll_statement():
    """The columns a poll needs, token and owner in one row: built once, run past the ORM (a
    conditional GET that finds nothing new is mostly this lookup; the ORM's objects cost more
    than the query)."""
    return (
        select(
            FeedToken.id,
            FeedToken.user_id,
            FeedToken.scope,
            FeedToken.courthouse_id,
            FeedToken.prefix,
            FeedToken.token_hash,
            FeedToken.revoked_at,
            FeedToken.last_fetched_at,
            User.status.label("owner_status"),
            User.role.label("owner_role"),
            User.locale.label("owner_locale"),
        )
        .join(User, User.id == FeedToken.user_id)
        .where(FeedToken.token_hash == bindparam("digest"))
    )


def check_token(plaintext: str):
    """The live token's row (id, user_id, scope, courthouse_id, prefix, last_fetched_at,
    owner_locale...) if this plaintext may still read its feed, else None."""
    if not plaintext or not TOKEN_PATTERN.match(plaintext):
        return None
    digest = hash_token(plaintext)
    found = db.session.execute(_poll_statement(), {"digest": digest}).first()
    if found is None or not hmac.compare_digest(found.token_hash, digest):
        return None
    if found.revoked_at is not None:
        return None
    if found.owner_status != AccountStatus.ACTIVE:
        return None  # suspended (already revoked by the hook), rejected, or back to pending
    if found.scope != FeedScope.VOLUNTEER and found.owner_role not in STAFF_ROLES:
        return None  # a coordinator who became a volunteer loses the courthouse feeds
    return found


def find_token(plaintext: str) -> FeedToken | None:
    """The live token for this plaintext whose owner may still read the feed, else None."""
    found = check_token(plaintext)
    if found is None:
        return None
    # The owner comes in the same query (the feed speaks their language).
    return db.session.scalar(select(FeedToken).options(joinedload(FeedToken.user)).where(FeedToken.id == found.id))


def touch_token(token, now: datetime | None = None) -> None:
    """Note when a link was last polled, at most every TOUCH_INTERVAL (a write, so a commit)."""
    now = now or utcnow()
    if token.last_fetched_at is None or now - token.last_fetched_at >= TOUCH_INTERVAL:
        if isinstance(token, FeedToken):
            token.last_fetched_at = now
        else:
            db.session.execute(update(FeedToken).where(FeedToken.id == token.id).values(last_fetched_at=now))


def list_live_tokens(user: User) -> list[FeedToken]:
    return list(
        db.session.scalars(
            select(FeedToken)
            .where(FeedToken.user_id == user.id, FeedToken.revoked_at.is_(None))
            .order_by(FeedToken.created_at.desc(), FeedToken.id.desc())
        )
    )


def count_live_tokens(user: User) -> int:
    return len(list_live_tokens(user))


def get_own_token(user: User, token_id: int) -> FeedToken:
    """A live token of this user; someone else's id answers as if it did not exist."""
    token = db.session.get(FeedToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise NotFound(_("No such calendar link."))
    return token


def revoke_token(actor: User | None, token: FeedToken) -> None:
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    record_event(actor, "feed.revoked", token, prefix=token.prefix, owner=token.user_id)
    log.info("feed token %s… revoked", token.prefix)


def revoke_all(actor: User | None, user: User) -> int:
    """Every live link of ``user`` stops working at once ("reset all", suspension). Returns how many."""
    now = utcnow()
    result = db.session.execute(
        update(FeedToken)
        .where(FeedToken.user_id == user.id, FeedToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session="fetch")
    )
    count = result.rowcount or 0
    if count:
        record_event(actor, "feed.revoked_all", user, count=count)
        log.info("all %d feed tokens of user %s revoked", count, user.id)
    return count


def user_for_support(email: str) -> User:
    user = auth_services.find_user_by_email(email)
    if user is None:
        raise DomainError(_("No account with this email."))
    return user
