"""Tests that run on one database only.

Every test that touches a database runs on SQLite and on PostgreSQL: the fixtures in
tests/conftest.py (``database_url``, and ``blank_url`` for an empty one) are parametrized over
both. A test of what only one of them does (SQLite's one writer at a time, PostgreSQL's row
and advisory locks) is given that database alone, rather than a variant on the other that
could only skip.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from engine.core.db import Database, connect


def only_on(database: str, fixture: str = "database_url") -> pytest.MarkDecorator:
    """Run a test on ``database`` ("sqlite" or "postgresql") alone, through ``fixture``."""
    return pytest.mark.parametrize(fixture, [database], indirect=True)


def until_a_session_waits_for_a_lock(db: Database, otherwise: str) -> None:
    """Return once a session of ``db`` (PostgreSQL) waits for a lock another holds; fail
    with ``otherwise`` if none does within ten seconds."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    watcher = connect(db.url)
    try:
        for _ in range(200):
            with watcher.read() as session:
                if session.scalar(waiting):
                    return
            time.sleep(0.05)
        raise AssertionError(otherwise)
    finally:
        watcher.dispose()
