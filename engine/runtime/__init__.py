"""The workflow runtime: the one package that imports SpiffWorkflow.

- ``bpmn`` parses and checks diagrams and runs and (de)serializes workflows; ``versions``
  checks a diagram before deployment, compares versions and moves a workflow onto a newer
  one; ``expressions`` is the safe language of the diagrams' conditions and scripts.
- ``deployment`` deploys diagrams; ``steps`` starts them for cases and stops an instance
  whose diagram fails while it runs; ``instances`` keeps the Task rows beside the stored
  workflow; ``tasks`` completes, claims, releases and hands over tasks;
  ``timers`` fires the timers that are due; ``messages`` gives a process a message it
  waits for; ``moves`` moves running instances onto the newest
  version; ``effects`` are the hooks through which the steps of a process act on its case.
"""

from engine.runtime.deployment import (
    DeployResult,
    check_bpmn,
    deploy,
    instance_forms,
    latest_definition,
)
from engine.runtime.effects import NO_EFFECTS, Effects
from engine.runtime.instances import cancel_instance, erase_instance_data, running_instances
from engine.runtime.messages import deliver_message
from engine.runtime.moves import MovePlan, MoveReport, PlannedMove, move_instances, plan_move
from engine.runtime.steps import start_process
from engine.runtime.tasks import (
    Authorisation,
    CompletionResult,
    check_may_work_on,
    claim_task,
    complete_task,
    complete_task_in,
    reassign_task,
    release_task,
)
from engine.runtime.timers import fire_due_timers
from engine.runtime.versions import (
    Comparison,
    ElementChange,
    OutlineStep,
    Validation,
    compare,
    outline,
)

__all__ = [
    "NO_EFFECTS",
    "Authorisation",
    "CompletionResult",
    "DeployResult",
    "Effects",
    "MovePlan",
    "MoveReport",
    "PlannedMove",
    "cancel_instance",
    "check_bpmn",
    "check_may_work_on",
    "claim_task",
    "complete_task",
    "complete_task_in",
    "deliver_message",
    "deploy",
    "erase_instance_data",
    "fire_due_timers",
    "instance_forms",
    "latest_definition",
    "move_instances",
    "plan_move",
    "reassign_task",
    "release_task",
    "running_instances",
    "start_process",
    "Comparison",
    "ElementChange",
    "OutlineStep",
    "Validation",
    "compare",
    "outline",
]
