"""Uploaded files waiting between preview and commit, kept on the server under random names.

The token lives in the uploader's session (never in a URL, where it would reach logs and Referer
headers); the file and what the coordinator chose (courthouse, source name, mapping) stay in
UPLOAD_DIR/pending, so a commit can never be fed a copy the client altered. Pending uploads
belong to the person who uploaded them and expire after a day.

A commit first claims the upload by renaming its metadata (atomic on one file system), so a
double-click or a retried request can never import twice: the second request waits for the
first one's result and shows it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from courtwatch.errors import DomainError, NotFound

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
MAX_AGE_SECONDS = 24 * 3600
COPY_CHUNK = 256 * 1024


@dataclass
class PendingUpload:
    token: str
    user_id: int | None
    filename: str
    kind: str
    courthouse_id: int | None
    source_name: str
    full: bool = True
    mapping: dict | None = None
    created: float = field(default_factory=time.time)

    @property
    def path(self) -> str:
        return str(pending_dir() / f"{self.token}.upload")

    def save(self) -> None:
        (pending_dir() / f"{self.token}.json").write_text(json.dumps(asdict(self)))


def pending_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "pending"
    path.mkdir(parents=True, exist_ok=True)
    return path


def too_large() -> DomainError:
    """The refusal names the limit and the setting that raises it."""
    limit = int(current_app.config["IMPORT_MAX_BYTES"])
    shown = f"{limit / (1024 * 1024):.0f} MB" if limit >= 1024 * 1024 else f"{limit} bytes"
    return DomainError(
        _(
            "This file is larger than the import limit of %(limit)s (setting "
            "COURTWATCH_IMPORT_MAX_BYTES); split it or ask an admin to raise the limit.",
            limit=shown,
        ),
        field="file",
    )


def save_stream(stream, destination: str, max_bytes: int) -> int:
    """Copy at most max_bytes; stop and refuse as soon as the file proves larger."""
    written = 0
    with open(destination, "wb") as out:
        while True:
            chunk = stream.read(COPY_CHUNK)
            if not chunk:
                break
            written += len(chunk)
            if written > max_bytes:
                out.close()
                os.unlink(destination)
                raise too_large()
            out.write(chunk)
    return written


def create_pending(
    stream, *, user_id, filename: str, courthouse_id, source_name: str, full: bool, kind_of
) -> PendingUpload:
    """kind_of(filename, head_bytes) -> kind or None; the file is refused when it is None."""
    purge_expired()
    token = secrets.token_urlsafe(32)
    pending = PendingUpload(
        token=token,
        user_id=user_id,
        filename=os.path.basename(filename or "")[:200],
        kind="",
        courthouse_id=courthouse_id,
        source_name=source_name,
    )
    pending.full = full
    size = save_stream(stream, pending.path, current_app.config["IMPORT_MAX_BYTES"])
    if size == 0:
        os.unlink(pending.path)
        raise DomainError(_("This file is empty."), field="file")
    with open(pending.path, "rb") as handle:
        head = handle.read(4096)
    try:
        kind = kind_of(pending.filename, head)
    except DomainError:  # a refusal with its own message (a courthouse list, say)
        os.unlink(pending.path)
        raise
    if kind is None:
        os.unlink(pending.path)
        raise DomainError(_("Upload an iCalendar (.ics), CSV or Excel (.xlsx) file."), field="file")
    pending.kind = kind
    pending.save()
    return pending


def load_pending(token: str, user_id) -> PendingUpload:
    if not TOKEN_PATTERN.match(token or ""):
        raise NotFound(_("This upload is no longer waiting; upload the file again."))
    meta = pending_dir() / f"{token}.json"
    try:
        pending = PendingUpload(**json.loads(meta.read_text()))
    except (OSError, ValueError, TypeError):
        raise NotFound(_("This upload is no longer waiting; upload the file again.")) from None
    if pending.user_id != user_id or not os.path.exists(pending.path):
        raise NotFound(_("This upload is no longer waiting; upload the file again."))
    return pending


def claim_pending(pending: PendingUpload) -> bool:
    """True for the one request that may commit this upload; False when another already claimed it."""
    try:
        os.rename(pending_dir() / f"{pending.token}.json", pending_dir() / f"{pending.token}.claimed")
    except FileNotFoundError:
        return False
    return True


def release_claim(pending: PendingUpload) -> None:
    """The commit did not happen (a refused file, a plan to confirm): the upload waits again."""
    try:
        os.rename(pending_dir() / f"{pending.token}.claimed", pending_dir() / f"{pending.token}.json")
    except FileNotFoundError:
        pass


def save_result(token: str, user_id, counts: dict) -> None:
    (pending_dir() / f"{token}.result").write_text(json.dumps({"user_id": user_id, "counts": counts}))


def load_result(token: str, user_id, wait_seconds: float = 0.0) -> dict | None:
    """The counts of a committed upload (waiting up to wait_seconds for a commit under way)."""
    if not TOKEN_PATTERN.match(token or ""):
        return None
    path = pending_dir() / f"{token}.result"
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            stored = json.loads(path.read_text())
        except (OSError, ValueError):
            stored = None
        if stored is not None:
            return stored["counts"] if stored.get("user_id") == user_id else None
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.2)


def discard_pending(pending: PendingUpload) -> None:
    for suffix in (".upload", ".json", ".claimed"):
        try:
            os.unlink(pending_dir() / f"{pending.token}{suffix}")
        except FileNotFoundError:
            pass


def purge_expired() -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in pending_dir().iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            continue
