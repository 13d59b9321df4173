"""Password rules after NIST SP 800-63B: long enough, not common, not breached, not built from
the context, and no composition rules (no "one digit and one symbol").

Common and breached passwords are found offline with zxcvbn (the Python port of Dropbox's
estimator, ``zxcvbn`` on PyPI). It ships frequency lists drawn from leaked password corpora and
common words and names, spots the ways people dress them up (l33t, reversal, repeats,
sequences, keyboard walks, dates), and takes the context words we give it. A plain list would
accept ``Password2024!`` or ``aaaaaaaaaa1``; zxcvbn rates them as the few guesses they are. It
needs no network (an online breach API would send a hash prefix of every new password to
another host) and no data files of our own. A password must score 3 of 4 ("safely unguessable:
moderate protection from an offline slow-hash scenario", more than 10^8 guesses).
"""

from __future__ import annotations

import re

from flask import current_app, has_app_context
from flask_babel import gettext as _

from courtwatch.errors import DomainError

VOLUNTEER_MIN_LENGTH = 10
STAFF_MIN_LENGTH = 12
MAX_LENGTH = 256
MIN_SCORE = 3
# zxcvbn's cost grows with length; a password this long that is still weak is very rare and the
# first part alone tells us.
ESTIMATE_PREFIX = 64


def minimum_length(staff: bool) -> int:
    return STAFF_MIN_LENGTH if staff else VOLUNTEER_MIN_LENGTH


def context_words(email: str = "", name: str = "") -> list[str]:
    """Words an attacker who knows whose account this is would try first."""
    words = ["courtwatch", "court", "watch", "ice", "password"]
    if has_app_context():
        campaign = str(current_app.config.get("CAMPAIGN_NAME", "")).lower()
        words += [*re.split(r"\W+", campaign), re.sub(r"\W+", "", campaign)]
    email = (email or "").lower()
    if email:
        local, _, domain = email.partition("@")
        words += [email, local, re.sub(r"[\W_]+", "", local), *re.split(r"[\W_]+", local), *domain.split(".")]
    words += re.split(r"\W+", (name or "").lower())
    return sorted({word for word in words if len(word) >= 3})


def check_new_password(password: str, *, staff: bool, email: str = "", name: str = "") -> None:
    """Raise DomainError(field="password") with what to do instead."""
    length = minimum_length(staff)
    if len(password) < length:
        if staff:
            raise DomainError(
                _(
                    "Staff passwords need at least %(n)d characters. A few unrelated words "
                    "make a long password that is easy to remember.",
                    n=length,
                ),
                field="password",
            )
        raise DomainError(
            _(
                "Use at least %(n)d characters. A few unrelated words make a long password that is easy to remember.",
                n=length,
            ),
            field="password",
        )
    if len(password) > MAX_LENGTH:
        raise DomainError(_("Use at most %(n)d characters.", n=MAX_LENGTH), field="password")
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:ESTIMATE_PREFIX], user_inputs=context_words(email, name))
    if result["score"] < MIN_SCORE:
        raise DomainError(
            _(
                "This password is too easy to guess: it is common, has appeared in leaks, or is "
                "built from your name, your email or the campaign's name. Choose three or four "
                "unrelated words instead."
            ),
            field="password",
        )
