"""How the shifts area plugs into the others: hearing changes, closure days, suspensions, the start page,
courthouse pages and demo data. ``courtwatch.areas`` connects these receivers to the signals.
"""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from courtwatch.shifts import accompaniment, claims, closure_shifts, offers, services, staffing, today
from courtwatch.shifts.hearing_hooks import on_hearing_event


def on_hearing_changed(_app, *, hearing, event: str, change=None) -> None:
    on_hearing_event(hearing, event, change)


def closure_conflicts(_app, *, closed, now) -> list:
    return closure_shifts.closure_conflicts(closed, now)


def cancel_for_closure(_app, *, closed, actor, now) -> int:
    return closure_shifts.cancel_for_closure(actor, closed, now)


def offer_to_previous_volunteers(_app, *, previous, hearing) -> None:
    offers.offer_to_previous_volunteers(previous, hearing)


def hearing_staffing(_app, *, hearing_ids) -> dict:
    return offers.staffing_by_hearing(hearing_ids)


def release_on_suspension(_app, *, user) -> None:
    claims.release_future_claims(user)


def next_shift_card(_app) -> Markup | None:
    if not current_user.is_authenticated or not current_user.is_approved:
        return None
    # The shift on now or later today gets the "Today" card (check-in, report); otherwise the
    # next one is named.
    on_today = today.todays_signup(current_user)
    signup = None if on_today else services.next_claimed_signup(current_user)
    gaps = staffing.count_understaffed(7) if current_user.is_staff else None
    paused = len(accompaniment.paused_volunteers()) if current_user.is_staff else 0
    asked_first = offers.my_open_offers(current_user)
    return Markup(
        render_template(
            "shifts/_home_card.html",
            today=on_today,
            signup=signup,
            gaps=gaps,
            paused=paused,
            asked_first=asked_first,
        )
    )


def courthouse_shift_actions(_app, *, courthouse) -> list[tuple[str, str]]:
    return [(url_for("shifts.index", courthouse=courthouse.id), _("Shifts here"))]


def load_demo_data(_app, *, context: dict) -> None:
    from courtwatch.shifts.demo import load_demo_shifts

    load_demo_shifts(context)
