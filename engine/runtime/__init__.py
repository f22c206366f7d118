"""The workflow runtime: the one package that imports SpiffWorkflow.

``bpmn`` parses and checks diagrams and (de)serializes workflows; ``service`` deploys them,
runs instances for cases and keeps the Task rows beside the stored workflow.
"""

from engine.runtime.service import (
    CompletionResult,
    DeployResult,
    check_bpmn,
    claim_task,
    complete_task,
    deploy,
    fire_due_timers,
    latest_definition,
    release_task,
    start_process,
)

__all__ = [
    "CompletionResult",
    "DeployResult",
    "check_bpmn",
    "claim_task",
    "complete_task",
    "deploy",
    "fire_due_timers",
    "latest_definition",
    "release_task",
    "start_process",
]
