"""Starting a process for a case, and stopping an instance whose diagram fails while it runs.

A diagram can fail at run time in ways no check before deployment can rule out: a script
passes the expression language's limits on the data it is given, a condition names a value
the case does not have, a loop goes round without waiting for anyone. The instance then stops
where it failed (state ``failed``, with the element and the reason, which its process owners
see on the procedure pages), and what came before the failure is kept: the case an
application opened, the task someone completed. Nothing is left half-written by the step that
failed: what it would have done to the case and its tasks is undone (a savepoint).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.chasing.notifications import notify
from engine.core import audit, clock
from engine.core.errors import ProcessFailed
from engine.core.models import (
    LIVE_TASK_STATES,
    Case,
    ProcessDefinition,
    ProcessInstance,
    Task,
    User,
    UserRole,
)
from engine.runtime import bpmn
from engine.runtime.deployment import latest_definition, restored_definition
from engine.runtime.effects import NO_EFFECTS, Effects
from engine.runtime.instances import after_step, cancel_task_row, store_workflow
from engine.runtime.kept_workflows import keep_once_committed

# What a failure's reason keeps: enough to say what went wrong, never a dump of the data.
MAX_REASON = 1000


def start_process(
    session: Session,
    case: Case,
    key: str,
    data: Mapping[str, Any],
    *,
    user: User | None = None,
    effects: Effects = NO_EFFECTS,
) -> ProcessInstance:
    """Start the newest version of process ``key`` for a case, inside the caller's transaction.

    An instance whose diagram fails on its first steps is kept, failed (``fail_instance``), so
    what the caller was doing (an application received) still stands."""
    definition = latest_definition(session, key)
    if definition is None:
        # The service is not set up, which is for its process owners to put right, not for
        # the caller; the case is not stored.
        raise ProcessFailed(f"no version of the process '{key}' has been deployed")
    workflow = bpmn.new_workflow(restored_definition(session, definition.id), data)
    failure = None
    try:
        bpmn.advance(workflow)
    except ProcessFailed as failed:
        failure = failed
    now = clock.now()
    instance = ProcessInstance(
        definition_id=definition.id,
        case_id=case.id,
        workflow_json="",
        started_at=now,
        updated_at=now,
    )
    # Stored before the row is written, so that one INSERT holds the workflow.
    store_workflow(instance, workflow)
    stored_json = instance.workflow_json
    session.add(instance)
    session.flush()
    audit.record(
        session,
        "process.started",
        user=user,
        case_id=case.id,
        object_type="process_instance",
        object_id=instance.id,
        detail={"key": key, "version": definition.version},
    )
    if failure is not None:
        fail_instance(session, instance, failure, user=user)
    else:
        step_or_fail(session, instance, workflow, effects, user)
    if instance.state == "running":
        keep_once_committed(session, instance, stored_json, workflow)
    return instance


def step_or_fail(
    session: Session,
    instance: ProcessInstance,
    workflow: Any,
    effects: Effects,
    user: User | None = None,
    ready_now: list[Any] | None = None,
) -> list[Task]:
    """``after_step``, or, when the diagram fails in it (a due date it cannot work out, say),
    none of it, and the instance failed."""
    try:
        with audit.savepoint(session):
            return after_step(session, instance, workflow, effects, user, ready_now)
    except ProcessFailed as failure:
        fail_instance(session, instance, failure, user=user)
        return []


def fail_instance(
    session: Session, instance: ProcessInstance, failure: ProcessFailed, *, user: User | None = None
) -> None:
    """Stop an instance where its diagram failed, inside the caller's transaction: no timer of
    it fires, its waiting tasks are cancelled (nothing of it can be completed now), and the
    element and reason are kept for its process owners and in the case's audit trail."""
    now = clock.now()
    instance.state = "failed"
    instance.next_timer_at = None
    instance.completed_at = None
    instance.updated_at = instance.failed_at = now
    instance.failed_element_id = failure.element_id[:200] or None
    instance.failed_element_name = failure.element_name[:300] or None
    instance.failure_reason = failure.reason[:MAX_REASON]
    stopped = f"the process stopped: {failure.reason}"[:MAX_REASON]
    cancelled = []
    for row in session.scalars(
        select(Task).where(Task.instance_id == instance.id, Task.state.in_(LIVE_TASK_STATES))
    ):
        cancel_task_row(session, row, stopped, user)
        cancelled.append(row.id)
    _tell_process_owners(session, instance)
    audit.record(
        session,
        "process.failed",
        user=user,
        case_id=instance.case_id,
        object_type="process_instance",
        object_id=instance.id,
        detail={
            "element": failure.element_id,
            "reason": instance.failure_reason,
            "tasks": cancelled,
        },
    )


def _tell_process_owners(session: Session, instance: ProcessInstance) -> None:
    """Each process owner is told, in the service and by email, that an instance stopped and
    where; the reason may quote the case's data, so it is read on the procedure pages."""
    definition = session.get_one(ProcessDefinition, instance.definition_id)
    reference = session.scalar(select(Case.reference).where(Case.id == instance.case_id))
    where = instance.failed_element_name or instance.failed_element_id or "its start"
    owners = session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "process_owner", User.active.is_(True))
    )
    for owner in owners:
        notify(
            session,
            key=f"process-failed:{instance.id}:{owner.id}",
            kind="process_failed",
            subject=f"A process has stopped: case {reference}",
            body=(
                f"The process {definition.name or definition.key} (version "
                f"{definition.version}) of case {reference} stopped at {where}, and none of "
                "its tasks can be completed now. The procedure pages give the reason.\n\n"
                "Mend the diagram and deploy a new version; the council managing the case "
                "carries on with it outside the service meanwhile."
            ),
            user=owner,
            case_id=instance.case_id,
        )
