"""The engine's floor for one step of a case: SpiffWorkflow alone doing what the service asks
of it for a completion, on the same stored state, with nothing of the service around it.

The floor loads the stored workflow on the deployed definition's specs as the service keeps
them (restored once per database, ``engine.runtime.deployment.restored_definition``), runs
the task with the data the service gave it and the engine steps after it, reads the ready
human tasks once (any service that stores tasks must learn what is to be done next) and
dumps the state to JSON. It reads no rows, writes none and commits nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from engine.core.db import Database
from engine.core.models import ProcessInstance, Task
from engine.runtime import bpmn
from engine.runtime.deployment import restored_definition


@dataclass(frozen=True)
class StoredStep:
    """What the floor needs of a task, read just before the service completes it: a copy of
    the instance's stored workflow and the specs the service runs it on."""

    state: str
    definition: bpmn.Definition
    spiff_task_id: str


def stored_step(db: Database, task_id: int) -> StoredStep:
    # Through a write session, though it writes nothing: the service keeps its restored specs
    # per connection pool, and on SQLite its completions' pool is the writer's, so the floor
    # runs on the very specs the service's completions run on.
    with db.transaction() as session:
        row = session.execute(
            select(ProcessInstance.workflow_json, ProcessInstance.definition_id, Task.spiff_task_id)
            .join(Task, Task.instance_id == ProcessInstance.id)
            .where(Task.id == task_id)
        ).one()
        definition = restored_definition(session, row.definition_id)
    return StoredStep(row.workflow_json, definition, row.spiff_task_id)


# The package's functions as they were when the benchmark started: the floor calls these,
# whatever ``engine_data`` puts in their place while the service runs.
_LOAD, _FIND, _RUN = bpmn.load_workflow, bpmn.find_task, bpmn.run_human_task
_READY, _DUMP = bpmn.ready_human_tasks, bpmn.dump_workflow


def floor_step(step: StoredStep, data: Mapping[str, Any]) -> None:
    workflow = _LOAD(step.state, step.definition)
    task = _FIND(workflow, step.spiff_task_id)
    if task is None:
        raise RuntimeError(f"task {step.spiff_task_id} is not in its stored workflow")
    _RUN(workflow, task, data)
    _READY(workflow)
    _DUMP(workflow)


@dataclass
class EngineData:
    """The data the service gave SpiffWorkflow for the task: the form's answers as the form
    coerces them, and what the step's own rules add (the returns still awaited, say)."""

    given: list[dict[str, Any]] = field(default_factory=list)

    @property
    def data(self) -> dict[str, Any]:
        if len(self.given) != 1:
            raise RuntimeError(
                f"the service ran {len(self.given)} tasks in SpiffWorkflow for one completion; "
                "the floor needs the data of exactly one"
            )
        return self.given[0]


@contextmanager
def engine_data() -> Iterator[EngineData]:
    """Notes the data the service passes to ``bpmn.run_human_task`` while the block runs, so
    the floor runs the task on the same; one call through a Python function more, some tenths
    of a microsecond, is all it adds to the service's time."""
    seen = EngineData()

    def noting(workflow: Any, task: Any, data: Mapping[str, Any]) -> None:
        seen.given.append(dict(data))
        _RUN(workflow, task, data)

    bpmn.run_human_task = noting
    try:
        yield seen
    finally:
        bpmn.run_human_task = _RUN
