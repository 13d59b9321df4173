"""Uploaded files waiting between preview and commit, kept in the shared database under random tokens.

The token lives in the uploader's session (never in a URL, where it would reach logs and Referer
headers); the file and what the coordinator chose (courthouse, source name, mapping) are stored in
``pending_import`` and the blob store, so any app host can preview or commit it and a commit can
never be fed a copy the client altered. The row is keyed by a hash of the token and the file is
encrypted (AES-GCM, chunk by chunk) under a key derived from the token and SECRET_KEY: the
database, its WAL and its backups hold nothing readable without the uploader's session. Pending
uploads belong to the person who uploaded them and expire after a day.

The readers take a file path, so ``PendingUpload.path`` decrypts the stored file into a scratch
copy on this host, removed when the request or command ends (and swept after an hour should a
process die first). No other host ever needs it.

A commit first claims the upload in the database (a row lock on PostgreSQL, the write lock on
SQLite), so a double-click or a retried request, on any host, can never import twice: the second
request waits for the first one's result and shows it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app, g
from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from courtwatch.db import db, utcnow
from courtwatch.errors import DomainError, NotFound
from courtwatch.storage.blobs import CHUNK_SIZE, blob_store
from courtwatch.storage.models import PendingImport

TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
MAX_AGE_SECONDS = 24 * 3600
SCRATCH_MAX_AGE_SECONDS = 3600
# Plain bytes per stored chunk: AES-GCM adds a 16-byte tag, and the stored chunk must fit CHUNK_SIZE.
PLAIN_CHUNK = CHUNK_SIZE - 16


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _blob_key(token: str) -> str:
    return f"imports/{_token_hash(token)}"


def _file_key(token: str) -> bytes:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"courtwatch pending import\0" + token.encode(), hashlib.sha256).digest()


def _nonce(position: int) -> bytes:
    # One key per file, so the chunk's position is a nonce that never repeats under that key.
    return position.to_bytes(12, "big")


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
        """A local, decrypted copy of the stored file for the readers (made once per request)."""
        return str(_materialise(self.token))

    def save(self) -> None:
        """Keep the coordinator's choices (the mapping) for the next request, on whichever host."""
        db.session.execute(
            update(PendingImport)
            .where(PendingImport.token_hash == _token_hash(self.token))
            .values(mapping=json.dumps(self.mapping) if self.mapping is not None else None)
        )


def scratch_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "scratch"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _materialise(token: str) -> Path:
    made = g.setdefault("pending_scratch", {})
    if token in made and made[token].is_file():
        return made[token]
    store = blob_store()
    info = store.info(_blob_key(token))
    if info is None:
        raise _not_waiting()
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # loaded by uploads, not every start

    cipher = AESGCM(_file_key(token))
    target = scratch_dir() / f"{_token_hash(token)}.{secrets.token_hex(6)}.upload"
    try:
        with os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
            made[token] = target
            for position, chunk in enumerate(store.iter_chunks(info, in_session=True)):
                out.write(cipher.decrypt(_nonce(position), chunk, None))
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def remove_scratch_copies(_error=None) -> None:
    """The decrypted copies live as long as the request or command that made them (app teardown)."""
    for path in g.pop("pending_scratch", {}).values():
        path.unlink(missing_ok=True)


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


class _EncryptingReader:
    """Reads the upload once, refusing it as soon as it proves larger than the limit, and hands the
    store encrypted chunks; remembers the size and the first bytes (to tell the file's kind)."""

    def __init__(self, stream, token: str, max_bytes: int):
        self.stream, self.max_bytes = stream, max_bytes
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self.cipher = AESGCM(_file_key(token))
        self.size = 0
        self.head = b""

    def __iter__(self) -> Iterator[bytes]:
        position = 0
        while True:
            chunk = self.stream.read(PLAIN_CHUNK)
            if not chunk:
                return
            self.size += len(chunk)
            if self.size > self.max_bytes:
                raise too_large()
            if len(self.head) < 4096:
                self.head += chunk[: 4096 - len(self.head)]
            yield self.cipher.encrypt(_nonce(position), chunk, None)
            position += 1


def create_pending(
    stream, *, user_id, filename: str, courthouse_id, source_name: str, full: bool, kind_of
) -> PendingUpload:
    """kind_of(filename, head_bytes) -> kind or None; the file is refused when it is None.
    Everything is written in the caller's transaction: a refused file leaves nothing behind."""
    purge_expired()
    token = secrets.token_urlsafe(32)
    pending = PendingUpload(
        token=token,
        user_id=user_id,
        filename=os.path.basename(filename or "")[:200],
        kind="",
        courthouse_id=courthouse_id,
        source_name=source_name,
        full=full,
    )
    reader = _EncryptingReader(stream, token, int(current_app.config["IMPORT_MAX_BYTES"]))
    store = blob_store()
    store.write(_blob_key(token), reader, field="file")
    if reader.size == 0:
        store.delete(_blob_key(token))
        raise DomainError(_("This file is empty."), field="file")
    try:
        kind = kind_of(pending.filename, reader.head)
    except DomainError:  # a refusal with its own message (a courthouse list, say)
        store.delete(_blob_key(token))
        raise
    if kind is None:
        store.delete(_blob_key(token))
        raise DomainError(_("Upload an iCalendar (.ics), CSV or Excel (.xlsx) file."), field="file")
    pending.kind = kind
    db.session.add(
        PendingImport(
            token_hash=_token_hash(token),
            user_id=user_id,
            filename=pending.filename,
            kind=kind,
            courthouse_id=courthouse_id,
            source_name=source_name,
            full=full,
            size=reader.size,
        )
    )
    db.session.flush()
    return pending


def _not_waiting() -> NotFound:
    return NotFound(_("This upload is no longer waiting; upload the file again."))


def load_pending(token: str, user_id) -> PendingUpload:
    if not TOKEN_PATTERN.match(token or ""):
        raise _not_waiting()
    row = db.session.execute(select(PendingImport).where(PendingImport.token_hash == _token_hash(token))).scalar()
    if row is None or row.result is not None or row.user_id != user_id or row.created_at < _expiry_cutoff():
        raise _not_waiting()
    return PendingUpload(
        token=token,
        user_id=row.user_id,
        filename=row.filename,
        kind=row.kind,
        courthouse_id=row.courthouse_id,
        source_name=row.source_name,
        full=row.full,
        mapping=json.loads(row.mapping) if row.mapping else None,
        created=row.created_at.timestamp(),
    )


def claim_pending(pending: PendingUpload) -> bool:
    """True for the one request that may commit this upload; False when another already claimed it.

    The claim is part of the request's transaction: a commit that fails rolls it back with the rest.
    A second request does not wait for the first one's lock on PostgreSQL (SKIP LOCKED)."""
    key = _token_hash(pending.token)
    if db.session.get_bind().dialect.name == "postgresql":
        free = db.session.execute(
            select(PendingImport.token_hash)
            .where(PendingImport.token_hash == key, PendingImport.claimed_at.is_(None))
            .with_for_update(skip_locked=True)
        ).scalar()
        if free is None:
            return False
    claimed = db.session.execute(
        update(PendingImport)
        .where(PendingImport.token_hash == key, PendingImport.claimed_at.is_(None), PendingImport.result.is_(None))
        .values(claimed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def release_claim(pending: PendingUpload) -> None:
    """The commit did not happen (a refused file, a plan to confirm): the upload waits again."""
    db.session.execute(
        update(PendingImport)
        .where(PendingImport.token_hash == _token_hash(pending.token))
        .values(claimed_at=None)
        .execution_options(synchronize_session=False)
    )


def save_result(token: str, user_id, counts: dict) -> None:
    """Kept (a day) so that a second click shows what the first one did."""
    key = _token_hash(token)
    db.session.execute(delete(PendingImport).where(PendingImport.token_hash == key))
    db.session.add(PendingImport(token_hash=key, user_id=user_id, result=json.dumps(counts), full=False))
    db.session.flush()


def load_result(token: str, user_id, wait_seconds: float = 0.0) -> dict | None:
    """The counts of a committed upload (waiting up to wait_seconds for a commit under way)."""
    if not TOKEN_PATTERN.match(token or ""):
        return None
    query = select(PendingImport.result, PendingImport.user_id).where(PendingImport.token_hash == _token_hash(token))
    deadline = time.monotonic() + wait_seconds
    while True:
        stored = db.session.execute(query).one_or_none()
        if stored is not None and stored.result is not None:
            return json.loads(stored.result) if stored.user_id == user_id else None
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.2)


def discard_pending(pending: PendingUpload) -> None:
    key = _token_hash(pending.token)
    blob_store().delete(_blob_key(pending.token))
    db.session.execute(delete(PendingImport).where(PendingImport.token_hash == key, PendingImport.result.is_(None)))
    scratch = g.get("pending_scratch", {}).pop(pending.token, None)
    if scratch is not None:
        scratch.unlink(missing_ok=True)


def _expiry_cutoff() -> datetime:
    return datetime.now(UTC) - timedelta(seconds=MAX_AGE_SECONDS)


def purge_expired() -> None:
    """Uploads and results older than a day go, with their files; so do this host's old scratch copies."""
    cutoff = _expiry_cutoff()
    store = blob_store()
    expired = list(db.session.scalars(select(PendingImport.token_hash).where(PendingImport.created_at < cutoff)))
    for key in expired:
        store.delete(f"imports/{key}")
    if expired:
        db.session.execute(delete(PendingImport).where(PendingImport.token_hash.in_(expired)))
    scratch_cutoff = time.time() - SCRATCH_MAX_AGE_SECONDS
    for path in scratch_dir().iterdir():
        try:
            if path.stat().st_mtime < scratch_cutoff:
                path.unlink()
        except FileNotFoundError:
            continue


def adopt_legacy_file(token: str, meta: dict, path: Path) -> bool:
    """Store an upload that an older release left in UPLOAD_DIR/pending (``storage migrate-files``).
    False when it is already in the store (the command is safe to run again)."""
    key = _token_hash(token)
    if db.session.get(PendingImport, key) is not None:
        return False
    created = datetime.fromtimestamp(float(meta.get("created") or time.time()), UTC)
    with open(path, "rb") as handle:
        reader = _EncryptingReader(handle, token, max(int(current_app.config["IMPORT_MAX_BYTES"]), path.stat().st_size))
        blob_store().write(_blob_key(token), reader, field="file")
    db.session.add(
        PendingImport(
            token_hash=key,
            user_id=meta.get("user_id"),
            filename=str(meta.get("filename") or "")[:200],
            kind=str(meta.get("kind") or ""),
            courthouse_id=meta.get("courthouse_id"),
            source_name=str(meta.get("source_name") or "")[:200],
            full=bool(meta.get("full", True)),
            mapping=json.dumps(meta["mapping"]) if meta.get("mapping") is not None else None,
            size=reader.size,
            created_at=created,
        )
    )
    db.session.flush()
    return True
