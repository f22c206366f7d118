"""Counts kept in the database within a window of time, shared by every worker and host:
failed sign-ins, and what the public sends from one network address."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, case, literal, null, or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from engine.core.db import UTCDateTime
from engine.core.models import SignInThrottle

# The table as the Table it is (a declarative class's ``__table__`` is typed as any FROM clause).
COUNTS = SignInThrottle.metadata.tables[SignInThrottle.__tablename__]


def count_one(session: Session, key: str, now: datetime, window: timedelta) -> tuple[int, datetime]:
    """Count one for ``key`` atomically (an upsert), starting afresh when the count began
    ``window`` or more ago or its lockout has ended: the count after this one, and when the
    count began."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = COUNTS
    moment = literal(now, UTCDateTime())
    stale = or_(
        table.c.first_failure_at <= literal(now - window, UTCDateTime()),
        and_(table.c.locked_until.is_not(None), table.c.locked_until <= moment),
    )
    statement = (
        insert(table)
        .values(key=key, failures=1, first_failure_at=now, locked_until=None)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "failures": case((stale, 1), else_=table.c.failures + 1),
                "first_failure_at": case((stale, moment), else_=table.c.first_failure_at),
                "locked_until": case((stale, null()), else_=table.c.locked_until),
            },
        )
        .returning(table.c.failures, table.c.first_failure_at)
    )
    count, began = session.execute(statement).one()
    return count, began
