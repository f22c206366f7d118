"""Moving a running workflow onto a newer version of its diagram with SpiffWorkflow's diff and
migrate helpers, only when nothing it has reached differs there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from engine.runtime import bpmn
from engine.runtime.versions.comparison import describe_changes

# Tasks that have been reached: done, under way or waiting for people or time. Tasks SpiffWorkflow
# merely predicts (MAYBE, LIKELY, FUTURE) have not been reached.
_REACHED = (
    TaskState.WAITING | TaskState.READY | TaskState.STARTED | TaskState.COMPLETED | TaskState.ERROR
)


@dataclass
class MoveOutcome:
    """The moved workflow, or the reasons it cannot be moved (then nothing changed)."""

    workflow: Any | None
    reasons: list[str]


def move_workflow(state_json: str, old_spec_json: str, new_spec_json: str) -> MoveOutcome:
    """Move a workflow onto a new version if nothing it has reached differs there."""
    workflow = bpmn.load_workflow(state_json, old_spec_json)
    new_spec, new_subprocesses = bpmn.restore_specs(new_spec_json)
    registry = bpmn.SERIALIZER.registry
    try:
        top_diff, subprocess_diffs = diff_workflow(registry, workflow, new_spec, new_subprocesses)
    except Exception as error:  # noqa: BLE001 - SpiffWorkflow raises bare errors on odd trees
        return MoveOutcome(None, [f"the versions could not be compared ({error})"])
    reasons = _reached_changes(workflow, top_diff)
    for subprocess_id, subprocess_diff in subprocess_diffs.items():
        subprocess = workflow.subprocesses[subprocess_id]
        if subprocess_diff is None:
            reasons.append(f"the subprocess '{subprocess.spec.name}' it is in has been removed")
        else:
            reasons += _reached_changes(subprocess, subprocess_diff)
    if reasons:
        return MoveOutcome(None, sorted(set(reasons)))
    try:
        # Ready tasks are predicted afresh from the new version; waiting ones (timers, joins)
        # are left alone, so a timer keeps counting from when it started.
        migrate_workflow(top_diff, workflow, new_spec, reset_mask=TaskState.READY)
        workflow.subprocess_specs = new_subprocesses
        for subprocess_id, subprocess_diff in subprocess_diffs.items():
            subprocess = workflow.subprocesses[subprocess_id]
            migrate_workflow(
                subprocess_diff,
                subprocess,
                new_subprocesses[subprocess.spec.name],
                reset_mask=TaskState.READY,
            )
        # The stored state must read back against the new version, or the move is refused.
        moved = bpmn.load_workflow(bpmn.dump_workflow(workflow), new_spec_json)
    except Exception as error:  # noqa: BLE001 - SpiffWorkflow raises bare errors on odd trees
        return MoveOutcome(None, [f"its state does not fit the new version ({error})"])
    return MoveOutcome(moved, [])


def _reached_changes(workflow: Any, diff: Any) -> list[str]:
    reasons = []
    removed = {task.id for task in diff.removed}
    changed = {task.id for task in diff.changed}
    for task in workflow.get_tasks(state=_REACHED, skip_subprocesses=True):
        spec = task.task_spec
        label = _label(spec)
        if task.id in removed:
            reasons.append(f"{label}, which it has reached, is not in the new version")
        elif task.id in changed:
            new = diff.alignment.get(task)
            attributes = _changed_attributes(spec, new)
            reasons.append(f"{label}, which it has reached, was changed ({', '.join(attributes)})")
    return reasons


def _changed_attributes(old: Any, new: Any) -> tuple[str, ...]:
    if new is None:
        return ("removed",)
    registry = bpmn.SERIALIZER.registry
    before, after = registry.convert(old), registry.convert(new)
    attributes = [key for key, value in before.items() if after.get(key) != value]
    return describe_changes(old, new, attributes) or ("its kind",)


def _label(spec: Any) -> str:
    element = getattr(spec, "bpmn_id", None)
    if element is None:
        return f"the step '{spec.name}'"
    name = getattr(spec, "bpmn_name", None)
    return f"'{name}' ({element})" if name else f"'{element}'"
