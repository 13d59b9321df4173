"""The declarative base every model uses, and the column types that keep time honest.

A naming convention gives every constraint a stable name, so Alembic can drop and recreate
them on SQLite (batch mode) and PostgreSQL alike. ``UTCDateTime`` refuses naive datetimes:
a naive value is a bug waiting to show a shift at the wrong hour, so it fails loudly instead.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time as an aware UTC datetime; used as a callable column default."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes in UTC and always returns them aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; attach a time zone first")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def _secure_delete(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def harden_engine(engine) -> None:
    """SQLite overwrites deleted content with zeros (secure_delete) on every connection, so a purged
    row's bytes do not linger in free pages; the app sets it rather than trust how SQLite was built."""
    if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _secure_delete):
        event.listen(engine, "connect", _secure_delete)


# Set on a connection by the first statement of a transaction that is not a plain SELECT; cleared
# when the transaction ends. The request edge commits only when it is set (or the session holds
# unflushed changes), so a page that only reads costs no COMMIT.
WROTE = "courtwatch_wrote"
READ_ONLY_PREFIXES = ("SELECT", "select")


def _note_write(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    if not statement.lstrip().startswith(READ_ONLY_PREFIXES):
        conn.info[WROTE] = True


def _forget_writes(conn) -> None:
    conn.info.pop(WROTE, None)


def track_writes(engine) -> None:
    """Watch the engine's statements so ``has_writes`` can tell a read-only transaction apart.
    Statements go through here however they were issued (ORM flush, ``session.execute``, Core on
    ``session.connection()``); anything that is not a SELECT counts, savepoints included."""
    if not event.contains(engine, "before_cursor_execute", _note_write):
        event.listen(engine, "before_cursor_execute", _note_write)
        for moment in ("begin", "commit", "rollback"):
            event.listen(engine, moment, _forget_writes)


def has_writes(session) -> bool:
    """Whether committing ``session`` would change anything: unflushed objects, or a statement
    other than SELECT already sent in its transaction."""
    if session.new or session.deleted or session.dirty:
        return True
    if not session.in_transaction():
        return False
    return bool(session.connection().info.get(WROTE))
