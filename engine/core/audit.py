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

import csv
import hashlib
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.db import READ_ONLY_REFUSAL, advisory_lock_key, is_read_only
from engine.core.models import AuditEvent, Case, Organisation, User

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
    session.execute(
        insert(AuditEvent.__table__),
        [
            {column: getattr(audit_event, column) for column in _WRITTEN_COLUMNS}
            for audit_event in waiting
        ],
    )


@event.listens_for(Session, "after_rollback")
def _drop_pending_events(session: Session) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "before_flush")
def _refuse_unchained_events(session: Session, _context: Any, _instances: Any) -> None:
    for instance in session.new:
        if isinstance(instance, AuditEvent) and instance.hash is None:
            raise RuntimeError("audit events are written through engine.core.audit.record only")


# -- checking the chain ----------------------------------------------------------------------


@dataclass(frozen=True)
class ChainBreak:
    """The first place the chain does not hold, in words an administrator can act on."""

    event_id: int | None
    seq: int
    reason: str

    def __str__(self) -> str:
        where = f"audit event {self.event_id} (position {self.seq})"
        return f"{where}: {self.reason}" if self.event_id is not None else self.reason


@dataclass(frozen=True)
class ChainReport:
    events: int
    head_seq: int
    head_hash: str
    broken: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def _in_chain_order(session: Session, batch: int = 1000) -> Iterator[AuditEvent]:
    after = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > after).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq
        session.expunge_all()


def _problem(row: AuditEvent, expected_seq: int, prev_hash: str) -> str | None:
    if row.seq != expected_seq:
        missing = (
            f"{expected_seq}"
            if row.seq == expected_seq + 1
            else (f"{expected_seq} to {row.seq - 1}")
        )
        return f"the event(s) at position {missing} are missing"
    if row.prev_hash != prev_hash:
        return "it does not follow the event before it"
    if row.hash != event_hash(row, row.seq, row.prev_hash):
        return "its content was changed after it was written"
    return None


def verify(session: Session, expected: Mapping[int, str] | None = None) -> ChainReport:
    """Walk the whole chain; the report names the first row that does not hold.

    The chain shows a row changed or removed on its own. Someone able to rewrite the table
    could also recompute every hash after their change, so ``expected`` takes hashes printed
    by an earlier check and kept away from the database (position -> hash): a trail rewritten
    at or before one of those positions no longer matches it.
    """
    expected = dict(expected or {})
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    for row in _in_chain_order(session):
        count += 1
        problem = _problem(row, expected_seq, prev_hash)
        if problem is None and row.seq in expected and expected.pop(row.seq) != row.hash:
            problem = "its hash is not the one recorded for this position earlier"
        if problem is not None:
            return ChainReport(count, row.seq, row.hash, ChainBreak(row.id, row.seq, problem))
        expected_seq, prev_hash = row.seq + 1, row.hash
    if expected:
        position = min(expected)
        return ChainReport(
            count,
            expected_seq - 1,
            prev_hash,
            ChainBreak(None, position, f"the event at position {position} is missing"),
        )
    return ChainReport(count, expected_seq - 1, prev_hash, None)


# -- export for an administrator -------------------------------------------------------------

EXPORT_COLUMNS = (
    "id",
    "seq",
    "at",
    "user_email",
    "user_name",
    "organisation",
    "action",
    "case_reference",
    "object_type",
    "object_id",
    "justification",
    "detail",
    "hash",
)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=clock.LOCAL_ZONE).astimezone(UTC)


def export_events(
    session: Session,
    first: date,
    last: date,
    *,
    user: User | None = None,
    channel: str = "",
) -> list[dict[str, Any]]:
    """Every event from the start of ``first`` to the end of ``last`` (UK days, both
    included), in chain order. The export itself is recorded: it discloses who looked at
    what."""
    if last < first:
        raise ValueError("the end of the range is before its start")
    rows = session.execute(
        select(
            AuditEvent,
            User.email,
            User.name,
            Organisation.key,
            Case.reference,
        )
        .outerjoin(User, User.id == AuditEvent.user_id)
        .outerjoin(Organisation, Organisation.id == AuditEvent.organisation_id)
        .outerjoin(Case, Case.id == AuditEvent.case_id)
        .where(
            AuditEvent.at >= _day_start(first),
            AuditEvent.at < _day_start(last + timedelta(days=1)),
        )
        .order_by(AuditEvent.seq)
    ).all()
    exported = [
        {
            "id": row.id,
            "seq": row.seq,
            "at": row.at.isoformat(),
            "user_email": email,
            "user_name": name,
            "organisation": organisation,
            "action": row.action,
            "case_reference": reference,
            "object_type": row.object_type,
            "object_id": row.object_id,
            "justification": (row.detail or {}).get("justification"),
            "detail": dict(row.detail or {}),
            "hash": row.hash,
        }
        for row, email, name, organisation, reference in rows
    ]
    record(
        session,
        "audit.exported",
        user=user,
        object_type="audit_trail",
        object_id=f"{first.isoformat()}..{last.isoformat()}",
        detail={
            "from": first.isoformat(),
            "to": last.isoformat(),
            "events": len(exported),
            **({"channel": channel} if channel else {}),
        },
    )
    return exported


def render_csv(events: list[dict[str, Any]]) -> str:
    """The export as CSV, header row first; ``detail`` is its JSON."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for item in events:
        cells = {**item, "detail": json.dumps(item["detail"], sort_keys=True, ensure_ascii=False)}
        writer.writerow({key: _inert(value) for key, value in cells.items()})
    return buffer.getvalue()


def _inert(value: Any) -> Any:
    # A spreadsheet would run a cell starting like a formula (a name or a reason typed in).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
