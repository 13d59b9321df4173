"""How the shifts area plugs into the others: hearing changes, suspensions, the start page and
courthouse pages. Imported by the blueprint module, so registering the blueprint registers these.
"""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from courtwatch.auth import services as auth_services
from courtwatch.courts import hearing_services
from courtwatch.home import templating, views as home_views
from courtwatch.shifts import accompaniment, claims, services
from courtwatch.shifts.hearing_hooks import on_hearing_event


def next_shift_card() -> Markup | None:
    if not current_user.is_authenticated or not current_user.is_approved:
        return None
    signup = services.next_claimed_signup(current_user)
    gaps = services.count_understaffed(7) if current_user.is_staff else None
    paused = len(accompaniment.paused_volunteers()) if current_user.is_staff else 0
    return Markup(render_template("shifts/_home_card.html", signup=signup, gaps=gaps, paused=paused))


def courthouse_shift_actions(courthouse) -> list[tuple[str, str]]:
    return [(url_for("shifts.index", courthouse=courthouse.id), _("Shifts here"))]


def _release_on_suspension(user) -> None:
    claims.release_future_claims(user)


def _append_once(hooks: list, hook) -> None:
    if hook not in hooks:
        hooks.append(hook)


def register() -> None:
    _append_once(hearing_services.HEARING_HOOKS, on_hearing_event)
    _append_once(auth_services.SUSPENSION_HOOKS, _release_on_suspension)
    _append_once(home_views.HOME_CARDS, next_shift_card)
    _append_once(templating.COURTHOUSE_ACTIONS, courthouse_shift_actions)
    from courtwatch.demo.cli import DEMO_LOADERS
    from courtwatch.shifts.demo import load_demo_shifts

    _append_once(DEMO_LOADERS, load_demo_shifts)


register()
