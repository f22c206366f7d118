"""The service under test: its data, built by the real command in a SQLite file or a
PostgreSQL database made for the run, and clients of it signed in as demo users."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bench.measure import ROOT, say
from development.demo import DEMO_PASSWORD
from engine.core.config import load_settings
from engine.core.db import Database

ADMIN_URL_ENV = "CASEREVIEW_BENCH_POSTGRES_URL"
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def casereview(env: dict[str, str], *args: str, log: Path) -> None:
    """Run the real command, as an operator would; its chatter goes to the log."""
    with log.open("a") as handle:
        subprocess.run(
            [sys.executable, "-m", "cli", *args],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=handle,
            stderr=handle,
            check=True,
        )


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    url = make_url(admin_url).set(drivername="postgresql+psycopg")
    name = f"casereview_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def checkpoint(url: str) -> None:
    """Write out what the bulk load left in PostgreSQL's buffers now, so that a checkpoint
    does not do it later, during a timed run (needs a superuser or pg_checkpoint)."""
    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("CHECKPOINT"))
    except DBAPIError as error:
        say(f"  no CHECKPOINT before timing ({str(error.orig).strip()}); figures may vary more")
    finally:
        engine.dispose()


def prepare(url: str, workdir: Path, cases: int | None) -> dict[str, str]:
    env = {"CASEREVIEW_DATABASE_URL": url, "CASEREVIEW_INSTANCE_DIR": str(workdir)}
    log = workdir / "setup.log"
    casereview(env, "init", "--demo", log=log)
    if cases:
        started = time.perf_counter()
        casereview(env, "demo-load", "--cases", str(cases), log=log)
        say(f"  demo-load --cases {cases}: {time.perf_counter() - started:.0f} s")
    return env


def app_for(env: dict[str, str], db: Database) -> Flask:
    from web import create_app

    return create_app(load_settings(env), db)


def api_token(client: FlaskClient, email: str) -> str:
    answer = client.post("/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD})
    return answer.get_json()["token"]


def signed_in_client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/sign-in", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token})
    return client
