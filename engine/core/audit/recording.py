"""The audit trail: an append-only, hash-chained row for every look at personal data, every
disclosure, every change and every erasure (section 62 of the Data Protection Act 2018).

``record`` does not write at once: the events of a transaction are chained and inserted when
it commits. Each row carries its place in the chain (``seq``), the hash of the row before it
and its own hash over its canonical content, so ``verify`` finds a row changed or removed
behind the service's back (and, given a hash printed earlier and kept elsewhere, a trail
rewritten with fresh hashes or cut short). The database refuses UPDATE and DELETE on the table
(triggers created with it), so the service has no way to change the trail even by mistake.

Chaining needs the head of the chain, which two committing transactions must not both read.
On PostgreSQL the committing transaction takes a transaction-scoped advisory lock just before
it inserts its events, so only the last moment of each transaction (its final flush and
commit) is serialised, never the work before it; the lock goes with the commit. SQLite
writers already hold the database's write lock for the whole transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.db import (
    OWNS_ITS_TRANSACTION,
    READ_ONLY_REFUSAL,
    advisory_lock_key,
    is_read_only,
)
from engine.core.models import AuditEvent, User

GENESIS_HASH = "0" * 64
CHAIN_LOCK_KEY = advisory_lock_key("audit-chain")
_PENDING = "casereview.audit.pending"


def record(
    session: Session,
    action: str,
    *,
    user: User | None = None,
    case_id: int | None = None,
    object_type: str = "",
    object_id: str | int = "",
    detail: dict[str, Any] | None = None,
    justification: str | None = None,
) -> AuditEvent:
    """Record an event, written with the transaction's commit (and gone if it rolls back).

    ``justification`` is the reason a role must give to read personal data (an administrator
    opening a case); it is kept in the event's detail.
    """
    if is_read_only(session):
        raise RuntimeError(READ_ONLY_REFUSAL)
    detail = dict(detail or {})
    if justification is not None:
        detail["justification"] = justification
    # Only JSON survives storage unchanged, and the hash is over what is stored.
    json.dumps(detail)
    audit_event = AuditEvent(
        at=clock.now(),
        user_id=user.id if user else None,
        organisation_id=user.organisation_id if user else None,
        action=action,
        case_id=case_id,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail,
    )
    session.info.setdefault(_PENDING, []).append(audit_event)
    return audit_event


@contextmanager
def savepoint(session: Session) -> Iterator[None]:
    """A SAVEPOINT of the session whose rollback takes with it the events recorded inside it,
    and only those: SQLAlchemy reports a savepoint's rollback as a rollback, which would
    otherwise drop every event of the transaction (``_drop_pending_events``)."""
    kept = list(session.info.get(_PENDING, []))
    try:
        with session.begin_nested():
            yield
    except BaseException:
        session.info[_PENDING] = kept
        raise


def pending(session: Session, case_id: int | None = None) -> list[AuditEvent]:
    """The events this transaction has recorded and will write when it commits (of one case,
    when given), so a page can show the look it is itself recording."""
    return [
        audit_event
        for audit_event in session.info.get(_PENDING, [])
        if case_id is None or audit_event.case_id == case_id
    ]


def canonical_content(
    *,
    seq: int,
    prev_hash: str,
    at: datetime,
    user_id: int | None,
    organisation_id: int | None,
    action: str,
    case_id: int | None,
    object_type: str,
    object_id: str,
    detail: dict[str, Any] | None,
) -> bytes:
    """The bytes an event's hash is taken over. The migration that chained the rows written
    before the chain existed (0008) repeats this; change both or neither."""
    moment = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    return json.dumps(
        [
            1,  # the form of this content, should it ever need to change
            seq,
            prev_hash,
            moment.replace(tzinfo=None).isoformat(timespec="microseconds"),
            user_id,
            organisation_id,
            action,
            case_id,
            object_type,
            object_id,
            detail or {},
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")


def event_hash(audit_event: AuditEvent, seq: int, prev_hash: str) -> str:
    return hashlib.sha256(
        canonical_content(
            seq=seq,
            prev_hash=prev_hash,
            at=audit_event.at,
            user_id=audit_event.user_id,
            organisation_id=audit_event.organisation_id,
            action=audit_event.action,
            case_id=audit_event.case_id,
            object_type=audit_event.object_type,
            object_id=audit_event.object_id,
            detail=audit_event.detail,
        )
    ).hexdigest()


_CHAIN_HEAD = select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
# The driver's own SQL, for the pipeline below.
_TAKE_CHAIN_LOCK_SQL = "SELECT pg_advisory_xact_lock(%(key)s)"
_CHAIN_HEAD_SQL = str(
    _CHAIN_HEAD.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
)


def _chain_head(executor: Session | Connection) -> tuple[int, str]:
    head = executor.execute(_CHAIN_HEAD).first()
    return (head.seq, head.hash) if head is not None else (0, GENESIS_HASH)


def _locked_chain_head(connection: Connection) -> tuple[int, str]:
    """The chain's head, read by the only transaction that may append to it until it ends.

    On PostgreSQL the lock and the read go to the server in one round trip (the driver's
    pipeline): the read is a statement of its own, so its snapshot is taken once the lock is
    held and it sees what the lock's last holder committed. Every writer waits for this lock,
    and a worker busy with other requests is slow to send its next statement, so each round
    trip spent holding it is one that every other committing transaction waits through.
    """
    if connection.dialect.name != "postgresql":
        return _chain_head(connection)
    driver = connection.connection.driver_connection
    if driver is None:
        raise RuntimeError("the connection to append audit events on has been closed")
    driver_error = connection.dialect.loaded_dbapi.Error
    try:
        with driver.cursor() as cursor:
            # Both statements and one Sync go out together when the pipeline ends, and both
            # results come back with it; fetching inside the block would wait twice.
            with driver.pipeline():
                cursor.execute(_TAKE_CHAIN_LOCK_SQL, {"key": CHAIN_LOCK_KEY})
                cursor.execute(_CHAIN_HEAD_SQL)
            head = cursor.fetchone()
    except driver_error as error:
        # As SQLAlchemy would raise it, so callers see one kind of error whoever sent the
        # statement: a lock wait cut short or a database gone away is the service's 503.
        raise DBAPIError.instance(
            f"{_TAKE_CHAIN_LOCK_SQL}; {_CHAIN_HEAD_SQL}",
            {"key": CHAIN_LOCK_KEY},
            error,
            driver_error,
            dialect=connection.dialect,
        ) from error
    return (head[0], head[1]) if head is not None else (0, GENESIS_HASH)


def chain_rows(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Give plain audit rows, written in bulk outside a Session (``demo-load``), their place
    in the chain, as a commit gives the events ``record`` keeps; call it inside the
    transaction that inserts them."""
    if not rows:
        return
    seq, prev_hash = _locked_chain_head(connection)
    for row in rows:
        seq += 1
        content = canonical_content(
            seq=seq,
            prev_hash=prev_hash,
            at=row["at"],
            user_id=row.get("user_id"),
            organisation_id=row.get("organisation_id"),
            action=row["action"],
            case_id=row.get("case_id"),
            object_type=row.get("object_type", ""),
            object_id=str(row.get("object_id", "")),
            detail=row.get("detail"),
        )
        row.update(seq=seq, prev_hash=prev_hash, hash=hashlib.sha256(content).hexdigest())
        prev_hash = row["hash"]


# The table as the Table it is (a declarative class's ``__table__`` is typed as any FROM clause).
_AUDIT_EVENTS = AuditEvent.metadata.tables[AuditEvent.__tablename__]
_WRITTEN_COLUMNS = (
    "seq",
    "prev_hash",
    "hash",
    "at",
    "user_id",
    "organisation_id",
    "action",
    "case_id",
    "object_type",
    "object_id",
    "detail",
)


@event.listens_for(Session, "before_commit")
def _append_pending_events(session: Session) -> None:
    if session.in_nested_transaction():
        # A savepoint's release: its events wait for the transaction's own commit, so the
        # chain's lock is taken once per transaction, at its very end.
        return
    waiting: list[AuditEvent] = session.info.pop(_PENDING, [])
    if not waiting:
        return
    # Everything else first, so the lock below is held for as short a time as possible.
    session.flush()
    seq, prev_hash = _locked_chain_head(session.connection())
    for audit_event in waiting:
        seq += 1
        audit_event.seq = seq
        audit_event.prev_hash = prev_hash
        audit_event.hash = prev_hash = event_hash(audit_event, seq, prev_hash)
    # One INSERT for all the events rather than one each: nothing reads their ids back.
    rows = [
        {column: getattr(audit_event, column) for column in _WRITTEN_COLUMNS}
        for audit_event in waiting
    ]
    connection = session.connection()
    if connection.dialect.name == "postgresql" and session.info.get(OWNS_ITS_TRANSACTION):
        _insert_and_commit(session, connection, rows)
    else:
        session.execute(insert(_AUDIT_EVENTS), rows)


def _insert_and_commit(
    session: Session, connection: Connection, rows: list[dict[str, Any]]
) -> None:
    """The events' INSERT and the transaction's COMMIT in one round trip (the driver's
    pipeline), while the chain's lock is held: the lock ends with the commit, so every other
    committing transaction waits through each round trip spent here. This is the last thing
    the transaction does (everything else was flushed before the lock was taken); the
    session's own commit then finds nothing left to commit. Either both happen or neither:
    an INSERT that fails leaves the transaction aborted, and the COMMIT after it rolls back.
    """
    driver = connection.connection.driver_connection
    if driver is None:
        raise RuntimeError("the connection to append audit events on has been closed")
    driver_error = connection.dialect.loaded_dbapi.Error
    try:
        with driver.pipeline():
            # ``inline``: no RETURNING of the new row's id, whose result only the pipeline's
            # end would bring back.
            session.execute(insert(_AUDIT_EVENTS).inline(), rows)
            driver.execute("COMMIT")
    except driver_error as error:
        raise DBAPIError.instance(
            "INSERT INTO audit_events ...; COMMIT",
            None,
            error,
            driver_error,
            dialect=connection.dialect,
        ) from error


@event.listens_for(Session, "after_rollback")
def _drop_pending_events(session: Session) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "before_flush")
def _refuse_unchained_events(session: Session, _context: Any, _instances: Any) -> None:
    for instance in session.new:
        if isinstance(instance, AuditEvent) and instance.hash is None:
            raise RuntimeError("audit events are written through engine.core.audit.record only")
