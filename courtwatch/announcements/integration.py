"""How announcements show up elsewhere: the recent ones on a volunteer's start page
(``courtwatch.areas`` connects the receiver)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from markupsafe import Markup


def recent_card(_app) -> Markup | None:
    if not current_user.is_authenticated or not current_user.is_approved:
        return None
    from courtwatch.announcements.services import recent_for

    announcements = recent_for(current_user)
    if not announcements:
        return None
    return Markup(render_template("announcements/_home_card.html", announcements=announcements))
