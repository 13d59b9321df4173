"""How reports show up elsewhere: a start-page card, a courthouse button, demo data.

Appended to the other areas' extension lists when the observations views are imported by
``create_app``; those areas never import this one.
"""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from courtwatch.auth.account_views import ACCOUNT_SECTIONS
from courtwatch.demo.cli import DEMO_LOADERS
from courtwatch.home.templating import COURTHOUSE_ACTIONS
from courtwatch.home.views import HOME_CARDS
from courtwatch.observations import services


def reports_card() -> Markup | None:
    """Staff: how many reports wait for verification. Volunteers: file one, see theirs."""
    if not current_user.is_authenticated or not current_user.is_approved:
        return None
    if current_user.is_staff:
        return Markup(render_template("observations/_staff_card.html", count=services.count_unverified()))
    return Markup(render_template("observations/_volunteer_card.html", count=services.count_mine(current_user)))


def my_reports_section() -> Markup | None:
    if not current_user.is_authenticated or not current_user.is_approved:
        return None
    return Markup(render_template("observations/_account_section.html",
                                  count=services.count_mine(current_user)))


def courthouse_report_action(courthouse) -> list[tuple[str, str]]:
    if not courthouse.active:
        return []
    return [(url_for("observations.new", courthouse=courthouse.id), _("Report from here"))]


def _register() -> None:
    from courtwatch.observations.demo import load_demo_observations

    for registry, item in ((HOME_CARDS, reports_card), (ACCOUNT_SECTIONS, my_reports_section),
                           (COURTHOUSE_ACTIONS, courthouse_report_action),
                           (DEMO_LOADERS, load_demo_observations)):
        if item not in registry:  # create_app may run many times in one process (tests)
            registry.append(item)


_register()
