"""Calendar files are parsed in a separate, limited process, never in the web worker.

icalendar and openpyxl build the whole file in memory, and a recurring rule can ask for a great
deal of expansion: a hostile or merely huge file could otherwise hold a gunicorn worker past its
timeout (the worker is killed mid-request) or exhaust the machine's memory. Each import runs
``courtwatch.imports.parse_child`` with ``IMPORT_CPU_SECONDS`` of CPU time and
``IMPORT_MEMORY_MB`` of address space; the records come back as a spool file of compact frames,
read in batches, so the app's own memory does not grow with the file either.

Two ways in: ``parse_now`` waits for the reader (CLI, subscription sync, commit, held plans), and
``start_parse``/``parse_state`` run it in the background for the web preview, which polls, so no
request waits for a large file and no extra service is needed.

Nothing readable stays on disk: every spool is sealed (AES-GCM per frame), under a key of its
own for a read that is waited for, and for the background read's cache (``uploads/parsed``)
under a key derived from the upload's, as is the cache's copy of the file itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _

from courtwatch.errors import DomainError
from courtwatch.imports.parse_child import child_environment, reader_command, run_reader
from courtwatch.imports.record_frames import SpoolDamaged, spooled_records, write_sealed_copy
from courtwatch.imports.records import HearingRecord, ReadResult, RowProblem

MAX_AGE_SECONDS = 3600  # a host's parse cache (it may hold docket text) goes after an hour
# A background reader whose status has not moved for this long (beyond its CPU limit) has gone.
STALE_GRACE_SECONDS = 60


def parse_job(
    path: str,
    *,
    kind: str,
    courthouse,
    mapping: dict | None,
    window: tuple[datetime, datetime],
    courthouses: dict | None = None,
) -> dict:
    """Everything the reader needs, as plain JSON: it has no database and no app."""
    config = current_app.config
    return {
        "path": os.path.abspath(path),
        "kind": kind,
        "courthouse_id": courthouse.id if courthouse is not None else None,
        "zone": courthouse.timezone if courthouse is not None else "UTC",
        "mapping": mapping,
        "courthouses": courthouses or {},
        "window_start": window[0].isoformat(),
        "window_end": window[1].isoformat(),
        "max_instances": int(config["IMPORT_MAX_INSTANCES"]),
        "max_bytes": int(config["IMPORT_MAX_BYTES"]),
        "cpu_seconds": int(config["IMPORT_CPU_SECONDS"]),
        "memory_mb": int(config["IMPORT_MEMORY_MB"]),
        "locale": str(get_locale() or "en"),
    }


def failure_message(details: dict) -> DomainError:
    """The coordinator's message for a reader that did not finish."""
    reason = details.get("reason")
    if reason == "refused":
        return DomainError(details.get("message") or _("This file could not be read."), field=details.get("field"))
    if reason == "cpu":
        return DomainError(
            _(
                "This file took more than %(seconds)s s of processing; it was not imported. Split it "
                "into smaller files, or ask an admin to raise the limit (setting COURTWATCH_IMPORT_CPU_SECONDS).",
                seconds=current_app.config["IMPORT_CPU_SECONDS"],
            ),
            field="file",
        )
    if reason == "memory":
        return DomainError(
            _(
                "This file needs more than %(mb)s MB of memory to read; it was not imported. Split it "
                "into smaller files, or ask an admin to raise the limit (setting COURTWATCH_IMPORT_MEMORY_MB).",
                mb=current_app.config["IMPORT_MEMORY_MB"],
            ),
            field="file",
        )
    if reason == "stalled":
        return DomainError(_("Reading this file stopped before the end; upload it again."), field="file")
    return DomainError(_("This file could not be read; it was not imported."), field="file")


@contextmanager
def parse_now(job: dict, read_result: ReadResult, notes: list[str]) -> Iterator[Iterator[HearingRecord | RowProblem]]:
    """Read the file in a limited process and wait; yields the records (the spool is removed after)."""
    handle, spool = tempfile.mkstemp(prefix="courtwatch-records-", dir=spool_dir())
    os.close(handle)
    key = secrets.token_hex(32)  # this read's own: the spool is sealed while it exists
    try:
        state, details = run_reader({**job, "spool": spool, "seal_key": key})
        if state != "done":
            raise failure_message(details)
        yield checked_records(spool, read_result, notes, key)
    finally:
        for path in (spool, f"{spool}.part"):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass


def checked_records(
    spool: str, read_result: ReadResult, notes: list[str], key: str | None
) -> Iterator[HearingRecord | RowProblem]:
    try:
        yield from spooled_records(spool, read_result, notes, key)
    except (SpoolDamaged, OSError):
        raise DomainError(_("This file could not be read; it was not imported."), field="file") from None


# ---------------------------------------------------------------- background (web preview)
def spool_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "parsed"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_key(token: str) -> str:
    """The key sealing an upload's parse cache (its records and its input copy), derived from the
    upload's own key: only a request that knows the upload's token can read the cache, and
    nothing readable of the file stays on this host's disk."""
    from courtwatch.imports.pending import _file_key

    return hmac.new(_file_key(token), b"courtwatch parse cache", hashlib.sha256).hexdigest()


def job_fingerprint(job: dict) -> str:
    """What makes two reads of an upload the same (the window's day included, not its second)."""
    # Not the path: each request reads the stored upload into a scratch copy of its own name.
    same = {k: v for k, v in job.items() if k not in ("window_start", "window_end", "locale", "path", "seal_key")}
    same["window_day"] = job["window_start"][:10]
    return hashlib.sha256(json.dumps(same, sort_keys=True).encode()).hexdigest()[:24]


def _paths(token: str, fingerprint: str) -> tuple[str, str]:
    base = spool_dir() / f"{token}-{fingerprint}"
    return f"{base}.records", f"{base}.status"


def parse_state(token: str, job: dict) -> dict:
    """{"state": none | reading | done | failed, ...} of the background read of this upload."""
    spool, status = _paths(token, job_fingerprint(job))
    try:
        with open(status) as handle:
            current = json.load(handle)
        changed = os.stat(status).st_mtime
    except (OSError, ValueError):
        return {"state": "none"}
    if current.get("state") == "done" and not os.path.exists(spool):
        return {"state": "none"}
    if current.get("state") == "reading" and time.time() - changed > job["cpu_seconds"] * 3 + STALE_GRACE_SECONDS:
        return {"state": "failed", "reason": "stalled"}
    current["spool"] = spool
    current["key"] = cache_key(token)
    current["window"] = (current.get("window_start"), current.get("window_end"))
    return current


def start_parse(token: str, job: dict) -> None:
    """Start the background read of an upload unless one is under way or done."""
    purge_old_spools()
    spool, status = _paths(token, job_fingerprint(job))
    try:
        # Exclusive create: of two requests starting the same read, one starts it.
        with open(status, "x") as out:
            json.dump(
                {"state": "reading", "read": 0, "window_start": job["window_start"], "window_end": job["window_end"]},
                out,
            )
    except FileExistsError:
        return
    # The request's scratch copy goes when the request ends; the background read keeps its own.
    kept_input = spool.removesuffix(".records") + ".input"
    key = cache_key(token)
    write_sealed_copy(job["path"], kept_input, key)
    job = {**job, "path": kept_input, "input_sealed": True, "seal_key": key}
    process = subprocess.Popen(
        [*reader_command(), "--supervise"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=None,
        env=child_environment(),
        start_new_session=True,  # not in the worker's process group: a signal to the worker spares it
    )
    process.stdin.write(json.dumps({**job, "spool": spool, "status": status}).encode())
    process.stdin.close()
    # Reap the supervisor when it ends, so it never lingers as a zombie of the worker.
    threading.Thread(target=process.wait, daemon=True).start()


def background_records(state: dict, read_result: ReadResult, notes: list[str]) -> Iterator:
    return checked_records(state["spool"], read_result, notes, state["key"])


def forget_parses(token: str) -> None:
    """Remove the spools of an upload (committed or discarded)."""
    for path in spool_dir().glob(f"{token}-*"):
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def purge_old_spools() -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in spool_dir().iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            continue
