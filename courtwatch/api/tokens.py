"""Partner tokens: issued by an admin, shown once, stored as a hash, scoped, revocable, audit-logged.

A token is ``cwp_`` and 43 random URL-safe characters (256 bits), so a plain SHA-256 is enough to
store it (no password stretching needed for a secret nobody chose). Issue, revocation and the first
use each day are written to the audit trail; the token itself never is.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from courtwatch.db import db
from courtwatch.errors import DomainError, NotFound
from courtwatch.opendata.models import TOKEN_SCOPES, ApiToken
from courtwatch.privacy.services import record_event

TOKEN_PREFIX = "cwp_"
LABEL_MAX_LENGTH = 80


def _hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create_token(actor, *, label: str, scope: str) -> tuple[ApiToken, str]:
    """A new token; returns the row and the plaintext, which is never seen again."""
    label = (label or "").strip()
    if not label:
        raise DomainError(_("Name the partner this token is for."), field="label")
    if len(label) > LABEL_MAX_LENGTH:
        raise DomainError(_("Use at most %(n)d characters.", n=LABEL_MAX_LENGTH), field="label")
    if scope not in TOKEN_SCOPES:
        raise DomainError(
            _("Unknown scope: %(value)s (choose %(choices)s).", value=scope, choices=", ".join(TOKEN_SCOPES)),
            field="scope",
        )
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        label=label,
        scope=scope,
        token_hash=_hash(plaintext),
        prefix=plaintext[:10],
        created_by_id=getattr(actor, "id", None),
    )
    db.session.add(token)
    db.session.flush()
    record_event(actor, "api_token.created", token, label=label, scope=scope, prefix=token.prefix)
    return token, plaintext


def revoke_token(actor, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = datetime.now(UTC)
        record_event(actor, "api_token.revoked", token, label=token.label, prefix=token.prefix)
        db.session.flush()
    return token


def list_tokens() -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def bearer_token(header: str | None) -> str | None:
    if not header or not header.startswith("Bearer "):
        return None
    value = header[len("Bearer ") :].strip()
    return value if value.startswith(TOKEN_PREFIX) and len(value) < 200 else None


def authenticate(plaintext: str | None, scope: str) -> ApiToken | None:
    """The live token with this scope, or None; notes the first use of each day in the audit trail."""
    if not plaintext:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _hash(plaintext)))
    if token is None or token.revoked_at is not None or not hmac.compare_digest(token.scope, scope):
        return None
    now = datetime.now(UTC)
    if token.last_used_at is None or token.last_used_at.date() != now.date():
        record_event(None, "api_token.used", token, label=token.label, prefix=token.prefix)
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        # At most a write a minute: a partner paging through a year must not queue writes on one row.
        token.last_used_at = now
        db.session.flush()
    return token


def rate_key(plaintext: str | None) -> str:
    """What the partner rate limit counts by: the token (hashed), never the caller's address."""
    return "partner:" + (_hash(plaintext)[:16] if plaintext else "none")
