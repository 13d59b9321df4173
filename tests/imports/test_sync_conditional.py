"""An unchanged subscription costs next to nothing (issue 13, Speed): a 304 answer, or the same
bytes as the last complete import, reads and plans nothing; a changed body plans only the diff.
Against a real HTTP server on 127.0.0.1 that counts what it answered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from courtwatch.db import db
from courtwatch.imports import isolation, services
from courtwatch.imports.sync import subscribe, sync_source
from tests.imports.conftest import ics, vevent

SOON = (datetime.now(UTC) + timedelta(days=5)).strftime("%Y%m%d")


@pytest.fixture
def planning(monkeypatch):
    """How many times a file was read (limited process) and planned, counted around the real functions."""
    counts = {"read": 0, "planned": 0}
    real_read, real_plan = isolation.run_reader, services.run_import

    def read(job):
        counts["read"] += 1
        return real_read(job)

    def plan(*args, **kwargs):
        counts["planned"] += 1
        return real_plan(*args, **kwargs)

    monkeypatch.setattr(isolation, "run_reader", read)
    monkeypatch.setattr(services, "run_import", plan)
    return counts


def calendar(*starts: str) -> bytes:
    return ics(*(vevent(f"s{n}", f":{SOON}T{start}00Z") for n, start in enumerate(starts)))


def test_a_304_reads_and_plans_nothing(app, make_courthouse, calendar_server, planning):
    courthouse = make_courthouse()
    calendar_server.files["/court.ics"] = calendar("1400", "1500", "1600")
    source = subscribe(None, courthouse, "Court", calendar_server.url("/court.ics"))
    db.session.commit()
    first = sync_source(source)
    db.session.commit()
    assert first.added == 3 and source.etag and planning == {"read": 1, "planned": 1}
    assert sync_source(source) is None
    db.session.commit()
    assert source.last_status == "not_modified"
    assert [status for _path, status in calendar_server.requests] == [200, 304]
    assert planning == {"read": 1, "planned": 1}


def test_the_same_body_without_validators_is_not_read_again(app, make_courthouse, calendar_server, planning):
    """A server without ETag answers 200 every time: the body's hash says nothing changed."""
    calendar_server.etags = False
    courthouse = make_courthouse()
    calendar_server.files["/court.ics"] = calendar("1400", "1500")
    source = subscribe(None, courthouse, "Court", calendar_server.url("/court.ics"))
    db.session.commit()
    sync_source(source)
    db.session.commit()
    assert source.body_sha256 and source.etag is None
    assert sync_source(source) is None
    db.session.commit()
    assert source.last_status == "unchanged"
    assert [status for _path, status in calendar_server.requests] == [200, 200]
    assert planning == {"read": 1, "planned": 1}
    # A changed body is read and planned: only the moved hearing changes.
    calendar_server.files["/court.ics"] = calendar("1400", "1700")
    summary = sync_source(source)
    db.session.commit()
    assert (summary.added, summary.changed, summary.unchanged, summary.cancelled) == (0, 1, 1, 0)
    assert planning == {"read": 2, "planned": 2}
