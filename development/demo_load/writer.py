"""Writing in bulk: plain rows into each copied table (COPY on PostgreSQL, one statement of
many rows on SQLite), and fresh planner statistics afterwards."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection

from engine.core.db import Database
from engine.core.models import (
    Appeal,
    AuditEvent,
    Case,
    CaseParticipant,
    CaseStatusChange,
    Incident,
    ProcessInstance,
    Recommendation,
    Review,
    Task,
    TaskCandidate,
)

# Tables copied for each case, in an order that satisfies their foreign keys.
COPIED_TABLES: tuple[Any, ...] = (
    Case,
    Incident,
    CaseParticipant,
    CaseStatusChange,
    ProcessInstance,
    Task,
    TaskCandidate,
    Review,
    Recommendation,
    Appeal,
    AuditEvent,
)


def _plain(value: Any, sqlite: bool) -> Any:
    if isinstance(value, datetime):
        value = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        return str(value) if sqlite else value
    if isinstance(value, date):
        return value.isoformat() if sqlite else value
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    if isinstance(value, bool) and sqlite:
        return int(value)
    return value


def write_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = [column.name for column in table.columns]
    sqlite = connection.dialect.name == "sqlite"
    values = ([_plain(row.get(name), sqlite) for name in columns] for row in rows)
    names = ", ".join(f'"{name}"' for name in columns)
    if sqlite:
        marks = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(
            f'INSERT INTO "{table.name}" ({names}) VALUES ({marks})', [tuple(v) for v in values]
        )
        return
    driver_connection = connection.connection.driver_connection
    if driver_connection is None:
        raise RuntimeError("the database connection was closed during the bulk load")
    cursor = driver_connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in values:
            copy.write_row(row)


def batches(total: int, size: int) -> Iterator[int]:
    while total > 0:
        yield min(size, total)
        total -= size


def analyze(db: Database) -> None:
    """Fresh planner statistics after a bulk load, as an operator would gather after one; on
    PostgreSQL a vacuum too, which autovacuum would otherwise start later, in the middle of
    whatever runs next, to mark the new rows visible to all."""
    if db.is_sqlite:
        with db.writer.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
        return
    with db.writer.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM (ANALYZE)")
