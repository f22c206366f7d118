"""Alembic environment: migrates the database named by the caller or CASEREVIEW_DATABASE_URL."""

from __future__ import annotations

from alembic import context

from engine.core.config import load_settings
from engine.core.db import UTCDateTime, connect
from engine.core.models import SEARCH_INDEXES, SEARCH_TABLES, UNMANAGED_TABLES, Base

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Migrations stay free of application imports: our UTC column is a plain DateTime."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def _include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Leave alone the tables a library owns (APScheduler's job store), and each database's
    own text search over the cases (made by migration 0024, outside the models)."""
    if type_ == "index":
        return name not in SEARCH_INDEXES
    return not (type_ == "table" and (name in UNMANAGED_TABLES or name in SEARCH_TABLES))


def _url() -> str:
    return config.attributes.get("database_url") or load_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    database = connect(_url())
    try:
        with database.writer.connect() as connection:
            _run(connection)
    finally:
        database.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        # SQLite can undo a schema change, though Alembic assumes not: one transaction for
        # the whole upgrade keeps the foreign key check below before its commit.
        transactional_ddl=True if sqlite else None,
        compare_type=True,
        render_item=_render_item,
        include_object=_include_object,
    )
    if sqlite:
        _foreign_keys(connection, on=False)
    try:
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                _check_foreign_keys(connection)
        if connection.in_transaction():
            connection.commit()
    finally:
        if sqlite:
            _foreign_keys(connection, on=True)


# SQLite changes a table by copying it into a new one and dropping the old, which foreign keys
# refuse while rows of other tables point at the old. SQLite's own procedure for such changes
# turns foreign keys off, outside any transaction, and checks every row before the commit.
def _foreign_keys(connection, *, on: bool) -> None:  # type: ignore[no-untyped-def]
    if connection.in_transaction():
        connection.rollback() if on else connection.commit()
    connection.connection.dbapi_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _check_foreign_keys(connection) -> None:  # type: ignore[no-untyped-def]
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"the migration left rows pointing at nothing: {broken[:5]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
