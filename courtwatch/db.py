"""The declarative base every model uses, and the column types that keep time honest.

A naming convention gives every constraint a stable name, so Alembic can drop and recreate
them on SQLite (batch mode) and PostgreSQL alike. ``UTCDateTime`` refuses naive datetimes:
a naive value is a bug waiting to show a shift at the wrong hour, so it fails loudly instead.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Index, MetaData, event
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def dialect_insert(dialect_name: str):
    """The dialect's own INSERT (for ON CONFLICT), or None; loads only the dialect in use (the
    PostgreSQL one costs ~0.05 s to import, and a SQLite host never needs it)."""
    if dialect_name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect_name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        return None
    return insert


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
    apply_partial_indexes(engine.dialect.name)


# Dialects whose indexes take a WHERE clause (``sqlite_where``, ``postgresql_where``).
PARTIAL_INDEX_DIALECTS = ("sqlite", "postgresql")
PARTIAL_WHERE = "courtwatch_partial_where"


def partial_index(name: str, *columns, where, **options) -> Index:
    """An index of the rows matching ``where``, on SQLite and PostgreSQL alike.

    The dialect's ``*_where`` option is filled in when an engine of that dialect is bound
    (``apply_partial_indexes``), not here: naming ``postgresql_where`` when the model is declared
    imports PostgreSQL's dialect module (~25 ms of CPU) on a SQLite host too, in every command.
    """
    return Index(name, *columns, info={PARTIAL_WHERE: where}, **options)


def apply_partial_indexes(dialect_name: str) -> None:
    """Give every ``partial_index`` its WHERE for ``dialect_name`` (DDL, and Alembic's comparison)."""
    if dialect_name not in PARTIAL_INDEX_DIALECTS:
        return
    for table in Base.metadata.tables.values():
        for index in table.indexes:
            where = index.info.get(PARTIAL_WHERE)
            if where is not None:
                index.dialect_options[dialect_name]["where"] = where


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
