"""How reports show up elsewhere: a start-page card, an account section, a courthouse button,
demo data. ``courtwatch.areas`` connects these receivers; those areas never import this one.
"""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from courtwatch.observations import services


def reports_card(_app) -> Markup | None:
    """Staff: how many reports wait for verification. Volunteers: file one, see theirs."""
    if not current_user.is_authenticated or not current_user.is_approved:
        return None
    if current_user.is_staff:
        return Markup(render_template("observations/_staff_card.html", count=services.count_unverified()))
    return Markup(render_template("observations/_volunteer_card.html", count=services.count_mine(current_user)))


def my_reports_section(_app) -> Markup | None:
    if not current_user.is_authenticated or not current_user.is_approved:
        return None
    return Markup(render_template("observations/_account_section.html", count=services.count_mine(current_user)))


def courthouse_report_action(_app, *, courthouse) -> list[tuple[str, str]]:
    if not courthouse.active:
        return []
    return [(url_for("observations.new", courthouse=courthouse.id), _("Report from here"))]


def load_demo_data(_app, *, context: dict) -> None:
    from courtwatch.observations.demo import load_demo_observations

    load_demo_observations(context)
