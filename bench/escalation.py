"""The daily escalation sweep, timed on the first working day after the load."""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import func, select

from bench.measure import Row, say
from engine.core import clock
from engine.core.db import Database
from engine.core.models import (
    Task,
)


def escalation_sweep(db: Database, label: str) -> list[Row]:
    """The daily sweep: one sweep clears what piled up before the benchmark's first working day
    (a weekend's worth, untimed), then the next day's sweep is timed."""
    from engine.chasing.escalation import chase_due

    def next_day() -> tuple[datetime, int, int]:
        with db.read() as session:
            live = session.scalar(
                select(func.count()).select_from(Task).where(Task.state.in_(["open", "claimed"]))
            )
            day = session.scalar(
                select(func.min(Task.next_chase_on)).where(Task.state.in_(["open", "claimed"]))
            )
            due = session.scalar(
                select(func.count())
                .select_from(Task)
                .where(Task.state.in_(["open", "claimed"]), Task.next_chase_on <= day)
            )
        return datetime.combine(day, datetime.min.time().replace(hour=9)), live, due

    moment, _live, _due = next_day()
    with clock.using_clock(clock.FixedClock(moment)):
        chase_due(db)
    moment, live, due = next_day()
    with clock.using_clock(clock.FixedClock(moment)):
        started = time.perf_counter()
        result = chase_due(db)
        seconds = time.perf_counter() - started
    say(f"  {label}: {due} due of {live} live on {moment:%a %d %b}; {result}; {seconds:.2f} s")
    # The sweep reads only the due tasks (an index range), so its time grows with them, not
    # with the live tasks; the demo data has more than 1,000 due on a day, so the row gives the
    # time per 1,000.
    per_thousand = round(seconds * 1000 / max(due, 1), 3)
    return [
        Row(
            f"Escalation sweep per 1,000 due tasks ({live:,} live, {due:,} due: {seconds:.2f} s; "
            f"{result.reminded} reminded, {result.escalated} escalated; {label})",
            per_thousand,
            "s",
            "< 1",
            per_thousand < 1,
        )
    ]
