"""Which scheduler process acts: one leader at a time, another takes over when it dies.

On PostgreSQL the leader holds a session advisory lock on a connection of its own: the server
releases it the moment that connection ends, so when the leader is killed another process
takes over at its next try. On SQLite (one machine) the leader holds a lease row in ``leases``
that it renews; a leader that dies stops renewing, and once the lease expires another process
takes it. On both, the row in ``leases`` says who leads and until when, for administrators.

Leases are about processes being alive, so they use the machine's real time, never the
service clock (which a demonstration may start in the past, differently in each process).
Should two processes ever both believe they lead (a stalled process outliving its lease), no
harm is done: every sweep's action is idempotent; leadership only saves the work twice over.
"""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine, create_engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from engine.core.db import Database, advisory_lock_key
from engine.core.models import Lease

SCHEDULER = "scheduler"


def real_now() -> datetime:
    return datetime.now(UTC)


def new_holder() -> str:
    """A name for this process that no other process, here or on another host, shares."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _upsert_lease(db: Database, name: str, holder: str, expires_at: datetime) -> None:
    insert = sqlite_insert if db.is_sqlite else postgresql_insert
    with db.transaction() as session:
        session.execute(
            insert(Lease)
            .values(name=name, holder=holder, expires_at=expires_at)
            .on_conflict_do_update(
                index_elements=["name"], set_={"holder": holder, "expires_at": expires_at}
            )
        )


class LeaseLeadership:
    """Leadership by a lease row that expires unless its holder renews it."""

    def __init__(
        self,
        db: Database,
        name: str = SCHEDULER,
        *,
        ttl: timedelta = timedelta(seconds=20),
        holder: str | None = None,
        now: Callable[[], datetime] = real_now,
    ) -> None:
        self.db, self.name, self.ttl = db, name, ttl
        self.holder = holder or new_holder()
        self._now = now

    def hold(self) -> bool:
        """Take the lease if it is free or expired, or renew it if ours; True while we lead."""
        now = self._now()
        with self.db.transaction() as session:
            # RETURNING tells what changed on both databases (rowcount is not always reliable).
            renewed = session.execute(
                update(Lease)
                .where(
                    Lease.name == self.name,
                    or_(Lease.holder == self.holder, Lease.expires_at < now),
                )
                .values(holder=self.holder, expires_at=now + self.ttl)
                .returning(Lease.name)
            ).first()
            if renewed is not None:
                return True
            insert = sqlite_insert if self.db.is_sqlite else postgresql_insert
            taken = session.execute(
                insert(Lease)
                .values(name=self.name, holder=self.holder, expires_at=now + self.ttl)
                .on_conflict_do_nothing(index_elements=["name"])
                .returning(Lease.name)
            ).first()
            return taken is not None

    def release(self) -> None:
        with self.db.transaction() as session:
            session.execute(
                delete(Lease).where(Lease.name == self.name, Lease.holder == self.holder)
            )


class AdvisoryLockLeadership:
    """Leadership by a PostgreSQL session advisory lock, held on a connection of its own."""

    def __init__(
        self,
        db: Database,
        name: str = SCHEDULER,
        *,
        ttl: timedelta = timedelta(seconds=20),
        holder: str | None = None,
    ) -> None:
        self.db, self.name, self.ttl = db, name, ttl
        self.holder = holder or new_holder()
        self._key = advisory_lock_key(name)
        # Not pooled: closing the connection must end the session, and with it the lock.
        self._engine: Engine = create_engine(
            db.writer.url, poolclass=NullPool, isolation_level="AUTOCOMMIT"
        )
        self._connection: Connection | None = None

    def hold(self) -> bool:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
            except DBAPIError:
                # The session is gone, and the lock with it: try again from the start.
                self._drop()
        if self._connection is None:
            try:
                connection = self._engine.connect()
                locked = connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
                ).scalar()
            except DBAPIError:
                return False
            if not locked:
                connection.close()
                return False
            self._connection = connection
        _upsert_lease(self.db, self.name, self.holder, real_now() + self.ttl)
        return True

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(DBAPIError):
                self._connection.close()
            self._connection = None

    def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(DBAPIError):
                self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": self._key}
                )
            self._drop()
            with self.db.transaction() as session:
                session.execute(
                    delete(Lease).where(Lease.name == self.name, Lease.holder == self.holder)
                )
        self._engine.dispose()


Leadership = LeaseLeadership | AdvisoryLockLeadership


def leadership(
    db: Database, name: str = SCHEDULER, *, ttl: timedelta = timedelta(seconds=20)
) -> Leadership:
    """The way this database elects a leader."""
    if db.is_sqlite:
        return LeaseLeadership(db, name, ttl=ttl)
    return AdvisoryLockLeadership(db, name, ttl=ttl)


def current_leader(db: Database, name: str = SCHEDULER) -> Lease | None:
    """Who leads, while their lease lasts; None when no scheduler is running."""
    with db.read() as session:
        lease = session.scalar(select(Lease).where(Lease.name == name))
    if lease is None or lease.expires_at < real_now():
        return None
    return lease
