"""Time moving processes on: firing the timers that are due, one instance at a time, and
marking an instance that cannot move on as failed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from engine.core import audit, clock
from engine.core.db import Database
from engine.core.errors import ProcessFailed
from engine.core.models import ProcessInstance
from engine.runtime import bpmn
from engine.runtime.deployment import restored_definition
from engine.runtime.effects import NO_EFFECTS, Effects
from engine.runtime.instances import lock_instance, store_workflow
from engine.runtime.steps import fail_instance, step_or_fail


def fire_due_timers(db: Database, effects: Effects = NO_EFFECTS) -> int:
    """Move on every instance with a timer due now; one transaction per instance, so one
    instance that fails is marked failed and the others still move on."""
    moment = clock.now()
    with db.read() as session:
        due_ids = session.scalars(
            select(ProcessInstance.id)
            .where(
                ProcessInstance.state == "running",
                ProcessInstance.next_timer_at <= moment,
            )
            .order_by(ProcessInstance.next_timer_at)
        ).all()
    fired = 0
    for instance_id in due_ids:
        try:
            fired += _fire_instance_timers(db, instance_id, moment, effects)
        except ProcessFailed as error:
            _mark_failed(db, instance_id, error)
    return fired


def _fire_instance_timers(
    db: Database, instance_id: int, moment: datetime, effects: Effects
) -> int:
    with db.transaction() as session:
        instance = lock_instance(session, instance_id)
        if (
            instance.state != "running"
            or not instance.next_timer_at
            or (instance.next_timer_at > moment)
        ):
            return 0  # another process got here first
        workflow = bpmn.load_workflow(
            instance.workflow_json, restored_definition(session, instance.definition_id)
        )
        failure = None
        try:
            bpmn.advance(workflow)
        except ProcessFailed as failed:
            failure = failed
        store_workflow(instance, workflow)
        audit.record(
            session,
            "timer.fired",
            case_id=instance.case_id,
            object_type="process_instance",
            object_id=instance.id,
        )
        if failure is not None:
            fail_instance(session, instance, failure)
        else:
            step_or_fail(session, instance, workflow, effects)
        return 1


def _mark_failed(db: Database, instance_id: int, failure: ProcessFailed) -> None:
    """What could not even be tried (its workflow would not load): the instance as it was,
    stopped."""
    with db.transaction() as session:
        instance = lock_instance(session, instance_id)
        if instance.state == "running":
            fail_instance(session, instance, failure)
