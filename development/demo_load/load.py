"""Loading: the prototypes built, then their copies written a batch of cases per transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, text

from development.demo import DEMO_PROCESSES, DemoUnavailable
from development.demo_load.casts import district_casts
from development.demo_load.copier import Copier, NextIds
from development.demo_load.prototypes import build_prototypes, read_prototype
from development.demo_load.stages import STAGE_WEIGHTS, LoadResult
from development.demo_load.writer import COPIED_TABLES, analyze, batches, write_rows
from engine.core import audit
from engine.core.area import current_settings
from engine.core.config import Settings
from engine.core.db import Database
from engine.core.models import LIVE_TASK_STATES, Task, TaskCandidate, User
from engine.runtime import latest_definition, step_durations

BATCH_CASES = 2000


def load_cases(
    db: Database,
    settings: Settings,
    count: int,
    *,
    seed: int = 2014,
    progress: Callable[[int, int], None] | None = None,
) -> LoadResult:
    """Add ``count`` cases: one real prototype per stage, the rest copies of them.

    Needs the shipped diagrams and the demo users (``casereview init --demo``).
    """
    with db.read() as session:
        if not all(latest_definition(session, key) for key in DEMO_PROCESSES):
            raise DemoUnavailable(
                "demo-load needs the shipped diagrams deployed and the demo users: "
                "run `casereview init --demo` first"
            )
        if (
            session.scalar(select(User.id).where(User.email == "caseworker@dales.example.org"))
            is None
        ):
            raise DemoUnavailable("demo-load needs the demo users: run `casereview init --demo`")
    if count < len(STAGE_WEIGHTS):
        raise ValueError(f"demo-load makes at least {len(STAGE_WEIGHTS)} cases, one per stage")
    with db.transaction() as session:
        casts = district_casts(session)
    prototype_ids = build_prototypes(db, settings)
    result = LoadResult(cases=len(prototype_ids))
    result.stages.update(prototype_ids.keys())
    with db.writer.connect() as connection:
        prototypes = [
            read_prototype(connection, stage, case_id) for stage, case_id in prototype_ids.items()
        ]
        connection.rollback()
        with db.read() as session:
            area_settings = current_settings(session)
        copier = None
        done = 0
        for size in batches(count - len(prototypes), BATCH_CASES):
            with connection.begin():
                if copier is None:
                    copier = Copier(prototypes, casts, NextIds(connection), area_settings, seed)
                out: dict[str, list[dict[str, Any]]] = {m.__tablename__: [] for m in COPIED_TABLES}
                for _ in range(size):
                    result.stages[copier.copy(out).stage] += 1
                audit.chain_rows(connection, out["audit_events"])
                for model in COPIED_TABLES:
                    write_rows(connection, model.__table__, out[model.__tablename__])
                # Past the completions that count the steps' durations: counted here.
                step_durations.add_counts(connection, _durations(out))
                result.tasks += len(out["tasks"])
                result.live_tasks += sum(t["state"] in LIVE_TASK_STATES for t in out["tasks"])
            done += size
            result.cases += size
            if progress:
                progress(done, count - len(prototypes))
        with connection.begin():
            if connection.dialect.name == "postgresql":
                for model in COPIED_TABLES:
                    if model is TaskCandidate:
                        continue
                    name = model.__tablename__
                    connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                            f'(SELECT COALESCE(MAX(id), 1) FROM "{name}"))'
                        )
                    )
    analyze(db)
    with db.read() as session:
        result.tasks = session.scalar(select(func.count()).select_from(Task)) or 0
        result.live_tasks = (
            session.scalar(
                select(func.count()).select_from(Task).where(Task.state.in_(LIVE_TASK_STATES))
            )
            or 0
        )
    return result


def _durations(out: dict[str, list[dict[str, Any]]]) -> step_durations.Counts:
    """The steps' durations of a batch's completed tasks."""
    versions = {row["id"]: row["definition_id"] for row in out["process_instances"]}
    counts: step_durations.Counts = {}
    for task in out["tasks"]:
        if task["state"] == "completed":
            step_durations.count(
                counts,
                versions[task["instance_id"]],
                task["spec_name"],
                task["created_at"],
                task["completed_at"],
                task["due_on"],
            )
    return counts
