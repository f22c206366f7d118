"""Checking the audit trail: walk the chain and name the first row that does not hold."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.audit.recording import GENESIS_HASH, event_hash
from engine.core.models import AuditEvent


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
