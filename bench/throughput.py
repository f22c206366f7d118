"""Throughput over HTTP against PostgreSQL: many clients completing information returns and
the risk assessments beside them for a while, with the errors and lost updates counted
afterwards."""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

from sqlalchemy import func, select

from bench.measure import Row, say
from bench.processes import ProcessorTime, processor_rows, worker_rss_mb
from bench.server import THREADS, WORKERS
from bench.service import api_token, app_for
from development.demo import STANDARD_RISK
from engine.core.db import Database
from engine.core.models import (
    ProcessDefinition,
    ProcessInstance,
    Task,
    TaskCandidate,
    User,
)

# The targets: completions a second on this two-core machine, with no error and no
# lost update (the workers' processor time per completion is in ``bench.processes``).
TARGET_RATE = 300
RETURN_DATA = {"incidents": [], "actions_taken": "Advice given", "view": "Supports a review"}
# The tasks the threshold decision waits for, all done side by side: the last of them to be
# completed must start the decision, once, however the completions meet.
BODIES = {
    "information_return": json.dumps({"data": RETURN_DATA}).encode(),
    "risk_assessment": json.dumps({"data": STANDARD_RISK}).encode(),
}


Job = tuple[int, int, str, bytes]  # case, task, token, the request's body


def return_jobs(db: Database, tokens: dict[int, str]) -> list[Job]:
    """Every open information return and risk assessment, a case's together."""
    with db.read() as session:
        rows = session.execute(
            select(
                Task.case_id, Task.id, TaskCandidate.organisation_id, Task.assignee_id, Task.form
            )
            .join(TaskCandidate, TaskCandidate.task_id == Task.id)
            .where(Task.form.in_(list(BODIES)), Task.state.in_(["open", "claimed"]))
            .order_by(Task.case_id, Task.id)
        ).all()
        officers = officers_by_organisation(session)
    jobs = []
    for case_id, task_id, organisation_id, assignee_id, form in rows:
        user_id = assignee_id or officers.get(organisation_id)
        if user_id in tokens:
            jobs.append((case_id, task_id, tokens[user_id], BODIES[form]))
    return jobs


def officers_by_organisation(session: Any) -> dict[int, int]:
    """One officer per organisation: demo users, those demo-load made for every district."""
    found: dict[int, int] = {}
    for user_id, organisation_id, email in session.execute(
        select(User.id, User.organisation_id, User.email).order_by(User.id)
    ):
        if email.startswith(("caseworker@", "police@", "health@", "housing@")):
            found.setdefault(organisation_id, user_id)
    return found


def throughput(
    env: dict[str, str],
    db: Database,
    base: str,
    master_pid: int,
    seconds: int,
    clients: int,
    postgres_database: str | None,
) -> list[Row]:
    from engine.runtime import bpmn

    app = app_for(env, db)
    local = app.test_client()
    with db.read() as session:
        officers = officers_by_organisation(session)
        emails = dict(session.execute(select(User.id, User.email)).all())
    tokens = {user_id: api_token(local, emails[user_id]) for user_id in set(officers.values())}
    jobs = return_jobs(db, tokens)
    say(f"  {len(jobs)} returns and risk assessments waiting, {clients} clients for {seconds} s")
    host, port = base.split(":")
    before = ProcessorTime.read(master_pid, postgres_database)
    done, errors, elapsed = asyncio.run(_complete_all(host, int(port), jobs, seconds, clients))
    used = ProcessorTime.read(master_pid, postgres_database).since(before)
    rss = worker_rss_mb(master_pid)
    rate = round(len(done) / elapsed, 1)
    lost = lost_updates(db, done, bpmn)
    say(f"  {len(done)} completions in {elapsed:.1f} s, {len(errors)} errors, {lost} lost")
    for error in errors[:5]:
        say(f"    {error}")
    return [
        Row(
            f"Task completions per second over HTTP, gunicorn {WORKERS} workers x {THREADS} "
            f"threads, {clients} clients, a connection per request, {seconds} s (PostgreSQL)",
            rate,
            "/s",
            f">= {TARGET_RATE}",
            rate >= TARGET_RATE,
        ),
        Row("Errors during the throughput run", len(errors), "", "0", not errors),
        Row("Lost updates, checked afterwards", lost, "", "0", lost == 0),
        Row(
            f"Resident memory of a gunicorn worker after the run (largest of {len(rss)})",
            max(rss),
            "MB",
            "< 250",
            max(rss) < 250,
        ),
        *processor_rows(used, len(done)),
    ]


async def _complete_all(
    host: str, port: int, jobs: list[Job], seconds: int, clients: int
) -> tuple[list[tuple[int, int]], list[str], float]:
    """``clients`` clients completing ``jobs`` in turn until time is up, each request on a
    connection of its own, as a reverse proxy in front of gunicorn sends them (nginx's default
    towards its upstreams).

    Kept-alive connections stay with the worker that accepted them, and gunicorn's workers
    race to accept: sixteen connections opened at once were split anywhere from 8 and 8 to 16
    and 0, and a run measured how evenly rather than the service (48 to 116 completions a
    second on the same code). The load comes from one asyncio loop writing requests by hand:
    on a two-core machine the service shares the processors with its load, and a thread per
    client spent a fifth of a core on switching between threads rather than on asking.
    """
    queue = iter(jobs)
    done: list[tuple[int, int]] = []
    errors: list[str] = []
    stop_at = time.monotonic() + seconds

    async def complete(case_id: int, task_id: int, token: str, body: bytes) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(
                f"POST /api/v1/tasks/{task_id}/complete HTTP/1.1\r\n"
                f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
                "Connection: close\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            status = int(head.split(" ", 2)[1])
            length = re.search(r"(?im)^content-length:\s*(\d+)", head)
            # Without a length (a proxy's or server's error page), the reply ends with the
            # connection, which this request asked to close.
            payload = await (reader.readexactly(int(length[1])) if length else reader.read())
        finally:
            writer.close()
        if status == 200:
            done.append((case_id, task_id))
        else:
            errors.append(f"task {task_id}: {status} {payload[:200]!r}")

    async def client() -> None:
        for case_id, task_id, token, body in queue:
            if time.monotonic() >= stop_at:
                return
            try:
                await complete(case_id, task_id, token, body)
            except (OSError, asyncio.IncompleteReadError) as error:
                errors.append(f"task {task_id}: connection lost: {error!r}")
            except (ValueError, IndexError, asyncio.LimitOverrunError) as error:
                errors.append(f"task {task_id}: not an HTTP reply: {error!r}")

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    return done, errors, time.monotonic() - started


def lost_updates(db: Database, done: list[tuple[int, int]], bpmn: Any) -> int:
    """Completions answered 200 that the stored task rows or workflows do not show."""
    lost = 0
    by_case: dict[int, set[int]] = {}
    for case_id, task_id in done:
        by_case.setdefault(case_id, set()).add(task_id)
    with db.read() as session:
        specs = dict(
            session.execute(select(ProcessDefinition.id, ProcessDefinition.spec_json)).all()
        )
        for task_ids in by_case.values():
            tasks = session.scalars(select(Task).where(Task.id.in_(task_ids))).all()
            lost += sum(task.state != "completed" for task in tasks)
            for instance_id in {task.instance_id for task in tasks}:
                instance = session.get_one(ProcessInstance, instance_id)
                workflow = bpmn.load_workflow(instance.workflow_json, specs[instance.definition_id])
                for task in tasks:
                    if task.instance_id != instance_id:
                        continue
                    spiff = bpmn.find_task(workflow, task.spiff_task_id)
                    if spiff is None or not bpmn.is_completed(spiff):
                        lost += 1
                awaited = session.scalar(
                    select(func.count())
                    .select_from(Task)
                    .where(
                        Task.instance_id == instance_id,
                        Task.form.in_(list(BODIES)),
                        Task.state.in_(["open", "claimed"]),
                    )
                )
                decision = session.scalar(
                    select(func.count())
                    .select_from(Task)
                    .where(Task.instance_id == instance_id, Task.spec_name == "threshold_decision")
                )
                if awaited == 0 and decision != 1:
                    lost += 1
    return lost
