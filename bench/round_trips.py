"""Statements and round trips counted at the driver, below SQLAlchemy, where every message to
the database is seen: what SQLAlchemy's cursor events miss (the pool's pre-ping, the driver's
own BEGIN and COMMIT, statements sent in a psycopg pipeline) is counted too.

On PostgreSQL, libpq's own trace (``PQtrace``, through psycopg's ``pgconn.trace``) writes
every protocol message each connection sends (``F``) or receives (``B``). A round trip is a
turn from sending to receiving: the client sent what it had and the server answered, which
the client waits for. Statements are the messages that run one: ``Query`` (simple protocol:
BEGIN, COMMIT) and ``Execute`` (extended protocol). A pipeline's statements go out together
and come back together: several statements, one round trip.

On SQLite, which runs in the process and has no round trips, ``sqlite3``'s trace callback
counts each statement the library runs, BEGIN and COMMIT included.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import event, text

from engine.core.db import Database

# More connections than one completion holds at once (a read and a write transaction).
WARM_CONNECTIONS = 3


@dataclass(frozen=True)
class DriverCount:
    statements: int
    round_trips: int | None  # None: SQLite, in the process


@dataclass
class _Traced:
    """One PostgreSQL connection's trace file, and how far it has been read."""

    pgconn: Any
    path: Path
    fd: int
    offset: int = 0

    def start(self) -> None:
        from psycopg import pq

        self.pgconn.trace(self.fd)
        self.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)

    def read_new(self) -> list[str]:
        # libpq buffers its trace: stopping it flushes what it holds.
        if self.pgconn.status != _connection_ok():
            return []
        self.pgconn.untrace()
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            written = handle.read()
        self.offset += len(written)
        self.start()
        return written.decode("utf-8", "replace").splitlines()


def _connection_ok() -> Any:
    from psycopg import pq

    return pq.ConnStatus.OK


def count_messages(lines: list[str]) -> DriverCount:
    """Statements and round trips in a stretch of libpq's trace of one connection."""
    statements = trips = 0
    sending = False
    for line in lines:
        # direction, length, message type, the message's fields
        fields = line.split("\t", 3)
        if fields[0] == "F":
            sending = True
            statements += len(fields) > 2 and fields[2] in ("Query", "Execute")
        elif fields[0] == "B" and sending:
            sending = False
            trips += 1
    return DriverCount(statements, trips)


class DriverCounter:
    """Counts what every connection the database's pools open from now on sends: the pools
    are emptied on entry and on exit, so that each connection is watched from its start and
    none is watched after."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.postgres = not db.is_sqlite
        self.folder = Path(tempfile.mkdtemp(prefix="casereview-trace-"))
        self.traced: list[_Traced] = []
        self.sqlite_statements = 0

    def __enter__(self) -> DriverCounter:
        for engine in self.db.engines:
            event.listen(engine, "connect", self._on_connect)
            engine.dispose()
            # Opened now, a few connections set themselves up (the dialect's own statements
            # on connecting) before anything is counted, rather than in the first completion.
            opened = [engine.connect() for _ in range(WARM_CONNECTIONS)]
            for connection in opened:
                connection.execute(text("SELECT 1"))
                connection.close()
        self.take()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for engine in self.db.engines:
            event.remove(engine, "connect", self._on_connect)
            engine.dispose()
        for traced in self.traced:
            os.close(traced.fd)
            traced.path.unlink(missing_ok=True)
        self.folder.rmdir()

    def _on_connect(self, dbapi_connection: Any, _record: Any) -> None:
        if not self.postgres:
            dbapi_connection.set_trace_callback(self._sqlite_statement)
            return
        path = self.folder / f"{len(self.traced)}.trace"
        traced = _Traced(dbapi_connection.pgconn, path, os.open(path, os.O_WRONLY | os.O_CREAT))
        traced.start()
        self.traced.append(traced)

    def _sqlite_statement(self, _sql: str) -> None:
        self.sqlite_statements += 1

    def take(self) -> DriverCount:
        """What was sent since the last ``take``."""
        if not self.postgres:
            statements, self.sqlite_statements = self.sqlite_statements, 0
            return DriverCount(statements, None)
        statements = trips = 0
        for traced in self.traced:
            count = count_messages(traced.read_new())
            statements += count.statements
            trips += count.round_trips or 0
        return DriverCount(statements, trips)
