"""Password-reset links and time-based one-time passwords (second factor for staff).

A reset token is signed, expires, and carries a fingerprint of the current password hash, so it
stops working the moment the password changes: a link can be used once. The link's first GET
moves the token into the session and redirects to a URL without it (see auth.views), so it
never sits in a proxy's access log or a Referer past that first request.
"""

from __future__ import annotations

import hashlib
import io
import time

import pyotp
from flask import current_app, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from courtwatch.auth.models import User
from courtwatch.auth.services import find_user_by_email, get_user, normalise_email, set_password
from courtwatch.errors import DomainError
from courtwatch.notify.messages import render_email
from courtwatch.notify.services import queue_email

RESET_SALT = "courtwatch.password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    return _serializer().dumps({"user": user.id, "fp": _fingerprint(user)})


def request_password_reset(email: str) -> None:
    """Queue one message to the address either way, so the answer and the work done (and so the
    time taken) are the same for a known and an unknown address (no enumeration): a reset link
    to an open account, a note that no account uses the address otherwise."""
    user = find_user_by_email(email)
    address = normalise_email(email)
    if user is None or not user.is_active:
        queue_email(address, _("Reset your Courtwatch password"), render_template("auth/email/reset_unknown.txt"))
        return
    minutes = int(current_app.config["PASSWORD_RESET_MAX_AGE"]) // 60
    subject, body = render_email(
        "password_reset", user.locale or str(get_locale() or "en"), token=make_reset_token(user), minutes=minutes
    )
    queue_email(user.email, subject, body)


def user_for_reset_token(token: str) -> User:
    try:
        data = _serializer().loads(token, max_age=int(current_app.config["PASSWORD_RESET_MAX_AGE"]))
    except SignatureExpired as error:
        raise DomainError(_("This link has expired. Ask for a new one.")) from error
    except BadSignature as error:
        raise DomainError(_("This link is not valid. Ask for a new one.")) from error
    try:
        user = get_user(int(data["user"]))
    except (DomainError, KeyError, TypeError, ValueError) as error:
        raise DomainError(_("This link is not valid. Ask for a new one.")) from error
    if data.get("fp") != _fingerprint(user) or not user.is_active:
        raise DomainError(_("This link has already been used. Ask for a new one."))
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    set_password(user, new_password)
    return user


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_svg(secret: str, email: str) -> str:
    """A QR code as inline SVG, drawn here: nothing is loaded from another host."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name="Courtwatch")
    buffer = io.BytesIO()
    import segno  # the QR code's library, loaded by the first code drawn

    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()


def verify_totp(user: User, code: str, secret: str | None = None) -> bool:
    """Accept a code once (no replay) within one 30-second step of clock drift."""
    secret = secret or user.totp_secret
    code = (code or "").replace(" ", "")
    if not secret or not code.isdigit():
        return False
    totp = pyotp.TOTP(secret)
    now_step = int(time.time()) // 30
    for step in (now_step, now_step - 1, now_step + 1):
        if totp.at(step * 30) == code:
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False
            user.totp_last_step = step
            return True
    return False
