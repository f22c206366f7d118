"""Database connections, transactions and the locking rules of both supported databases.

SQLite is the embedded default: a write transaction takes the database write lock at its
start (``BEGIN IMMEDIATE``) so two writers queue instead of failing half-way. PostgreSQL is
the production database: a write takes row locks (``SELECT ... FOR UPDATE``) on what it changes.
"""

from __future__ import annotations

import hashlib
import select as io_select
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import DateTime, create_engine, event, func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, DisconnectionError, NoSuchModuleError
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker
from sqlalchemy.types import TypeDecorator


class DatabaseConfigError(RuntimeError):
    """The configured database URL is wrong or the database cannot be reached."""


class UTCDateTime(TypeDecorator):
    """Stores UTC without a zone (SQLite has none) and always hands back aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing to store a date-time without a timezone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


@dataclass
class Database:
    """One configured database: a writer engine, a reader engine and their sessions."""

    url: str
    writer: Engine
    reader: Engine

    def __post_init__(self) -> None:
        self._write_sessions = sessionmaker(
            self.writer, expire_on_commit=False, info={OWNS_ITS_TRANSACTION: True}
        )
        self._read_sessions = sessionmaker(
            self.reader, expire_on_commit=False, info={READ_ONLY: True}
        )
        event.listen(self._read_sessions, "before_flush", _refuse_writes)
        event.listen(self._read_sessions, "do_orm_execute", _refuse_write_statements)

    @property
    def is_sqlite(self) -> bool:
        return self.writer.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction: all of it commits, or none of it does."""
        with self._write_sessions() as session, session.begin():
            yield session

    def before_commit(self, listener: Callable[[Session], None]) -> None:
        """Call ``listener`` with each write transaction's session just before it commits
        (what it did is in ``session.info[WORK]``), before the audit trail's events are
        written and its lock taken; for tests that stop a process there."""
        event.listen(self._write_sessions, "before_commit", listener, insert=True)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read_sessions() as session, session.begin():
            yield session

    @property
    def engines(self) -> list[Engine]:
        """The engines with their own connections: listening to these hears every statement
        once (a PostgreSQL reader uses its writer's connections and events)."""
        if self.reader.pool is self.writer.pool:
            return [self.writer]
        return [self.writer, self.reader]

    def dispose(self) -> None:
        for engine in self.engines:
            engine.dispose()


def advisory_lock_key(name: str) -> int:
    """The key of one of the service's named PostgreSQL advisory locks."""
    digest = hashlib.sha256(f"casereview:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def per_transaction(key: str) -> str:
    """``key`` of ``session.info``, for what a transaction notes for itself alone: forgotten
    whenever a session's outermost transaction ends, committed or not."""

    def forget(session: Session, transaction: Any) -> None:
        if transaction.parent is None:
            session.info.pop(key, None)

    event.listen(Session, "after_transaction_end", forget)
    return key


def take_turns(session: Session, name: str) -> None:
    """Hold the named lock until the transaction ends, so that two transactions about to
    write the same thing at once take turns (PostgreSQL; SQLite's writers already queue)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(advisory_lock_key(name))))


Key = TypeVar("Key")
Value = TypeVar("Value")


class PerDatabase(Generic[Key, Value]):
    """A cache of what never changes once written (a deployed definition's specs), one per
    database: ids repeat across databases. Keyed by the connection pool, which a PostgreSQL
    reader shares with its writer, so reads and writes fill one cache, not two."""

    def __init__(self) -> None:
        self._by_pool: WeakKeyDictionary[Any, dict[Key, Value]] = WeakKeyDictionary()

    def of(self, session: Session) -> dict[Key, Value]:
        bind = session.get_bind()
        engine = bind if isinstance(bind, Engine) else bind.engine
        return self._by_pool.setdefault(engine.pool, {})


# What a write transaction does, for whoever listens before it commits: "task completion".
WORK = "casereview.work"
# A read may run without a transaction (PostgreSQL), where a write would not be atomic and a
# transaction lock would end with its statement: a read session refuses to write.
READ_ONLY = "casereview.read_only"
READ_ONLY_REFUSAL = "a read (Database.read) tried to write; use Database.transaction"


# A write session of ``Database.transaction``, whose commit ends a transaction of its own (not
# one its caller began on the connection): the audit trail may send the COMMIT itself.
OWNS_ITS_TRANSACTION = "casereview.owns_its_transaction"


def is_read_only(session: Session) -> bool:
    return bool(session.info.get(READ_ONLY))


def _refuse_writes(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise RuntimeError(READ_ONLY_REFUSAL)


def _refuse_write_statements(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        raise RuntimeError(READ_ONLY_REFUSAL)


def _sqlite_engine(url: str, immediate: bool) -> Engine:
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # The driver's own transaction handling starts transactions late; we issue BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode, NORMAL syncs the log at checkpoints rather than at every commit: a power
        # loss or a crash of the machine (not of the service) may lose the last transactions
        # committed before it, never the database's consistency (the README says so). The
        # fsync at each commit was most of a completion's time on SQLite.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


# A pooled PostgreSQL connection idle this long is closed rather than used, before a firewall
# or the server's idle timeout closes it silently (docs/operations.md).
POOL_RECYCLE_SECONDS = 1800


def _refuse_closed_by_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Refuse a pooled PostgreSQL connection that the server has closed since it was last used
    (a restart, a failover, ``pg_terminate_backend``), so the pool opens a fresh one.

    No round trip, unlike a ping on every checkout: an idle connection has nothing to read
    unless the server said goodbye (its FATAL message, or the socket's end), so a socket
    that is readable now marks it as gone. Whatever it was, a fresh connection is safe. A
    connection dropped with no word from the server (a cable, a firewall) is caught by
    ``pool_recycle`` when old, and otherwise fails its first statement, which invalidates
    the pool's connections (SQLAlchemy's handling of a disconnect): one request answers 503.
    """
    if dbapi_connection.closed:
        raise DisconnectionError("the connection was closed")
    try:
        # poll, not select: select refuses a descriptor numbered 1024 or more.
        poller = io_select.poll()
        poller.register(dbapi_connection.fileno(), io_select.POLLIN)
        said_something = poller.poll(0)
    except (OSError, ValueError):
        raise DisconnectionError("the connection's socket is gone") from None
    if said_something:
        raise DisconnectionError("the server closed the connection while it was idle")


def connect(url: str) -> Database:
    """Open the database at ``url``, or raise DatabaseConfigError with one clear line."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseConfigError(
            f"CASEREVIEW_DATABASE_URL '{url}' is not a database URL; "
            "use sqlite:///path/to/file.db or postgresql://user@host:5432/name"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        database = Database(url, _sqlite_engine(url, True), _sqlite_engine(url, False))
    elif backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        try:
            engine = create_engine(
                parsed, pool_size=10, max_overflow=20, pool_recycle=POOL_RECYCLE_SECONDS
            )
        except NoSuchModuleError:
            raise DatabaseConfigError(f"no driver for '{parsed.drivername}'") from None
        event.listen(engine, "checkout", _refuse_closed_by_server)
        # Reads run without a transaction: at READ COMMITTED every statement has its own
        # snapshot anyway, and a transaction around a read cost a BEGIN and a ROLLBACK, two
        # round trips, on every request.
        database = Database(url, engine, engine.execution_options(isolation_level="AUTOCOMMIT"))
    else:
        raise DatabaseConfigError(
            f"CASEREVIEW_DATABASE_URL uses '{backend}', which is not supported; "
            "use sqlite or postgresql"
        )
    check_reachable(database)
    return database


def check_reachable(database: Database) -> None:
    try:
        with database.reader.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        safe_url = make_url(database.url).render_as_string(hide_password=True)
        database.dispose()
        raise DatabaseConfigError(f"cannot reach the database at {safe_url}: {reason}") from None
