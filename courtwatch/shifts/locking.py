"""Serialising every change to a shift's roster, on PostgreSQL and on SQLite alike.

Claims, releases, promotions and assignments read "how many are claimed" and then write: two
processes doing that at the same moment would both see a free place. So each of them first
takes a lock that lasts until the request's transaction ends:

* PostgreSQL: ``SELECT ... FOR UPDATE`` on the shift row (claims of one shift queue up) and on
  the volunteer's user row (claims of one volunteer on *different* shifts queue up, so the
  overlap check cannot be raced either).
* SQLite has no row locks. A no-op ``UPDATE`` on the shift row as the transaction's first write
  takes SQLite's single RESERVED (write) lock; pysqlite opens the transaction right before that
  statement, so the rows read afterwards are the latest committed ones and every other writer
  waits (``timeout`` in the engine options) until this transaction commits or rolls back.

After the lock the shift is re-read (``populate_existing``), so a copy loaded earlier in the
request cannot carry a stale ``claimed_count`` into the decision.
"""

from __future__ import annotations

from sqlalchemy import select, update

from courtwatch.auth.models import User
from courtwatch.db import db
from courtwatch.shifts.models import Shift


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def lock_shift(shift_id: int) -> Shift | None:
    if _dialect() == "sqlite":
        db.session.execute(
            update(Shift)
            .where(Shift.id == shift_id)
            .values(claimed_count=Shift.claimed_count)
            .execution_options(synchronize_session=False)
        )
        return db.session.scalar(select(Shift).where(Shift.id == shift_id).execution_options(populate_existing=True))
    return db.session.scalar(
        select(Shift).where(Shift.id == shift_id).with_for_update(of=Shift).execution_options(populate_existing=True)
    )


def lock_user(user_id: int) -> None:
    """Queue concurrent claims by one volunteer (SQLite's write lock already covers this)."""
    if _dialect() != "sqlite":
        db.session.execute(select(User.id).where(User.id == user_id).with_for_update())
