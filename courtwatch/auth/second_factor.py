"""Who may enrol, replace or remove a second factor, and the recovery codes that back it up.

Knowing a password is not enough to enrol: whoever first logged in with a not-yet-enrolled
coordinator's password could otherwise bind their own authenticator and lock the owner out. So
enrolment needs (1) a one-time enrolment grant, reached by a link sent to the account's email or
issued by an admin, valid ``TWO_FACTOR_ENROLMENT_MAX_AGE`` seconds, and (2) the password typed
again. Replacing or removing a factor needs the password and a current code.

Recovery codes: ten, shown once, each good for one login. A code is 15 symbols from a 30-symbol
alphabet drawn by ``secrets`` (73 bits), stored as a salted, iterated PBKDF2-SHA256 hash: far
beyond offline guessing at that entropy, and cheap enough that making ten takes milliseconds
(scrypt at password cost would make enrolment wait seconds). Its first group is kept plain as a
lookup key, so a login checks one hash, not ten.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, render_template
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from courtwatch.auth import secrets as auth_secrets
from courtwatch.auth.models import User
from courtwatch.auth.security_models import EnrolmentGrant, Passkey, RecoveryCode
from courtwatch.auth.security_notices import notify_sign_in_change
from courtwatch.auth.services import PASSWORD_MAX_LENGTH
from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError
from courtwatch.notify.services import queue_email
from courtwatch.privacy.services import record_event

RECOVERY_CODE_COUNT = 10
# Crockford-like: no 0/O, 1/I/L confusion when copied from paper.
RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
RECOVERY_GROUPS = 3
RECOVERY_GROUP_LENGTH = 5
RECOVERY_HASH_METHOD = "pbkdf2:sha256:20000"


def has_second_factor(user: User) -> bool:
    return bool(user.totp_secret) or passkey_count(user) > 0


def passkey_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Passkey).where(Passkey.user_id == user.id)) or 0


def check_password_again(user: User, password: str, field: str = "password") -> None:
    if not password or len(password) > PASSWORD_MAX_LENGTH or not check_password_hash(user.password_hash, password):
        raise DomainError(_("Your password is not right."), field=field)


# ---------------------------------------------------------------- enrolment grants
def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_enrolment_grant(user: User, issued_by: User | None = None) -> str:
    """A fresh one-time token (earlier unused grants of this account stop working)."""
    now = utcnow()
    db.session.execute(
        delete(EnrolmentGrant).where(EnrolmentGrant.user_id == user.id, EnrolmentGrant.used_at.is_(None))
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        EnrolmentGrant(
            user_id=user.id,
            token_hash=_digest(token),
            issued_by_id=getattr(issued_by, "id", None),
            created_at=now,
            expires_at=now + timedelta(seconds=int(current_app.config["TWO_FACTOR_ENROLMENT_MAX_AGE"])),
        )
    )
    db.session.flush()
    record_event(issued_by or user, "user.two_factor_link_issued", user)
    return token


def send_enrolment_link(user: User, link_for) -> None:
    """Email the account a link; ``link_for(token)`` builds its absolute URL."""
    token = issue_enrolment_grant(user)
    hours = int(current_app.config["TWO_FACTOR_ENROLMENT_MAX_AGE"]) // 3600
    queue_email(
        user.email,
        _("Set up your Courtwatch second factor"),
        render_template("auth/email/enrolment_link.txt", link=link_for(token), hours=hours),
    )


def grant_for_token(token: str | None) -> EnrolmentGrant:
    grant = db.session.scalar(select(EnrolmentGrant).where(EnrolmentGrant.token_hash == _digest(token or "")))
    if grant is None or grant.used_at is not None:
        raise DomainError(_("This set-up link is not valid or was used already. Ask for a new one."))
    if grant.expires_at < utcnow():
        raise DomainError(_("This set-up link has expired. Ask for a new one."))
    return grant


def usable_grant(user: User, grant_id: int | None) -> EnrolmentGrant | None:
    grant = db.session.get(EnrolmentGrant, grant_id) if grant_id else None
    if grant is None or grant.user_id != user.id or grant.used_at is not None or grant.expires_at < utcnow():
        return None
    return grant


def _use_grant(grant: EnrolmentGrant) -> None:
    grant.used_at = utcnow()


# ---------------------------------------------------------------- enrolment, removal
def enrol_totp(user: User, grant: EnrolmentGrant, secret: str, code: str) -> list[str] | None:
    """Bind the authenticator app; returns new recovery codes when the account had none."""
    if not auth_secrets.verify_totp(user, code, secret):
        raise DomainError(_("That code is not right. Check the time on your phone and try again."), field="code")
    user.totp_secret = secret
    _use_grant(grant)
    record_event(user, "user.two_factor_enrolled", user, factor="totp")
    notify_sign_in_change(user, "factor_added")
    return None if remaining_recovery_codes(user) else new_recovery_codes(user)


def verify_current_code(user: User, code: str) -> bool:
    """A code from the enrolled app, or an unused recovery code (used up by this check)."""
    code = (code or "").strip()
    if user.totp_secret and auth_secrets.verify_totp(user, code):
        return True
    return use_recovery_code(user, code)


def remove_second_factor(user: User, password: str, code: str) -> None:
    """Remove every factor (app and passkeys) and the recovery codes: replacing starts from here."""
    check_password_again(user, password)
    if not verify_current_code(user, code):
        raise DomainError(_("That code is not right. Use a code from your app or a recovery code."), field="code")
    user.totp_secret = None
    user.totp_last_step = None
    db.session.execute(delete(Passkey).where(Passkey.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record_event(user, "user.two_factor_removed", user)
    notify_sign_in_change(user, "factors_removed")


def replace_second_factor(user: User, password: str, code: str) -> EnrolmentGrant:
    """Remove the factors and grant an enrolment at once: proof of the old factor stands in for
    the emailed link."""
    remove_second_factor(user, password, code)
    token = issue_enrolment_grant(user)
    return db.session.scalar(select(EnrolmentGrant).where(EnrolmentGrant.token_hash == _digest(token)))


# ---------------------------------------------------------------- recovery codes
def _format_code(raw: str) -> str:
    return "-".join(raw[i : i + RECOVERY_GROUP_LENGTH] for i in range(0, len(raw), RECOVERY_GROUP_LENGTH))


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def new_recovery_codes(user: User) -> list[str]:
    """Replace the account's recovery codes with ten new ones; the caller shows them once."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    lookups: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUPS * RECOVERY_GROUP_LENGTH))
        lookup = raw[:RECOVERY_GROUP_LENGTH]
        if lookup in lookups:
            continue
        lookups.add(lookup)
        db.session.add(
            RecoveryCode(
                user_id=user.id, lookup=lookup, code_hash=generate_password_hash(raw, method=RECOVERY_HASH_METHOD)
            )
        )
        codes.append(_format_code(raw))
    db.session.flush()
    record_event(user, "user.recovery_codes_created", user)
    return codes


def remaining_recovery_codes(user: User) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


def use_recovery_code(user: User, code: str) -> bool:
    raw = _normalise_code(code)
    if len(raw) != RECOVERY_GROUPS * RECOVERY_GROUP_LENGTH:
        return False
    record = db.session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.lookup == raw[:RECOVERY_GROUP_LENGTH],
            RecoveryCode.used_at.is_(None),
        )
    )
    if record is None or not check_password_hash(record.code_hash, raw):
        return False
    record.used_at = utcnow()
    record_event(user, "user.recovery_code_used", user)
    return True
