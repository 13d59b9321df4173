"""Blobs kept in the database as numbered chunks, so neither writing nor reading one needs it whole
in memory (a 50 MB docket is 200 rows of 256 KiB), on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from courtwatch.db import Base, UTCDateTime, utcnow


class StoredBlob(Base):
    __tablename__ = "stored_blob"

    # Chosen by the server ("photos/<random>.jpg", "imports/<hash>"), never by the uploader.
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class StoredBlobChunk(Base):
    __tablename__ = "stored_blob_chunk"

    blob_key: Mapped[str] = mapped_column(
        String(120), ForeignKey("stored_blob.key", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class PendingImport(Base):
    """An uploaded calendar waiting between preview and commit, and then the counts of its commit.

    Keyed by a hash of the upload's token: the token itself lives only in the uploader's session
    (or a held plan's source), and the file's bytes are encrypted under a key derived from it, so
    nothing in the database, its WAL or a backup reads the docket without that token.
    """

    __tablename__ = "pending_import"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(20), default="")
    courthouse_id: Mapped[int | None] = mapped_column(Integer)
    source_name: Mapped[str] = mapped_column(String(200), default="")
    full: Mapped[bool] = mapped_column(Boolean, default=True)
    mapping: Mapped[str | None] = mapped_column(Text)  # JSON: the chosen column mapping
    size: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Set by the one request committing it (a second click waits for its result instead).
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str | None] = mapped_column(Text)  # JSON counts, once committed
