"""`flask privacy purge` deletes accompaniment requests N days after their hearing, keeps hearings."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from courtwatch.courts.hearing_models import AccompanimentRequest, Hearing
from courtwatch.courts.hearing_services import save_accompaniment_request
from courtwatch.db import db
from courtwatch.privacy.models import AuditEvent


def test_purge_removes_only_expired_requests(app, runner, make_courthouse):
    courthouse = make_courthouse()
    now = datetime.now(UTC)
    # Requests are made before their hearings (past hearings are history only), then time passes.
    old = Hearing(courthouse_id=courthouse.id, starts_at=now + timedelta(days=1), title="Old")
    recent = Hearing(courthouse_id=courthouse.id, starts_at=now + timedelta(days=1), title="Recent")
    db.session.add_all([old, recent])
    db.session.flush()
    save_accompaniment_request(None, old, person_label="A.B.", private_notes="secret one")
    save_accompaniment_request(None, recent, person_label="C.D.")
    for hearing, days_ago in ((old, 31), (recent, 5)):
        hearing.starts_at = now - timedelta(days=days_ago)
        hearing.accompaniment_request.purge_after = hearing.starts_at + timedelta(days=30)
    db.session.commit()
    result = runner.invoke(args=["privacy", "purge"])
    assert result.exit_code == 0 and "purged 1" in result.output
    db.session.expire_all()
    remaining = db.session.scalars(select(AccompanimentRequest)).all()
    assert [r.person_label for r in remaining] == ["C.D."]
    assert db.session.scalar(select(func.count()).select_from(Hearing)) == 2  # hearings stay
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.purged")).one()
    assert json.loads(event.detail) == {"accompaniment_requests": 1, "hearings": 1}
    app.config["ACCOMPANIMENT_PURGE_DAYS"] = 1
    recent = db.session.get(Hearing, recent.id)
    recent.accompaniment_request.purge_after = recent.starts_at + timedelta(days=1)
    db.session.commit()
    assert "purged 1" in runner.invoke(args=["privacy", "purge"]).output
