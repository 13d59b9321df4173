"""The request lifecycle every page shares: one transaction, security headers, errors, language.

One transaction per request: views and services only ``flush()``; this module commits after a
successful response and rolls back otherwise (an error page or a form re-shown with errors,
which answers 422). A half-done change therefore never reaches the database.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from flask import Flask, Request, current_app, g, has_request_context, render_template, request, session
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from courtwatch.db import db, has_writes

log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

ERROR_TITLES = {
    400: "The request could not be understood.",
    403: "You do not have access to this page.",
    404: "This page does not exist.",
    405: "This action is not allowed here.",
    413: "The file is too large.",
    422: "Some of what you entered needs a second look.",
    429: "Too many attempts. Wait a few minutes and try again.",
    500: "Something went wrong on our side. Nothing you entered was saved.",
}


# Every id column is an SQL INTEGER (PostgreSQL: 4 bytes). A larger number names nothing.
LARGEST_ID = 2**31 - 1
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def bounded_int(raw) -> int:
    """``int`` for ids, pages and filters: a number no column can hold is not a number here.
    Raises ValueError, which ``MultiDict.get(..., type=bounded_int)`` turns into the default."""
    value = int(raw)
    if not -LARGEST_ID <= value <= LARGEST_ID:
        raise ValueError("out of range")
    return value


def min_of(value: int | None, ceiling: int) -> int:
    return ceiling if value is None else min(value, ceiling)


class BoundedIntegerConverter(IntegerConverter):
    """``<int:id>`` in every route: a 20-digit id is a 404 from routing, not a database error."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=LARGEST_ID, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=min_of(max, LARGEST_ID), signed=signed)


class BoundedArgs(ImmutableMultiDict):
    """Query and form values whose ``get(name, type=int)`` treats an out-of-range number like
    any other malformed one (the default), so no view can hand the database a number that
    overflows its column."""

    def get(self, key, default=None, type=None):  # noqa: A002 (werkzeug's own parameter name)
        return super().get(key, default, bounded_int if type is int else type)


class CourtwatchRequest(Request):
    parameter_storage_class = BoundedArgs


def safe_next(target: str | None, fallback: str) -> str:
    """Only same-site paths: an attacker's link must not send a fresh login to their page, and a
    line break must not reach a Location header."""
    if not target or CONTROL_CHARACTERS.search(target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    return target


def select_locale() -> str:
    choices = [code.strip() for code in current_app.config["LANGUAGES"].split(",")]
    if not has_request_context():
        # CLI commands and cron jobs translate service messages too; they have no browser.
        return choices[0]
    if current_user and current_user.is_authenticated and current_user.locale in choices:
        return current_user.locale
    if session.get("locale") in choices:
        return session["locale"]
    return request.accept_languages.best_match(choices) or choices[0]


def mark_for_rollback() -> None:
    """Make this request end in a rollback even though it answers with a page."""
    g.rollback = True


def _finish_transaction(response):
    session = db.session()  # the request's own Session behind the scoped proxy
    if response.status_code < 400 and not g.get("rollback"):
        if has_writes(session):
            session.commit()
            for hook in current_app.extensions.get("courtwatch_after_commit", []):
                hook()
        elif session.in_transaction():
            # Only reads happened: no COMMIT round trip. Ending a read-only transaction either way
            # costs the same; rolling back also leaves nothing half-seen for the next request.
            session.rollback()
    else:
        session.rollback()
    return response


# Built once: every response gets these unless the view set its own.
DEFAULT_SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
)
FRAME_DENIED = ("X-Frame-Options", "DENY")
NO_STORE = ("Cache-Control", "no-store")


def _security_headers(response):
    headers = response.headers
    own = {name.lower() for name, _ in headers.items()}
    headers.extend([header for header in DEFAULT_SECURITY_HEADERS if header[0].lower() not in own])
    if "x-frame-options" not in own and (
        "content-security-policy" not in own or "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    ):
        # Embeddable pages (open data) set their own frame-ancestors allow-list; everything else is DENY.
        headers.add(*FRAME_DENIED)
    if "cache-control" not in own and _signed_in():
        # Rosters and reports must not linger in a shared phone's cache.
        headers.add(*NO_STORE)
    return response


def _signed_in() -> bool:
    """Whether this response belongs to a signed-in person, without loading the user for it: the
    cookie naming an account is enough (a stale one only costs a no-store), and a user loaded by
    the view (``g._login_user``, Flask-Login's cache) counts too."""
    if "_user_id" in session:
        return True
    user = g.get("_login_user")
    return bool(user is not None and user.is_authenticated)


def _render_error(error: HTTPException):
    code = error.code or 500
    message = _(ERROR_TITLES.get(code, error.name))
    if code == 413:
        message = _("The file is too large.")
    return render_template("errors/error.html", code=code, message=message), code


def render_unexpected(error: Exception):
    db.session.rollback()
    log.exception("unhandled error on %s %s", request.method, request.path)
    return render_template("errors/error.html", code=500, message=_(ERROR_TITLES[500])), 500


def init_app(app: Flask) -> None:
    app.request_class = CourtwatchRequest
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.after_request(_finish_transaction)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _render_error)
    app.register_error_handler(Exception, render_unexpected)
    app.extensions.setdefault("courtwatch_after_commit", [])
