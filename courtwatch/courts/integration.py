"""What the courts area adds to other areas' pages (connected by ``courtwatch.areas``)."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from courtwatch.courts.case_services import count_waiting_continuances


def courthouse_staff_actions(_app, *, courthouse) -> list[tuple[str, str]]:
    if not (current_user.is_authenticated and current_user.is_staff):
        return []
    return [
        (url_for("hearings.index", courthouse=courthouse.id), _("Hearings")),
        (url_for("imports.index", courthouse=courthouse.id), _("Import a calendar")),
        (url_for("closures.index", scope=f"courthouse:{courthouse.id}"), _("Closure days")),
    ]


def next_hearings_card(_app) -> Markup | None:
    """Coordinators' start page: next hearings of accompanied people's cases, waiting for a decision."""
    if not (current_user.is_authenticated and current_user.is_staff):
        return None
    waiting = count_waiting_continuances()
    if not waiting:
        return None
    return Markup(render_template("cases/_home_card.html", waiting=waiting))
