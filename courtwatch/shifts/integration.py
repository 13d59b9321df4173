"""How the shifts area plugs into the others: hearing changes, suspensions, the start page,
courthouse pages and demo data. ``courtwatch.areas`` connects these receivers to the signals.
"""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from courtwatch.shifts import accompaniment, claims, services, today
from courtwatch.shifts.hearing_hooks import on_hearing_event


def on_hearing_changed(_app, *, hearing, event: str, change=None) -> None:
    on_hearing_event(hearing, event, change)


def release_on_suspension(_app, *, user) -> None:
    claims.release_future_claims(user)


def next_shift_card(_app) -> Markup | None:
    if not current_user.is_authenticated or not current_user.is_approved:
        return None
    # The shift on now or later today gets the "Today" card (check-in, report); otherwise the
    # next one is named.
    on_today = today.todays_signup(current_user)
    signup = None if on_today else services.next_claimed_signup(current_user)
    gaps = services.count_understaffed(7) if current_user.is_staff else None
    paused = len(accompaniment.paused_volunteers()) if current_user.is_staff else 0
    return Markup(render_template("shifts/_home_card.html", today=on_today, signup=signup, gaps=gaps, paused=paused))


def courthouse_shift_actions(_app, *, courthouse) -> list[tuple[str, str]]:
    return [(url_for("shifts.index", courthouse=courthouse.id), _("Shifts here"))]


def load_demo_data(_app, *, context: dict) -> None:
    from courtwatch.shifts.demo import load_demo_shifts

    load_demo_shifts(context)
