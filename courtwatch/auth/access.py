"""Who may open which page: login required unless a view says otherwise.

Every endpoint is closed by default. A view opts *out* with ``@public`` (anyone) or
``@pending_allowed`` (logged in, approval not needed), and narrows with ``@role_required``.
``enforce_access`` runs before every request, so a new view someone forgets to decorate is
reachable only by approved users, never by strangers.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from courtwatch.auth.models import Role

PUBLIC = "public"
PENDING_ALLOWED = "pending"
# Endpoints outside our blueprints that must stay reachable.
PUBLIC_ENDPOINTS = {"static"}


def public(view):
    view.access_level = PUBLIC
    return view


def pending_allowed(view):
    view.access_level = PENDING_ALLOWED
    return view


def role_required(*roles: str):
    """Allow only these roles (an admin passes every role check)."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapper.required_roles = roles
        return wrapper

    return decorate


coordinator_required = role_required(Role.COORDINATOR)
admin_required = role_required(Role.ADMIN)


def _access_level(endpoint: str | None) -> str | None:
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS:
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_level", None)


def needs_second_factor(user) -> bool:
    if not (current_app.config["STAFF_TWO_FACTOR"] and user.is_staff) or user.totp_secret:
        return False
    from courtwatch.auth.second_factor import passkey_count

    return passkey_count(user) == 0


def enforce_access():
    """before_request hook: the default-closed policy described in the module docstring."""
    level = _access_level(request.endpoint)
    if level == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if level == PENDING_ALLOWED:
        return None
    if not current_user.is_approved:
        return redirect(url_for("account.show"))
    if needs_second_factor(current_user):
        # Staff see rosters and reports; they must enrol a second factor before anything else.
        return redirect(url_for("account.two_factor"))
    return None
