"""How long each step took, counted as its tasks are completed (``StepDuration``), so that how
the procedure runs (``engine.work.step_timings``) sums a few rows per step and month instead
of reading every task ever completed.

A completed task counts once, for the version of the process its instance runs on, on the day
it was completed in England, with the working days (``engine.core.workdays``) from the day it
was made to that day, 0 the same day, and whether that day was no later than its due date.
Completing a task adds it (``count_completion``, in the completion's own transaction); moving
an instance to another version moves its completed tasks' counts with it
(``move_instance_counts``). Nothing else changes a completed task: reassigning, claiming and
releasing touch live tasks only, and erasing a case's personal data keeps its task rows.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CTE, Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from engine.core.clock import LOCAL_ZONE
from engine.core.models import StepDuration, Task
from engine.core.workdays import working_days_between

assert isinstance(StepDuration.__table__, Table)
_TABLE: Table = StepDuration.__table__
_KEY = ("definition_id", "whole_month", "done_on", "spec_name", "working_days")
_COUNTS = ("tasks", "with_due", "on_time")


def _adding(insert: Any) -> Any:
    """INSERT the rows, or add their counts to those already there."""
    statement = insert(_TABLE)
    return statement.on_conflict_do_update(
        index_elements=list(_KEY),
        set_={name: _TABLE.c[name] + statement.excluded[name] for name in _COUNTS},
    )


# Built once: every completion runs one.
_ADD = {"postgresql": _adding(postgresql.insert), "sqlite": _adding(sqlite.insert)}

# (version, task, day completed, working days taken): tasks, with a due date, on time
Counts = dict[tuple[int, str, date, int], list[int]]


def local_day(moment: datetime) -> date:
    """The day in England of a stored (UTC) moment."""
    return moment.astimezone(LOCAL_ZONE).date()


def count(
    counts: Counts,
    definition_id: int,
    spec_name: str,
    created_at: datetime,
    completed_at: datetime,
    due_on: date | None,
) -> None:
    """Add one completed task to ``counts``."""
    done = local_day(completed_at)
    taken = max(0, working_days_between(local_day(created_at), done))
    row = counts.setdefault((definition_id, spec_name, done, taken), [0, 0, 0])
    row[0] += 1
    if due_on is not None:
        row[1] += 1
        row[2] += done <= due_on


def add_counts(executor: Session | Connection, counts: Counts, sign: int = 1) -> None:
    """Add (``sign`` -1: take away) ``counts`` to the stored rows, each day's and its
    month's, making the rows not there yet."""
    rows: dict[tuple[Any, ...], list[int]] = {}
    for (definition_id, spec_name, done, taken), figures in counts.items():
        for whole_month, day in ((False, done), (True, done.replace(day=1))):
            row = rows.setdefault((definition_id, whole_month, day, spec_name, taken), [0, 0, 0])
            for index, figure in enumerate(figures):
                row[index] += sign * figure
    if not rows:
        return
    bind = executor.get_bind() if isinstance(executor, Session) else executor
    executor.execute(_ADD[bind.dialect.name], _as_rows(rows))


def _as_rows(rows: dict[tuple[Any, ...], list[int]]) -> list[dict[str, Any]]:
    # In the order of the key, so that two transactions adding to the same rows take their
    # locks in the same order.
    return [
        {**dict(zip(_KEY, key, strict=True)), **dict(zip(_COUNTS, figures, strict=True))}
        for key, figures in sorted(rows.items())
    ]


def _completion_counts(task: Task, definition_id: int, completed_at: datetime) -> Counts:
    counts: Counts = {}
    count(counts, definition_id, task.spec_name, task.created_at, completed_at, task.due_on)
    return counts


def count_completion(session: Session, task: Task, definition_id: int) -> None:
    """Count ``task``, just completed on an instance of ``definition_id``, in the completion's
    transaction."""
    assert task.completed_at is not None
    add_counts(session, _completion_counts(task, definition_id, task.completed_at))


def counting_completion(task: Task, definition_id: int, completed_at: datetime) -> CTE:
    """What ``count_completion`` does, as a PostgreSQL WITH clause for the completion's one
    statement to carry, so that counting costs no round trip of its own."""
    rows: dict[tuple[Any, ...], list[int]] = {}
    for (version, spec_name, done, taken), figures in _completion_counts(
        task, definition_id, completed_at
    ).items():
        for whole_month, day in ((False, done), (True, done.replace(day=1))):
            rows[(version, whole_month, day, spec_name, taken)] = list(figures)
    return _ADD["postgresql"].values(_as_rows(rows)).cte("counted")


def move_instance_counts(
    session: Session, instance_id: int, source_id: int, target_id: int
) -> None:
    """The completed tasks of an instance moving from one version to another count for the
    version it runs on now."""
    completed = session.execute(
        select(Task.spec_name, Task.created_at, Task.completed_at, Task.due_on).where(
            Task.instance_id == instance_id, Task.state == "completed"
        )
    ).all()
    if not completed:
        return
    before: Counts = {}
    after: Counts = {}
    for spec_name, created_at, completed_at, due_on in completed:
        if completed_at is None:
            continue
        count(before, source_id, spec_name, created_at, completed_at, due_on)
        count(after, target_id, spec_name, created_at, completed_at, due_on)
    add_counts(session, before, sign=-1)
    add_counts(session, after)
    session.execute(
        delete(StepDuration).where(StepDuration.definition_id == source_id, StepDuration.tasks <= 0)
    )
