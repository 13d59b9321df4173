"""Telling people when their sign-in details change (OWASP ASVS 5.0, authentication chapter).

A password set or reset, a second factor added, or the factors removed: an email goes to the
address on the account each time. If someone else did it (a stolen session, a phished password),
that email is how the owner finds out while there is still time to reset and tell a coordinator.
"""

from __future__ import annotations

from courtwatch.auth.models import User
from courtwatch.notify.messages import render_email
from courtwatch.notify.services import queue_email

CHANGES = ("password", "factor_added", "factors_removed")


def notify_sign_in_change(user: User, change: str) -> None:
    """Queue the "your sign-in details changed" email in the person's own language."""
    if change not in CHANGES:
        raise ValueError(f"unknown sign-in change {change!r}")
    subject, body = render_email("sign_in_changed", user.locale or "en", change=change)
    queue_email(user.email, subject, body)
