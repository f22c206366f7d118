"""The workflow runtime: the one package that imports SpiffWorkflow.

``bpmn`` parses and checks diagrams and (de)serializes workflows; ``service`` deploys them,
runs instances for cases and keeps the Task rows beside the stored workflow.
"""

from engine.runtime.service import (
    NO_EFFECTS,
    CompletionResult,
    DeployResult,
    Effects,
    MoveReport,
    cancel_instance,
    check_bpmn,
    claim_task,
    complete_task,
    complete_task_in,
    deploy,
    erase_instance_data,
    fire_due_timers,
    latest_definition,
    move_instances,
    reassign_task,
    release_task,
    running_instances,
    start_process,
)
from engine.runtime.versions import Comparison, ElementChange, Validation, compare

__all__ = [
    "NO_EFFECTS",
    "CompletionResult",
    "DeployResult",
    "Effects",
    "MoveReport",
    "cancel_instance",
    "check_bpmn",
    "claim_task",
    "complete_task",
    "complete_task_in",
    "deploy",
    "erase_instance_data",
    "fire_due_timers",
    "latest_definition",
    "move_instances",
    "reassign_task",
    "release_task",
    "running_instances",
    "start_process",
    "Comparison",
    "ElementChange",
    "Validation",
    "compare",
]
