"""Bring a database's schema up to date with the Alembic migrations."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from engine.core.config import PROJECT_ROOT
from engine.core.db import Database


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = database.url
    return config


def upgrade_to_head(database: Database) -> None:
    with database.writer.connect() as connection:
        config = alembic_config(database)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision(database: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with database.reader.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
