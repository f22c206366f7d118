"""The database layer's own rules."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.db import Database
from engine.models import District


def test_a_read_that_tries_to_write_is_refused_and_writes_nothing(db: Database) -> None:
    with db.read() as session:
        districts = session.scalar(select(func.count()).select_from(District))
    with pytest.raises(RuntimeError, match="use Database.transaction"), db.read() as session:
        session.add(District(key="nowhere", name="Nowhere", position=99))
    with pytest.raises(RuntimeError, match="use Database.transaction"), db.read() as session:
        session.scalars(select(District)).first().name = "Renamed"
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(District)) == districts
        assert "Renamed" not in session.scalars(select(District.name)).all()
