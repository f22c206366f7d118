"""Operating on a workflow: starting one on a deployed definition, storing and loading it,
moving it on, and reading what the service needs from it (ready human tasks, the next timer,
its data)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import AdHocSubprocessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from engine.core import clock
from engine.core.errors import ProcessFailed
from engine.runtime import expressions
from engine.runtime.bpmn.script_engine import SCRIPT_ENGINE
from engine.runtime.bpmn.serializer import SERIALIZER, dump_json, load_json, restore_specs


@dataclass(frozen=True)
class Definition:
    """A deployed definition's specs: as stored, and restored once for every workflow that
    runs on it, where running a workflow leaves its specs as they are (restoring them is a
    third of what loading a workflow costs)."""

    spec_json: str
    process: Any
    subprocesses: Mapping[str, Any]
    shared: bool

    @classmethod
    def restore(cls, spec_json: str) -> Definition:
        process, subprocesses = restore_specs(spec_json)
        return cls(spec_json, process, subprocesses, not _changes_its_specs(process, subprocesses))

    def specs(self) -> tuple[Any, dict[str, Any]]:
        """Specs for one workflow: the shared ones, or a fresh restore of its own."""
        if self.shared:
            return self.process, dict(self.subprocesses)
        return restore_specs(self.spec_json)

    def forms(self) -> frozenset[str]:
        """The forms its user tasks name, in its process and its subprocesses."""
        return frozenset(
            form
            for spec in (self.process, *self.subprocesses.values())
            for task_spec in spec.task_specs.values()
            if (form := spec_properties(task_spec).get("form"))
        )


def _changes_its_specs(process: Any, subprocesses: Mapping[str, Any]) -> bool:
    # SpiffWorkflow wires an event subprocess started by a message, signal or the like into
    # its process's spec when it is triggered, and an ad hoc subprocess's chosen paths into
    # its own: a workflow doing either must not pass that on to the others.
    return any(
        isinstance(spec, AdHocSubprocessSpec) or getattr(spec.start, "trigger_specs", None)
        for spec in (process, *subprocesses.values())
    )


def new_workflow(definition: Definition, data: Mapping[str, Any]) -> BpmnWorkflow:
    process, subprocesses = definition.specs()
    workflow = BpmnWorkflow(process, subprocesses, script_engine=SCRIPT_ENGINE)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    return workflow


def dump_workflow(workflow: BpmnWorkflow) -> str:
    """The workflow's state without its spec, which is stored once with the definition."""
    state = SERIALIZER.to_dict(workflow)
    state[SERIALIZER.VERSION_KEY] = SERIALIZER.VERSION
    return dump_json(state)


def load_workflow(state_json: str, spec: str | Definition) -> BpmnWorkflow:
    """A stored workflow, with its spec given as stored (restored here, as SpiffWorkflow's own
    serializer does) or as a ``Definition`` already restored."""
    state = load_json(state_json)
    if isinstance(spec, Definition) and state.get(SERIALIZER.VERSION_KEY) == SERIALIZER.VERSION:
        # The serializer passes objects that are not dictionaries through as they are.
        state["spec"], state["subprocess_specs"] = spec.specs()
    else:
        # An older serialization may need its specs migrated with it.
        bundle = json.loads(spec.spec_json if isinstance(spec, Definition) else spec)
        state["spec"] = bundle["spec"]
        state["subprocess_specs"] = bundle["subprocess_specs"]
    SERIALIZER.migrate(state)
    workflow = SERIALIZER.from_dict(state)
    workflow.script_engine = SCRIPT_ENGINE
    return workflow


def erase_data(workflow: BpmnWorkflow) -> None:
    """Forget everything the workflow and its tasks were given or worked out (the answers to
    every form), keeping where each task got to."""
    workflows = [workflow, *workflow.subprocesses.values()]
    for each in workflows:
        each.data = {}
        for task in each.get_tasks():
            task.data = {}


def ready_human_tasks(workflow: BpmnWorkflow) -> list[SpiffTask]:
    """Ready user and manual tasks, those inside subprocesses too (SpiffWorkflow's task
    iterator goes down into them), each once."""
    return workflow.get_tasks(state=TaskState.READY, manual=True)


def ready_human_task_ids(workflow: BpmnWorkflow) -> set[str]:
    """The ids of ``ready_human_tasks``, read from each workflow's flat mapping of its tasks
    rather than by walking the task tree in order, which only the tasks themselves need.

    The same set wherever the walk reaches every task, as it does but in a workflow that a
    loop took out of its reach, which ``advance`` fails before it is stored."""
    return {
        str(task.id)
        for each in (workflow, *workflow.subprocesses.values())
        for task in each.tasks.values()
        if task.state == TaskState.READY and task.task_spec.manual
    }


def find_task(workflow: BpmnWorkflow, task_id: str) -> SpiffTask | None:
    try:
        return workflow.get_task_from_id(UUID(task_id))
    except Exception:  # noqa: BLE001 - SpiffWorkflow raises TaskNotFoundException or KeyError
        return None


def is_ready(task: SpiffTask) -> bool:
    return task.state == TaskState.READY


def is_completed(task: SpiffTask) -> bool:
    return task.state == TaskState.COMPLETED


def advance(workflow: BpmnWorkflow) -> None:
    """Run engine steps and fire due timers until only people or time can move it on.

    ``ProcessFailed`` names the element when a step fails, and when the workflow went further
    than SpiffWorkflow can follow (``out_of_reach``), rather than let it pass for finished.
    """
    try:
        workflow.do_engine_steps()
        workflow.refresh_timers()
        workflow.do_engine_steps()
    except (SpiffWorkflowException, expressions.ExpressionError) as error:
        raise _failure(error) from None
    lost = out_of_reach(workflow)
    if lost is not None:
        raise ProcessFailed(
            f"the process went round a loop too many times ({MAX_DEPTH} steps in a row) "
            "without waiting for anyone, and was stopped",
            element_id=lost.task_spec.bpmn_id or "",
            element_name=lost.task_spec.bpmn_name or "",
        )


def run_human_task(workflow: BpmnWorkflow, task: SpiffTask, data: Mapping[str, Any]) -> None:
    try:
        task.set_data(**data)
        task.run()
    except (SpiffWorkflowException, expressions.ExpressionError) as error:
        raise _failure(error) from None
    advance(workflow)


def catch_message(workflow: BpmnWorkflow, name: str, payload: Mapping[str, Any]) -> bool:
    """Give the workflow the message ``name`` and move it on; False, changing nothing, when
    no event of the workflow waits for that message now."""
    waiting = [
        task.task_spec.event_definition
        for task in workflow.get_tasks(state=TaskState.WAITING)
        if isinstance(getattr(task.task_spec, "event_definition", None), MessageEventDefinition)
        and task.task_spec.event_definition.name == name
    ]
    if not waiting:
        return False
    try:
        workflow.send_event(BpmnEvent(waiting[0], dict(payload)))
    except (SpiffWorkflowException, expressions.ExpressionError) as error:
        raise _failure(error) from None
    advance(workflow)
    return True


def _failure(error: Exception) -> ProcessFailed:
    # SpiffWorkflow wraps a script's error in its own, prefixed with the error's class name:
    # our expression errors are worded for process owners as they are.
    wrapped = error.__context__
    shown = wrapped if isinstance(wrapped, expressions.ExpressionError) else error
    text = str(shown).splitlines()[0] if str(shown) else type(shown).__name__
    spec = getattr(getattr(error, "task", None), "task_spec", None)
    return ProcessFailed(
        text,
        element_id=getattr(spec, "bpmn_id", None) or "",
        element_name=getattr(spec, "bpmn_name", None) or "",
    )


# SpiffWorkflow walks a workflow's task tree (to find what is ready, or whether anything is
# left) no deeper than this: ``TaskIterator``'s default ``max_depth``. Every step taken adds a
# level below the one before, so a loop that goes round without waiting for anyone sinks its
# next step below it, where nothing finds it: the walk then ends early and the workflow says
# it is completed while its gateway is still ready.
MAX_DEPTH = 1000
_UNDONE = TaskState.WAITING | TaskState.READY | TaskState.STARTED


def out_of_reach(workflow: BpmnWorkflow) -> SpiffTask | None:
    """A task still to be done that SpiffWorkflow's walk no longer reaches, if there is one.

    Every workflow keeps all its tasks in a flat mapping as well as the tree, so this reads
    each once, and the depth only of the few not yet done.
    """
    for each in (workflow, *workflow.subprocesses.values()):
        for task in each.tasks.values():
            if task.state & _UNDONE and _walk_depth(workflow, task) >= MAX_DEPTH:
                return task
    return None


def _walk_depth(workflow: BpmnWorkflow, task: SpiffTask) -> int:
    """How deep the walk from the top of the workflow finds ``task``: a subprocess's tree
    hangs below the task that started it."""
    depth = task.depth
    parent_id = getattr(task.workflow, "parent_task_id", None)
    while parent_id is not None:
        parent = workflow.get_task_from_id(parent_id)
        depth += parent.depth + 1
        parent_id = getattr(parent.workflow, "parent_task_id", None)
    return depth


def next_timer_at(workflow: BpmnWorkflow) -> datetime | None:
    """When the earliest waiting timer falls due, so the scheduler need not load workflows."""
    moments = []
    for event in workflow.waiting_events():
        value = event.value
        if isinstance(value, dict):
            value = value.get("next")
        if not isinstance(value, str):
            continue
        try:
            moments.append(clock.as_utc(datetime.fromisoformat(value)))
        except ValueError:
            continue
    return min(moments) if moments else None


def is_finished(workflow: BpmnWorkflow) -> bool:
    # SpiffWorkflow's own answer stops looking at its walk's depth (``out_of_reach``).
    return workflow.is_completed() and out_of_reach(workflow) is None


def workflow_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    return dict(workflow.data)


def task_properties(task: SpiffTask) -> dict[str, str]:
    """The extension properties (form, due, ...) the diagram gives a task."""
    return spec_properties(task.task_spec)


def spec_properties(task_spec: Any) -> dict[str, str]:
    """The extension properties the diagram gives a task's spec."""
    return (getattr(task_spec, "extensions", None) or {}).get("properties", {})
