"""A message from outside moving a process on: something the process waits for that no one's
task stands for (the applicant's views given on their own pages, say), caught by a message
event of that name; the same lock, audit and task rows as a completion or a timer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from engine.core import audit
from engine.core.errors import ProcessFailed
from engine.runtime import bpmn
from engine.runtime.deployment import restored_definition
from engine.runtime.effects import NO_EFFECTS, Effects
from engine.runtime.instances import lock_instance, store_workflow
from engine.runtime.steps import fail_instance, step_or_fail


def deliver_message(
    session: Session,
    instance_id: int,
    name: str,
    payload: Mapping[str, Any] | None = None,
    *,
    effects: Effects = NO_EFFECTS,
) -> bool:
    """Give the running instance the message ``name`` (its data added to the workflow's),
    inside the caller's write transaction. False, changing nothing, when it is not waiting
    for that message now: the wait may have ended a moment before."""
    instance = lock_instance(session, instance_id)
    if instance.state != "running":
        return False
    workflow = bpmn.load_workflow(
        instance.workflow_json, restored_definition(session, instance.definition_id)
    )
    failure = None
    try:
        caught = bpmn.catch_message(workflow, name, payload or {})
    except ProcessFailed as failed:
        caught, failure = True, failed
    if not caught:
        return False
    store_workflow(instance, workflow)
    audit.record(
        session,
        "message.received",
        case_id=instance.case_id,
        object_type="process_instance",
        object_id=instance.id,
        detail={"message": name},
    )
    if failure is not None:
        fail_instance(session, instance, failure)
    else:
        step_or_fail(session, instance, workflow, effects)
    return True
