"""Counts kept in the database within a window of time, shared by every worker and host:
failed sign-ins, and what the public sends from one network address."""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, literal, null, or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from engine.core.db import UTCDateTime
from engine.core.errors import TooManySubmissions
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


def kept_digest(secret: str) -> str:
    """What is kept of a secret (a token, a one-time code, a typed address): its sha256."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def forget_before(session: Session, prefix: str, moment: datetime) -> None:
    """Drop the counts under ``prefix`` that began at or before ``moment``: they can no longer
    limit anything, and what they name is kept no longer than the limit needs it."""
    session.execute(
        delete(SignInThrottle).where(
            SignInThrottle.key.startswith(prefix), SignInThrottle.first_failure_at <= moment
        )
    )


def within_allowance(
    session: Session, key: str, allowance: int, now: datetime, window: timedelta
) -> None:
    """Count one for ``key`` in the caller's transaction; ``TooManySubmissions``, saying when
    the window ends, once more than ``allowance`` have been counted in it (nothing is counted,
    once the caller's transaction rolls back)."""
    count, began = count_one(session, key, now, window)
    if count > allowance:
        raise TooManySubmissions(max(1, math.ceil((began + window - now).total_seconds())))
