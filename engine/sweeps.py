"""Work that falls due with time, run by the scheduler or on demand by ``casereview run-due``."""

from __future__ import annotations

from engine.db import Database
from engine.procedure import fire_due_timers


def run_due(db: Database) -> dict[str, int]:
    """Run every sweep once at the clock's current time; each counts what it did."""
    return {"timers_fired": fire_due_timers(db)}
