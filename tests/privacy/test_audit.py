"""The audit trail: written by the changes that matter for safety, read by admins, never an IP."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from courtwatch.db import db
from courtwatch.privacy.models import AuditEvent
from courtwatch.privacy.services import record_event


def _actions() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_only_admins_read_the_audit_trail(client, volunteer_client, coordinator_client, admin_client):
    assert client.get("/admin/audit").headers["Location"].startswith("/login")
    assert volunteer_client.get("/admin/audit").status_code == 403
    assert coordinator_client.get("/admin/audit").status_code == 403
    assert admin_client.get("/admin/audit").status_code == 200


def test_approval_role_change_and_suspension_are_recorded_and_shown(
    admin_client, admin, coordinator_client, coordinator, make_user
):
    pending = make_user(status="pending", name="Pat Pending")
    assert coordinator_client.post(f"/coordinator/volunteers/{pending.id}/approve").status_code == 302
    assert coordinator_client.post(f"/coordinator/volunteers/{pending.id}/suspend").status_code == 302
    assert admin_client.post(f"/coordinator/volunteers/{pending.id}/reactivate").status_code == 302
    assert (
        admin_client.post(f"/coordinator/volunteers/{pending.id}/role", data={"role": "coordinator"}).status_code == 302
    )
    assert _actions() == ["user.approved", "user.suspended", "user.reactivated", "user.role_changed"]

    events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert [e.actor_id for e in events] == [coordinator.id, coordinator.id, admin.id, admin.id]
    assert all(e.object_type == "user" and e.object_id == pending.id for e in events)
    assert '"new": "coordinator"' in events[-1].detail and '"old": "volunteer"' in events[-1].detail

    page = admin_client.get("/admin/audit").get_data(as_text=True)
    for action in ("user.approved", "user.suspended", "user.role_changed"):
        assert action in page
    assert coordinator.email in page
    filtered = admin_client.get("/admin/audit?action=user.suspended").get_data(as_text=True)
    assert "user.suspended" in filtered and "<td>user.approved</td>" not in filtered


def test_refused_change_writes_no_event(coordinator_client, admin):
    """A coordinator's attempt to change a role fails and leaves no trace of a change."""
    assert (
        coordinator_client.post(f"/coordinator/volunteers/{admin.id}/role", data={"role": "volunteer"}).status_code
        == 403
    )
    assert coordinator_client.post(f"/coordinator/volunteers/{admin.id}/suspend").status_code == 302
    assert "user.role_changed" not in _actions() and "user.suspended" not in _actions()


def test_audit_trail_pages_newest_first(app, admin_client):
    for number in range(60):
        record_event(None, "test.event", object_type="thing", object_id=number)
    db.session.commit()
    first = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "thing 59" in first and "thing 9<" not in first
    older = re.search(r'href="(/admin/audit\?[^"]*before=\d+[^"]*)"', first).group(1).replace("&amp;", "&")
    second = admin_client.get(older).get_data(as_text=True)
    assert "thing 9<" in second and "thing 59" not in second


def test_audit_times_are_the_campaigns_local_time(app, admin_client):
    """An admin in Oregon reading "03:30" for a 7:30 pm change misreads the trail: times are the
    campaign's, with the zone named."""
    app.config["CAMPAIGN_TIMEZONE"] = "America/Los_Angeles"
    event = record_event(None, "test.event", object_type="thing", object_id=1)
    event.created_at = datetime(2026, 12, 2, 3, 30, tzinfo=UTC)
    db.session.commit()
    page = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "7:30" in page and "PST" in page
    assert "2026-12-02 03:30" not in page and "UTC" not in page


def test_no_column_anywhere_stores_an_ip_address(app):
    suspicious = re.compile(
        r"(^|_)(ip|ips|ip_address|ipaddr|remote_addr|remote_ip|client_ip|x_forwarded_for)($|_)", re.IGNORECASE
    )
    offenders = [
        f"{table.name}.{column.name}"
        for table in db.metadata.sorted_tables
        for column in table.columns
        if suspicious.search(column.name) or "remote" in column.name.lower()
    ]
    assert offenders == []
