"""Completing a task through the service, in process and over HTTP, against the engine floor;
and where a completion's time goes."""

from __future__ import annotations

import http.client
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event

from bench.floor import STEP_USER, engine_floor, step_data, step_tasks
from bench.measure import Row, ms, say
from bench.service import api_token, app_for
from engine.core.config import load_settings
from engine.core.db import Database


def floor_and_service(
    env: dict[str, str], db: Database, label: str, sample: int, http_base: str | None = None
) -> list[Row]:
    settings = load_settings(env)
    app = app_for(env, db)
    client = app.test_client()
    token = api_token(client, STEP_USER)
    headers = {"Authorization": f"Bearer {token}"}
    rows = []
    ways: list[tuple[str, Callable[[int], int]]] = [
        (
            "in-process client",
            lambda task_id: (
                client.post(
                    f"/api/v1/tasks/{task_id}/complete", json={"data": step_data()}, headers=headers
                ).status_code
            ),
        )
    ]
    if http_base:
        ways.append(
            ("real HTTP, gunicorn", lambda task_id: http_complete(http_base, token, task_id))
        )
    available = step_tasks(db, sample * (len(ways) + 1))
    share = max(1, len(available) // (len(ways) + 1))
    for number, (way, complete) in enumerate(ways):
        tasks = available[number * share : (number + 1) * share]
        if not tasks:
            say(f"  {label} {way}: no meeting left to schedule at this scale; skipped")
            continue
        floors, ends = [], []
        for task_id in tasks:
            floors.append(engine_floor(db, settings, task_id))
            started = time.perf_counter()
            status = complete(task_id)
            ends.append(time.perf_counter() - started)
            if status != 200:
                raise RuntimeError(f"completing task {task_id} answered {status}")
        floor, end = statistics.median(floors), statistics.median(ends)
        ratio = round(end / floor, 2)
        say(f"  {label} {way}: floor p50 {ms(floor)} ms, end-to-end p50 {ms(end)} ms")
        rows.append(
            Row(
                f"Task completion p50 / engine floor p50 ({way}, {label}; "
                f"{ms(end)} ms / {ms(floor)} ms, {len(tasks)} tasks)",
                ratio,
                "x",
                "<= 1.5",
                ratio <= 1.5,
            )
        )
    measured = available[len(ways) * share : (len(ways) + 1) * share]
    if measured:
        rows += where_the_time_goes(db, label, measured, ways[0][1])
    return rows


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
        engine.dialect.do_commit = committing(engine.dialect.do_commit)
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


def http_complete(base: str, token: str, task_id: int) -> int:
    host, port = base.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        connection.request(
            "POST",
            f"/api/v1/tasks/{task_id}/complete",
            body=json.dumps({"data": step_data()}),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()
