"""Retention: accompaniment requests are deleted once their hearing is well past.

``purge_after`` is set to the hearing's start + ACCOMPANIMENT_PURGE_DAYS when the request is saved
and moved along with the hearing. The hearing itself stays (it feeds the statistics); only the
details of the person asking to be accompanied go. The audit trail records how many rows went,
never what they said.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from courtwatch.courts.hearing_models import AccompanimentRequest
from courtwatch.db import db, utcnow
from courtwatch.privacy.services import record_event


def purge_accompaniment_requests(now: datetime | None = None, actor=None) -> int:
    now = now or utcnow()
    result = db.session.execute(delete(AccompanimentRequest).where(AccompanimentRequest.purge_after < now)
                                .execution_options(synchronize_session=False))
    count = result.rowcount or 0
    record_event(actor, "privacy.purged", object_type="accompaniment_request", accompaniment_requests=count)
    db.session.expire_all()
    return count
