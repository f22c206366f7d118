"""Fixtures of the tests of the web app, the API, the command line and served processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.core.clock import FixedClock
from engine.core.db import Database
from tests.support.access import (
    PROVIDER_CLIENT,
    PROVIDER_OFFICER,
    PROVIDER_SECRET,
    World,
    build_world,
)
from tests.support.oidc import Providers
from tests.support.providers import SECRET_ENV


@pytest.fixture
def world(
    app_db: Database,
    fixed_clock: FixedClock,
    tmp_path: Path,
    oidc_providers: Providers,
    monkeypatch: pytest.MonkeyPatch,
) -> World:
    """The access matrix's three cases, its users, and the app they visit, with the police's
    own OpenID Connect provider on loopback and an officer who signs in through it."""
    monkeypatch.setenv(SECRET_ENV, PROVIDER_SECRET)
    provider = oidc_providers.start([PROVIDER_CLIENT], [PROVIDER_OFFICER])
    return build_world(app_db, fixed_clock, tmp_path, provider)
