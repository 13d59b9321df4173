"""The audit trail, for admins."""

from flask import Blueprint, render_template, request

from courtwatch.auth.access import admin_required
from courtwatch.privacy.services import AUDIT_PAGE_SIZE, event_actions, list_events

bp = Blueprint("privacy", __name__, url_prefix="/admin")


@bp.route("/audit")
@admin_required
def audit():
    action = request.args.get("action") or None
    before_id = request.args.get("before", type=int)
    events = list_events(action=action, before_id=before_id, limit=AUDIT_PAGE_SIZE + 1)
    return render_template(
        "privacy/audit.html",
        events=events[:AUDIT_PAGE_SIZE],
        next_before=events[AUDIT_PAGE_SIZE - 1].id if len(events) > AUDIT_PAGE_SIZE else None,
        action=action,
        actions=event_actions(),
    )
