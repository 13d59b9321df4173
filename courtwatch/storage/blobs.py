"""The blob store: files any app host may need, written in the request's transaction, read in chunks.

Why the database by default: every host already shares it, a blob and the row that names it
commit or roll back together (no orphan file when a request fails, no row pointing at a file that
was never written), backups already cover it, and nothing else needs running or securing. The
files are small and few (photos are re-encoded and at most PHOTO_MAX_BYTES; pending imports live
a day), so the database carries them easily.

A blob is written as numbered chunks of at most CHUNK_SIZE bytes, and read one chunk per query on
a connection of its own, so a response can stream it after the request's session has closed and
no worker ever holds a whole file in memory.

A full disk or database (SQLite's SQLITE_FULL, PostgreSQL's disk_full, ENOSPC) becomes a
``StorageFull`` domain error with a clear message, after the whole transaction is rolled back:
nothing of the request is left half-written.
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import DBAPIError

from courtwatch.db import db
from courtwatch.errors import DomainError
from courtwatch.storage.models import StoredBlob, StoredBlobChunk

CHUNK_SIZE = 256 * 1024
# PostgreSQL's SQLSTATE for "could not extend file ... No space left on device".
DISK_FULL_SQLSTATE = "53100"


class StorageFull(DomainError):
    """The server has no room for the file: said plainly, never a 500."""


def storage_full(field: str | None = None) -> StorageFull:
    return StorageFull(
        _(
            "The server has no room to store this file right now, so nothing was saved. Try again later or tell an admin."
        ),
        field=field,
    )


def _one_is_full(error: BaseException) -> bool:
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return True
    if getattr(error, "sqlstate", None) == DISK_FULL_SQLSTATE:
        return True
    if isinstance(error, sqlite3.Error):
        return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "is full" in str(error)
    return False


def is_storage_full(error: BaseException) -> bool:
    """True when this error, or one it was raised from or during, says the disk or database is full."""
    seen = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _one_is_full(current) or (isinstance(current, DBAPIError) and _one_is_full(current.orig)):
            return True
        current = current.__cause__ or current.__context__
    return False


@dataclass(frozen=True)
class BlobInfo:
    key: str
    size: int
    chunk_count: int


def split_chunks(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), CHUNK_SIZE):
        yield data[start : start + CHUNK_SIZE]


class DatabaseBlobStore:
    """Blobs as rows of the shared database (``stored_blob`` and ``stored_blob_chunk``)."""

    def write(self, key: str, chunks: Iterable[bytes], *, field: str | None = None) -> int:
        """Store the chunks under key in the current transaction; returns the size.

        An error raised by the chunks' producer (a file proving too large) removes what was written
        and propagates; a full database rolls back the whole transaction. (No savepoint: SQLite's
        driver would commit a savepoint opened as a transaction's first statement.)
        """
        try:
            db.session.execute(insert(StoredBlob).values(key=key, size=0, chunk_count=0))
            size = count = 0
            try:
                for chunk in chunks:
                    if len(chunk) > CHUNK_SIZE:
                        raise ValueError("a chunk larger than CHUNK_SIZE")
                    db.session.execute(insert(StoredBlobChunk).values(blob_key=key, position=count, data=chunk))
                    size += len(chunk)
                    count += 1
            except (DomainError, ValueError):
                self.delete(key)
                raise
            db.session.execute(
                StoredBlob.__table__.update().where(StoredBlob.key == key).values(size=size, chunk_count=count)
            )
        except (DBAPIError, OSError) as error:
            if not is_storage_full(error):
                raise
            db.session.rollback()
            raise storage_full(field) from None
        return size

    def info(self, key: str) -> BlobInfo | None:
        row = db.session.execute(
            select(StoredBlob.size, StoredBlob.chunk_count).where(StoredBlob.key == key)
        ).one_or_none()
        return BlobInfo(key, row.size, row.chunk_count) if row else None

    def iter_chunks(self, info: BlobInfo, *, in_session: bool = False) -> Iterator[bytes]:
        """The blob's chunks in order, one query each on a connection of this generator's own, so
        it may run after the request's session has closed (a streamed response).

        ``in_session``: read through the request's own session instead, which also sees a blob
        written earlier in the same, not yet committed, transaction (a file read back at once)."""
        engine = db.engine
        query = select(StoredBlobChunk.data).where(StoredBlobChunk.blob_key == info.key)

        def generate() -> Iterator[bytes]:
            if in_session:
                for position in range(info.chunk_count):
                    data = db.session.execute(query.where(StoredBlobChunk.position == position)).scalar()
                    if data is None:
                        return
                    yield bytes(data)
                return
            with engine.connect() as connection:
                for position in range(info.chunk_count):
                    data = connection.execute(query.where(StoredBlobChunk.position == position)).scalar()
                    if data is None:
                        return  # deleted while being read: stop rather than serve a mix
                    yield bytes(data)

        return generate()

    def delete(self, key: str) -> None:
        db.session.execute(delete(StoredBlobChunk).where(StoredBlobChunk.blob_key == key))
        db.session.execute(delete(StoredBlob).where(StoredBlob.key == key))

    def keys(self, prefix: str) -> list[str]:
        return list(
            db.session.scalars(select(StoredBlob.key).where(StoredBlob.key.startswith(prefix, autoescape=True)))
        )


_DATABASE_STORE = DatabaseBlobStore()


def blob_store() -> DatabaseBlobStore:
    """The configured store (BLOB_STORE setting). Only the database store exists today."""
    return _DATABASE_STORE
