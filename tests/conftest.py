"""Fixtures: every database test runs on SQLite and, when configured, on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from engine.core import clock
from engine.core.area import load_area, read_area_file
from engine.core.config import DEFAULT_AREA_FILE
from engine.core.db import Database, connect
from engine.core.models import Base
from engine.people.accounts import add_user
from tests.support.figures import record_facts
from tests.support.files import FORMS, ROOT
from tests.support.oidc import Providers
from tests.support.people import DEMO_PASSWORD
from tests.support.procedure import prepare

POSTGRES_ENV = "CASEREVIEW_TEST_POSTGRES_URL"
POSTGRES_HOW = (
    f"PostgreSQL run skipped: set {POSTGRES_ENV}=postgresql://postgres@127.0.0.1:5432/test "
    "to run every database test on PostgreSQL too"
)


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashing() -> Iterator[None]:
    """Argon2 with small costs: the same code path, without 100 ms per test user."""
    from argon2 import PasswordHasher

    from engine.people import accounts

    production = accounts._hasher
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    accounts._hasher = production


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str | None]:
    """A fresh PostgreSQL database for this test run, dropped at the end."""
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        yield None
        return
    url = make_url(base).set(drivername="postgresql+psycopg")
    name = f"casereview_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    test_url = url.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(test_url)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield test_url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'casereview.db'}"
    url = request.getfixturevalue("postgres_admin_url")
    if url is None:
        pytest.skip(POSTGRES_HOW)
    _empty_postgres(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        pytest.skip(POSTGRES_HOW)
    url = make_url(base).set(drivername="postgresql+psycopg")
    name = f"casereview_blank_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def empty_db(database_url: str) -> Iterator[Database]:
    """A connected database with the schema and nothing in it."""
    database = connect(database_url)
    if database.is_sqlite:
        Base.metadata.create_all(database.writer)
    yield database
    database.dispose()


@pytest.fixture
def fixed_clock() -> Iterator[clock.FixedClock]:
    with clock.using_clock(clock.FixedClock(datetime(2026, 3, 2, 9, 0))) as installed:
        yield installed


@pytest.fixture
def db(empty_db: Database, fixed_clock: clock.FixedClock) -> Database:
    """The Derbyshire area loaded, with one user in each of a few organisations."""
    with empty_db.transaction() as session:
        load_area(session, read_area_file(DEFAULT_AREA_FILE))
        for email, organisation, roles in [
            ("council@example.org", "derbyshire-dales-district-council", ["caseworker"]),
            ("council2@example.org", "derbyshire-dales-district-council", ["caseworker"]),
            ("manager@example.org", "derbyshire-dales-district-council", ["manager"]),
            ("police@example.org", "derbyshire-constabulary", ["agency_officer"]),
            ("police2@example.org", "derbyshire-constabulary", ["agency_officer"]),
            ("housing@example.org", "dales-housing", ["agency_officer"]),
            ("health@example.org", "derby-derbyshire-icb", ["agency_officer"]),
            ("erewash@example.org", "erewash-borough-council", ["caseworker"]),
            ("chair@example.org", "high-peak-borough-council", ["review_chair"]),
            ("opcc@example.org", "opcc-derbyshire", ["agency_officer"]),
        ]:
            add_user(
                session,
                email=email,
                name=email.split("@")[0].title(),
                organisation_key=organisation,
                roles=roles,
                password=DEMO_PASSWORD,
            )
    return empty_db


@pytest.fixture
def app_db(db: Database) -> Database:
    """The area and users, with the shipped application diagram deployed."""
    from engine.runtime import deploy

    path = ROOT / "workflows" / "community_trigger_application.bpmn"
    with db.transaction() as session:
        deploy(session, path.read_bytes(), filename=path.name, forms_dir=FORMS)
    return db


@pytest.fixture
def all_db(app_db: Database) -> Database:
    """Every shipped diagram deployed, and a few more people to look at cases."""
    return prepare(app_db)


@pytest.fixture
def facts(db: Database) -> Database:
    """Cases, reviews and appeals around the edges of the 2020/21, 2021/22 and 2022/23 years,
    for the published figures."""
    return record_facts(db)


@pytest.fixture
def oidc_providers(tmp_path: Path) -> Iterator[Providers]:
    """OpenID Connect providers on loopback that a test starts (``oidc_providers.start``),
    all stopped after it."""
    providers = Providers(tmp_path / "oidc")
    yield providers
    providers.stop_all()
