"""Fixtures of the tests of the web app, the API, the command line and served processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.core.clock import FixedClock
from engine.core.db import Database
from tests.support.access import World, build_world


@pytest.fixture
def world(app_db: Database, fixed_clock: FixedClock, tmp_path: Path) -> World:
    """The access matrix's three cases, its users, and the app they visit."""
    return build_world(app_db, fixed_clock, tmp_path)
