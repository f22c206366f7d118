"""The audit trail: an append-only, hash-chained row for every look at personal data, every
disclosure, every change and every erasure (section 62 of the Data Protection Act 2018).

Callers use it as one module (``audit.record(...)``, ``audit.verify(...)``); inside it:

- ``recording``: recording events, and chaining them as the transaction that recorded them
  commits (also for rows written in bulk outside a Session);
- ``verification``: walking the chain to find the first row that does not hold;
- ``sentences``: an event as a sentence people read;
- ``export``: the events of a range of days for an administrator, and as CSV.
"""

from engine.core.audit.export import EXPORT_COLUMNS, export_events, render_csv
from engine.core.audit.recording import (
    CHAIN_LOCK_KEY,
    GENESIS_HASH,
    canonical_content,
    chain_rows,
    event_hash,
    pending,
    record,
    savepoint,
)
from engine.core.audit.sentences import describe, task_titles
from engine.core.audit.verification import ChainBreak, ChainReport, verify

__all__ = [
    "CHAIN_LOCK_KEY",
    "EXPORT_COLUMNS",
    "GENESIS_HASH",
    "ChainBreak",
    "ChainReport",
    "canonical_content",
    "describe",
    "chain_rows",
    "event_hash",
    "export_events",
    "pending",
    "record",
    "render_csv",
    "savepoint",
    "task_titles",
    "verify",
]
