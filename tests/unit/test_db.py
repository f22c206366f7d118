"""The database layer's own rules."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.core import audit
from engine.core.db import WORK, Database
from engine.core.models import AuditEvent, District


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
