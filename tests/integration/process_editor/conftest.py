"""Fixtures of the process editor's tests: a process owner's database, app and API client."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from engine.core.db import Database
from tests.support.api import API, Api
from tests.support.procedure import prepare
from tests.support.web import make_app


@pytest.fixture
def api_db(app_db: Database) -> Database:
    """Every shipped diagram deployed, and a process owner among the people."""
    return prepare(app_db)


@pytest.fixture
def client(api_db: Database, tmp_path: Path) -> FlaskClient:
    return make_app(api_db, tmp_path).test_client()


@pytest.fixture
def api(client: FlaskClient) -> Api:
    return Api(client, client.get(f"{API}/openapi.json").get_json())
