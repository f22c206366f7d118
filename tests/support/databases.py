"""Tests that run on one database only.

Every test that touches a database runs on SQLite and on PostgreSQL: the fixtures in
tests/conftest.py (``database_url``, and ``blank_url`` for an empty one) are parametrized over
both. A test of what only one of them does (SQLite's one writer at a time, PostgreSQL's row
and advisory locks) is given that database alone, rather than a variant on the other that
could only skip.
"""

from __future__ import annotations

import pytest


def only_on(database: str, fixture: str = "database_url") -> pytest.MarkDecorator:
    """Run a test on ``database`` ("sqlite" or "postgresql") alone, through ``fixture``."""
    return pytest.mark.parametrize(fixture, [database], indirect=True)
