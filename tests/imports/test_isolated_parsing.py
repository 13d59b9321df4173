"""Calendar files are parsed in a separate, limited process (issue 13, finding 4).

A file that needs more CPU than IMPORT_CPU_SECONDS ends with a message naming the limit and its
setting, while the app goes on answering; a large calendar previews through gunicorn (default
30 s timeout) by a background read the page polls, without the worker being killed.
"""

from __future__ import annotations

import io
import pickle
import time
from datetime import UTC, datetime, timedelta

import pytest

from courtwatch.imports import isolation, services
from courtwatch.imports.record_frames import SpoolDamaged, read_frames, write_frame
from tests.imports.conftest import ics, vevent
from tests.support.servers import Gunicorn, form_token, logged_in_session, plain_session

TODAY = datetime.now(UTC).strftime("%Y%m%d")
SOON = (datetime.now(UTC) + timedelta(days=5)).strftime("%Y%m%d")


def runaway_calendar(series: int = 300) -> bytes:
    """Hundreds of every-minute series inside the window: each is capped at IMPORT_MAX_INSTANCES
    occurrences, but together they ask for far more work than a small CPU limit allows."""
    return ics(
        *(
            vevent(f"run-{n}", f":{TODAY}T000000Z", summary=f"Session {n}", extra="RRULE:FREQ=MINUTELY")
            for n in range(series)
        )
    )


def large_calendar(events: int) -> bytes:
    """About 245 bytes an event: 38,000 events is the 9.4 MB calendar of finding 4."""
    start = datetime.now(UTC) + timedelta(days=3)
    parts = []
    for n in range(events):
        day = (start + timedelta(days=n % 90)).strftime("%Y%m%d")
        parts.append(
            vevent(
                f"hearing-{n:07d}@court.example",
                f":{day}T{9 + n % 7:02d}0000Z",
                summary=f"State v. Person {n} arraignment hearing",
                end=f":{day}T{10 + n % 7:02d}0000Z",
                location=f"Courtroom {n % 40}B",
                extra=f"DESCRIPTION:Docket CR-{n:07d} before Judge {n % 60}\r\nDTSTAMP:20260101T000000Z",
            )
        )
    return ics(*parts)


def upload(client, data: bytes, filename: str, courthouse_id: int, headers=None):
    form = {"upload-file": (io.BytesIO(data), filename), "upload-courthouse": str(courthouse_id), "upload-full": "y"}
    return client.post("/calendars/upload", data=form, content_type="multipart/form-data", headers=headers or {})


def test_a_spool_never_makes_the_app_build_objects():
    """The frames from the reader hold plain values; one naming a class is refused, not loaded."""
    out = io.BytesIO()
    write_frame(out, "records", [(1, "line one")])
    out.write(len(pickle.dumps(("records", io.BytesIO()))).to_bytes(4, "big") + pickle.dumps(("records", io.BytesIO())))
    frames = read_frames(io.BytesIO(out.getvalue()))
    assert next(frames) == ("records", [(1, "line one")])
    with pytest.raises(SpoolDamaged):
        next(frames)


def test_over_the_cpu_limit_the_preview_says_so_and_the_app_keeps_serving(app, coordinator_client, make_courthouse):
    app.config["IMPORT_CPU_SECONDS"] = 1
    courthouse = make_courthouse()
    response = upload(coordinator_client, runaway_calendar(), "runaway.ics", courthouse.id)
    assert response.status_code == 302
    preview = coordinator_client.get(response.headers["Location"])
    html = preview.get_data(as_text=True)
    assert preview.status_code == 422
    assert "This file took more than 1 s of processing" in html and "COURTWATCH_IMPORT_CPU_SECONDS" in html
    assert coordinator_client.get("/calendars").status_code == 200


def test_cli_import_over_the_cpu_limit_is_one_line_and_status_2(app, runner, make_courthouse, tmp_path):
    """The CLI parses the same way (in the limited process), so a runaway file cannot hang cron."""
    app.config["IMPORT_CPU_SECONDS"] = 1
    make_courthouse(slug="cli-court")
    path = tmp_path / "runaway.ics"
    path.write_bytes(runaway_calendar())
    result = runner.invoke(args=["calendars", "import", str(path), "--courthouse", "cli-court"])
    assert result.exit_code == 2
    assert "took more than 1 s of processing" in result.output
    assert "Traceback" not in result.output


def test_the_upload_script_gets_the_next_page_and_the_preview_shows_progress_first(
    app, coordinator_client, make_courthouse
):
    """The page's script posts with X-Upload-Progress and is told where to go; a preview whose read
    is not done shows a progress page that refreshes itself, then the plan."""
    app.config["IMPORT_PREVIEW_WAIT_SECONDS"] = 0
    courthouse = make_courthouse()
    calendar = ics(vevent("a", f":{SOON}T140000Z"), vevent("b", f":{SOON}T160000Z"))
    response = upload(coordinator_client, calendar, "court.ics", courthouse.id, headers={"X-Upload-Progress": "1"})
    assert response.status_code == 200 and response.json == {"location": "/calendars/pending"}
    first = coordinator_client.get("/calendars/pending").get_data(as_text=True)
    assert "Reading the file" in first and 'http-equiv="refresh"' in first
    for _attempt in range(600):
        page = coordinator_client.get("/calendars/pending").get_data(as_text=True)
        if "Reading the file" not in page:
            break
        time.sleep(0.5)
    assert "2 to add" in page
    committed = coordinator_client.post("/calendars/pending/commit", follow_redirects=True)
    assert "2 added" in committed.get_data(as_text=True)


def test_the_plain_form_post_still_works_without_the_script(coordinator_client, make_courthouse):
    courthouse = make_courthouse()
    response = upload(coordinator_client, ics(vevent("a", f":{SOON}T140000Z")), "court.ics", courthouse.id)
    assert response.status_code == 302 and response.headers["Location"] == "/calendars/pending"
    assert "1 to add" in coordinator_client.get("/calendars/pending").get_data(as_text=True)


@pytest.fixture
def one_worker_gunicorn(test_config, tmp_path, monkeypatch):
    """gunicorn with one sync worker and its default 30 s timeout: a request held past it would
    get the worker killed ("WORKER TIMEOUT" in its log), and a busy worker could serve nothing else."""

    def start(**settings):
        # The preview compares sealed fields through their keyed digest: the server needs the key.
        monkeypatch.setenv("COURTWATCH_MASTER_KEY", test_config["MASTER_KEY"])
        for name, value in settings.items():
            monkeypatch.setenv(f"COURTWATCH_{name}", str(value))
        server = Gunicorn(test_config, tmp_path / "gunicorn-instance", workers=1)
        started.append(server)
        server.wait_ready()
        return server

    started: list[Gunicorn] = []
    yield start
    for server in started:
        if server.process.poll() is None:
            server.stop()


def _poll_preview(session, url: str, rounds: int = 900):
    """The preview page, once the background read is over (each look is a short request)."""
    for _attempt in range(rounds):
        response = session.get(f"{url}/calendars/pending", timeout=60)
        if "Reading the file" not in response.text:
            return response
        assert session.get(f"{url}/healthz", timeout=60).status_code == 200  # the worker serves others
        time.sleep(1)
    pytest.fail("the read did not end")


def test_a_large_calendar_previews_through_gunicorn_without_the_worker_killed(
    one_worker_gunicorn, make_courthouse, make_user, tmp_path
):
    from courtwatch.db import db

    courthouse = make_courthouse()
    coordinator = make_user(role="coordinator")
    db.session.commit()
    calendar = large_calendar(38_000)
    assert len(calendar) > 9 * 1024 * 1024
    server = one_worker_gunicorn(IMPORT_PREVIEW_WAIT_SECONDS=0)
    browser = logged_in_session(server.url, coordinator)
    token = form_token(browser, f"{server.url}/calendars")
    sent = browser.post(
        f"{server.url}/calendars/upload",
        data={"csrf_token": token, "upload-courthouse": str(courthouse.id), "upload-full": "y"},
        files={"upload-file": ("docket.ics", calendar, "text/calendar")},
        allow_redirects=False,
        timeout=120,
    )
    assert sent.status_code == 302, sent.text[:500]
    first = browser.get(f"{server.url}/calendars/pending", timeout=60)
    assert "Reading the file" in first.text
    preview = _poll_preview(browser, server.url)
    assert preview.status_code == 200 and "38000 to add" in preview.text
    log = server.stop()
    assert "WORKER TIMEOUT" not in log and log.count("Booting worker") == 1


def test_a_runaway_calendar_ends_with_the_message_while_gunicorn_serves(
    one_worker_gunicorn, make_courthouse, make_user
):
    from courtwatch.db import db

    courthouse = make_courthouse()
    coordinator = make_user(role="coordinator")
    db.session.commit()
    server = one_worker_gunicorn(IMPORT_PREVIEW_WAIT_SECONDS=0, IMPORT_CPU_SECONDS=2)
    browser = logged_in_session(server.url, coordinator)
    token = form_token(browser, f"{server.url}/calendars")
    sent = browser.post(
        f"{server.url}/calendars/upload",
        data={"csrf_token": token, "upload-courthouse": str(courthouse.id), "upload-full": "y"},
        files={"upload-file": ("runaway.ics", runaway_calendar(), "text/calendar")},
        allow_redirects=False,
        timeout=120,
    )
    assert sent.status_code == 302
    assert "Reading the file" in browser.get(f"{server.url}/calendars/pending", timeout=60).text
    assert plain_session().get(f"{server.url}/healthz", timeout=60).status_code == 200
    preview = _poll_preview(browser, server.url)
    assert preview.status_code == 422 and "This file took more than 2 s of processing" in preview.text
    log = server.stop()
    assert "WORKER TIMEOUT" not in log and log.count("Booting worker") == 1


def test_reads_are_not_repeated_for_the_commit(app, coordinator_client, make_courthouse, monkeypatch):
    """The commit uses the preview's finished read of the same upload."""
    courthouse = make_courthouse()
    reads = []
    real = isolation.start_parse
    monkeypatch.setattr(services, "start_parse", lambda *a, **k: (reads.append(a[0]), real(*a, **k)))
    now_reading = []
    monkeypatch.setattr(
        isolation, "run_reader", lambda job, _real=isolation.run_reader: (now_reading.append(1), _real(job))[1]
    )
    response = upload(coordinator_client, ics(vevent("a", f":{SOON}T140000Z")), "court.ics", courthouse.id)
    assert "1 to add" in coordinator_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 added" in coordinator_client.post("/calendars/pending/commit", follow_redirects=True).get_data(
        as_text=True
    )
    assert len(reads) == 1 and now_reading == []


def test_over_the_memory_limit_the_import_says_so(app, runner, make_courthouse, tmp_path):
    """One 30 MB property: the reader runs out of its address space, and the message names the
    setting (not a partial read blamed on the calendar)."""
    app.config["IMPORT_MEMORY_MB"] = 160
    make_courthouse(slug="cli-court")
    path = tmp_path / "fat.ics"
    path.write_bytes(ics(vevent("fat", f":{SOON}T140000Z", extra="DESCRIPTION:" + "x" * 30_000_000)))
    result = runner.invoke(args=["calendars", "import", str(path), "--courthouse", "cli-court", "--dry-run"])
    assert result.exit_code == 2
    assert "needs more than 160 MB of memory" in result.output and "COURTWATCH_IMPORT_MEMORY_MB" in result.output


def test_a_read_forgotten_while_its_supervisor_waits_leaves_nothing_on_the_host(app, make_courthouse, monkeypatch):
    """Committed on this host just as the reader finished (CI saw this on a loaded machine): the
    commit removed the read's files, then the waiting supervisor found no spool, took the read
    for a crash and wrote a "failed" status that stayed on the host until the hourly sweep."""
    from courtwatch.imports import parse_child
    from courtwatch.imports.record_frames import write_sealed_copy

    courthouse = make_courthouse()
    with app.test_request_context():
        folder = isolation.spool_dir()
        plain = folder.parent / "court.ics"
        plain.write_bytes(ics(vevent("a", f":{SOON}T140000Z")))
        window = (datetime.now(UTC), datetime.now(UTC) + timedelta(days=30))
        job = isolation.parse_job(str(plain), kind="ics", courthouse=courthouse, mapping=None, window=window)
        token = "forgotten-upload"
        spool, status = isolation._paths(token, isolation.job_fingerprint(job))
        kept_input = spool.removesuffix(".records") + ".input"
        key = isolation.cache_key(token)
        write_sealed_copy(str(plain), kept_input, key)
        plain.unlink()
        read_then_commit = parse_child.run_reader

        def reader_then_commit(job):
            ended = read_then_commit(job)
            isolation.forget_parses(token)  # the commit, between the reader's end and the check
            return ended

        monkeypatch.setattr(parse_child, "run_reader", reader_then_commit)
        parse_child.supervise(
            {**job, "path": kept_input, "input_sealed": True, "seal_key": key, "spool": spool, "status": status}
        )
        assert [p.name for p in folder.iterdir()] == []
