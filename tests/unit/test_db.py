"""The database layer's own rules."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.exc import DataError, DBAPIError
from sqlalchemy.orm import Session

from engine.core import audit
from engine.core.db import WORK, Database
from engine.core.models import AuditEvent, District
from tests.support.databases import only_on


def test_a_read_that_tries_to_write_is_refused_and_writes_nothing(db: Database) -> None:
    with db.read() as session:
        districts = session.scalar(select(func.count()).select_from(District))
        events = session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(RuntimeError, match="use Database.transaction"), db.read() as session:
        session.add(District(key="nowhere", name="Nowhere", position=99))
    with pytest.raises(RuntimeError, match="use Database.transaction"), db.read() as session:
        session.scalars(select(District)).first().name = "Renamed"
    with pytest.raises(RuntimeError, match="use Database.transaction"), db.read() as session:
        session.execute(update(District).values(name="Renamed"))
    with pytest.raises(RuntimeError, match="use Database.transaction"), db.read() as session:
        audit.record(session, "case.viewed", object_type="case", object_id=1)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(District)) == districts
        assert "Renamed" not in session.scalars(select(District.name)).all()
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_a_listener_before_commit_runs_before_the_audit_chain_is_written(db: Database) -> None:
    """The fault tests' pause sits there: it must not hold the audit chain's lock, which
    every other write recording an event waits for on PostgreSQL."""
    with db.read() as session:
        before = session.scalar(select(func.count()).select_from(AuditEvent))
    seen: list[tuple[str | None, int]] = []

    def look(session: Session) -> None:
        written = session.scalar(select(func.count()).select_from(AuditEvent))
        seen.append((session.info.get(WORK), written))

    db.before_commit(look)
    with db.transaction() as session:
        session.info[WORK] = "test step"
        audit.record(session, "case.viewed", object_type="case", object_id=1)
    assert seen == [("test step", before)], "nothing of the chain was written yet"
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == before + 1


@only_on("postgresql")
def test_a_connection_the_server_closed_is_replaced_before_a_request_uses_it(
    db: Database,
) -> None:
    """A restart or failover of PostgreSQL ends the pool's idle connections; the next
    transaction gets a fresh one instead of failing on the dead one."""
    with db.transaction() as session:
        closed_pid = session.scalar(select(func.pg_backend_pid()))
    # Another engine: the pool's one idle connection is the one to end.
    admin = create_engine(db.url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with admin.connect() as connection:
            assert connection.scalar(select(func.pg_terminate_backend(closed_pid)))
        for _ in range(1000):
            with admin.connect() as connection:
                still_there = connection.scalar(
                    text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                    {"pid": closed_pid},
                )
            if not still_there:
                break
    finally:
        admin.dispose()
    with db.transaction() as session:
        audit.record(session, "case.viewed", object_type="case", object_id=1)
        assert session.scalar(select(func.pg_backend_pid())) != closed_pid
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) >= 1


def test_a_transaction_whose_audit_events_cannot_be_written_stores_nothing(db: Database) -> None:
    """The events are written last, with the commit (on PostgreSQL in the same round trip):
    when they are refused, what the transaction did is not kept either."""
    with db.read() as session:
        events = session.scalar(select(func.count()).select_from(AuditEvent))
    refused = DataError if not db.is_sqlite else None
    try:
        with db.transaction() as session:
            session.add(District(key="nowhere", name="Nowhere", position=99))
            # Longer than the column: PostgreSQL refuses it (SQLite keeps any length).
            audit.record(session, "case.viewed", object_type="case", object_id="9" * 100)
    except DBAPIError as error:
        assert refused is not None and isinstance(error, refused)
        with db.read() as session:
            assert session.scalar(select(func.count()).select_from(AuditEvent)) == events
            assert session.scalar(select(District).where(District.key == "nowhere")) is None
    else:
        assert refused is None, "PostgreSQL refuses an object id longer than its column"
    with db.transaction() as session:
        audit.record(session, "case.viewed", object_type="case", object_id=1)
    with db.read() as session:
        assert audit.verify(session).intact
