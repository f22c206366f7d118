"""Migrations build the whole schema from an empty database, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from engine.db import connect
from engine.migrate import alembic_config, current_revision, upgrade_to_head
from engine.models import UNMANAGED_TABLES, Base
from engine.scheduler import create_job_table


def test_upgrade_from_empty_matches_the_models(blank_url: str) -> None:
    database = connect(blank_url)
    try:
        assert current_revision(database) is None
        upgrade_to_head(database)
        create_job_table(database)  # as a scheduler does; the comparison must leave it alone
        head = ScriptDirectory.from_config(alembic_config(database)).get_current_head()
        assert current_revision(database) == head
        with database.reader.connect() as connection:
            options = {
                "compare_type": True,
                "include_object": lambda obj, name, type_, *_: (
                    not (type_ == "table" and name in UNMANAGED_TABLES)
                ),
            }
            differences = compare_metadata(
                MigrationContext.configure(connection, opts=options), Base.metadata
            )
            tables = set(inspect(connection).get_table_names())
        assert differences == []
        assert set(Base.metadata.tables) <= tables
        upgrade_to_head(database)  # a second upgrade is a no-op, as `casereview init` relies on
        assert current_revision(database) == head
    finally:
        database.dispose()
