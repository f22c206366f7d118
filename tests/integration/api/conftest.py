"""Fixtures of the JSON API's tests: the app on every shipped diagram, and a client that holds
each answer to the OpenAPI document the app publishes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.core.db import Database
from tests.support.api import API, Api
from tests.support.procedure import prepare
from tests.support.web import make_app


@pytest.fixture
def api_db(app_db: Database) -> Database:
    """Every shipped diagram deployed, and a few more people to look at cases."""
    return prepare(app_db)


@pytest.fixture
def app(api_db: Database, tmp_path: Path) -> Flask:
    return make_app(api_db, tmp_path)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def openapi(client: FlaskClient) -> dict[str, Any]:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.get_json()


@pytest.fixture
def api(client: FlaskClient, openapi: dict[str, Any]) -> Api:
    return Api(client, openapi)
