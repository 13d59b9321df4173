"""How rapid response shows up elsewhere: an alert from a stored report, a courthouse button, a
start-page card. ``courtwatch.areas`` connects these receivers."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape


def alert_from_stored_report(_app, *, observation) -> bool:
    """True when an alert covers the report (raised now or before): coordinators heard of it."""
    from courtwatch.rapid.alerts import alert_covers, alert_from_report

    return alert_from_report(observation) is not None or alert_covers(observation)


def courthouse_agents_here_action(_app, *, courthouse) -> list[tuple[str, str]]:
    if not courthouse.active:
        return []
    return [(url_for("rapid.agents_here", courthouse_id=courthouse.id), _("Agents here now"))]


def on_call_card(_app) -> Markup | None:
    if not current_user.is_authenticated or not current_user.is_approved:
        return None
    link = url_for("rapid.my_on_call")
    return Markup('<section class="card"><a class="button" href="{}">{}</a></section>').format(
        link, escape(_("My on-call times"))
    )
