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
    old = Hearing(courthouse_id=courthouse.id, starts_at=now - timedelta(days=31), title="Old")
    recent = Hearing(courthouse_id=courthouse.id, starts_at=now - timedelta(days=5), title="Recent")
    db.session.add_all([old, recent])
    db.session.flush()
    save_accompaniment_request(None, old, person_label="A.B.", private_notes="secret one")
    save_accompaniment_request(None, recent, person_label="C.D.")
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
    save_accompaniment_request(None, db.session.get(Hearing, recent.id), person_label="C.D.")
    db.session.commit()
    assert "purged 1" in runner.invoke(args=["privacy", "purge"]).output
