"""Where a completion's time goes: the meeting's scheduling, completed through the service in
process, its time split between the database, SpiffWorkflow and the rest."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import event, select

from bench.measure import Row, ms, say
from bench.service import api_token, app_for
from engine.core import clock
from engine.core.db import Database
from engine.core.models import Organisation, Task, TaskCandidate, User

STEP_TASK = "schedule_meeting"
STEP_USER = "caseworker@dales.example.org"


def step_tasks(db: Database, count: int) -> list[int]:
    """Open meeting-scheduling tasks of the case review diagram a Dales caseworker can do."""
    with db.read() as session:
        user_id = session.scalar(select(User.id).where(User.email == STEP_USER))
        council = session.scalar(
            select(Organisation.id).where(Organisation.key == "derbyshire-dales-district-council")
        )
        return list(
            session.scalars(
                select(Task.id)
                .join(TaskCandidate, TaskCandidate.task_id == Task.id)
                .where(
                    Task.spec_name == STEP_TASK,
                    Task.state.in_(["open", "claimed"]),
                    (Task.assignee_id.is_(None)) | (Task.assignee_id == user_id),
                    TaskCandidate.organisation_id == council,
                )
                .order_by(Task.id)
                .limit(count)
            )
        )


def step_data() -> dict[str, str]:
    return {
        "chair_email": "chair@highpeak.example.org",
        "meeting_date": (clock.today() + timedelta(days=14)).isoformat(),
    }


def time_split(env: dict[str, str], db: Database, label: str, sample: int) -> list[Row]:
    """``where_the_time_goes`` for up to ``sample`` meetings scheduled in process."""
    client = app_for(env, db).test_client()
    headers = {"Authorization": f"Bearer {api_token(client, STEP_USER)}"}

    def complete(task_id: int) -> int:
        answer = client.post(
            f"/api/v1/tasks/{task_id}/complete", json={"data": step_data()}, headers=headers
        )
        return answer.status_code

    tasks = step_tasks(db, sample + 1)
    if len(tasks) < 2:
        say(f"  {label}: no meeting left to schedule at this scale; time split skipped")
        return []
    complete(tasks[0])  # the first completion warms what every later one finds ready
    return where_the_time_goes(db, label, tasks[1:], complete)


def where_the_time_goes(
    db: Database, label: str, tasks: list[int], complete: Callable[[int], int]
) -> list[Row]:
    """A completion's time split three ways: the database and its driver (statements and
    commits timed as they run), SpiffWorkflow (loading, running and dumping the workflow) and
    the rest: Flask, SQLAlchemy's ORM and the service's own checks and records. Informational
    rows.
    On PostgreSQL the audit chain's lock and head go through the driver's pipeline, unseen by
    SQLAlchemy's events: their round trip counts in the rest, and they are not counted."""
    from engine.runtime import bpmn

    spent = {"database": 0.0, "engine": 0.0, "statements": 0.0}

    def statement_started(connection: Any, *_: Any) -> None:
        connection.info["bench_started"] = time.perf_counter()

    def statement_done(connection: Any, *_: Any) -> None:
        spent["database"] += time.perf_counter() - connection.info.pop("bench_started")
        spent["statements"] += 1

    def timing(step: Callable[..., Any]) -> Callable[..., Any]:
        def timed_step(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return step(*args, **kwargs)
            finally:
                spent["engine"] += time.perf_counter() - started

        return timed_step

    steps = {
        name: getattr(bpmn, name) for name in ("load_workflow", "run_human_task", "dump_workflow")
    }

    def committing(commit: Callable[[Any], None]) -> Callable[[Any], None]:
        # A commit waits for the database to make the transaction durable (an fsync on
        # SQLite, the write-ahead log's flush on PostgreSQL): database time, not the rest's.
        def timed_commit(dbapi_connection: Any) -> None:
            started = time.perf_counter()
            try:
                commit(dbapi_connection)
            finally:
                spent["database"] += time.perf_counter() - started

        return timed_commit

    for engine in db.engines:
        event.listen(engine, "before_cursor_execute", statement_started)
        event.listen(engine, "after_cursor_execute", statement_done)
        # An attribute of the instance, over the class's method, until the run ends.
        setattr(engine.dialect, "do_commit", committing(engine.dialect.do_commit))  # noqa: B010
    for name, step in steps.items():
        setattr(bpmn, name, timing(step))
    started = time.perf_counter()
    try:
        for task_id in tasks:
            if complete(task_id) != 200:
                raise RuntimeError(f"completing task {task_id} failed")
    finally:
        total = time.perf_counter() - started
        for name, step in steps.items():
            setattr(bpmn, name, step)
        for engine in db.engines:
            event.remove(engine, "before_cursor_execute", statement_started)
            event.remove(engine, "after_cursor_execute", statement_done)
            del engine.dialect.do_commit
    count = len(tasks)
    rest = total - spent["database"] - spent["engine"]
    say(
        f"  {label} where a completion's time goes: {ms(total / count)} ms, of which database "
        f"{ms(spent['database'] / count)} ms ({spent['statements'] / count:g} statements), "
        f"SpiffWorkflow {ms(spent['engine'] / count)} ms, the rest {ms(rest / count)} ms"
    )
    name = f"A completion's time (in-process client, {label}, mean of {count})"
    return [
        Row(
            f"{name}: statements, commits and their driver",
            ms(spent["database"] / count),
            "ms",
            "",
            None,
        ),
        Row(
            f"{name}: SpiffWorkflow (load, run, dump)", ms(spent["engine"] / count), "ms", "", None
        ),
        Row(f"{name}: the rest (Flask, ORM, the service)", ms(rest / count), "ms", "", None),
        Row(f"{name}: SQL statements", round(spent["statements"] / count, 1), "", "", None),
    ]
