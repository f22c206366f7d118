"""Running a process for a case: keeping an instance's Task rows in step with the workflow
after every step, and ending or erasing an instance (``steps`` starts one, and stops one
that fails)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, class_mapper, make_transient_to_detached

from engine.chasing.due import DueRuleError, case_timescales, parse_due_rule
from engine.chasing.new_work import tell_of_new_work
from engine.core import audit, clock
from engine.core.area import current_settings
from engine.core.errors import Conflict, ProcessFailed
from engine.core.models import (
    LIVE_TASK_STATES,
    Case,
    CaseParticipant,
    Organisation,
    ProcessDefinition,
    ProcessInstance,
    Task,
    TaskCandidate,
    User,
)
from engine.core.workdays import as_date
from engine.runtime import bpmn, expressions
from engine.runtime.deployment import restored_definition
from engine.runtime.effects import Effects
from engine.runtime.holders import keep_with_previous_holder, record_kept

_TASKS = Task.metadata.tables[Task.__tablename__]
_CANDIDATES = TaskCandidate.metadata.tables[TaskCandidate.__tablename__]


def running_instances(session: Session, case_id: int, key: str, *, lock: bool = False) -> list[int]:
    """The ids of the case's running instances of process ``key``, newest first; ``lock``
    takes their locks in that order."""
    query = (
        select(ProcessInstance.id)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(
            ProcessInstance.case_id == case_id,
            ProcessInstance.state == "running",
            ProcessDefinition.key == key,
        )
        .order_by(ProcessInstance.id.desc())
    )
    return list(session.scalars(query.with_for_update(of=ProcessInstance) if lock else query))


def after_step(
    session: Session,
    instance: ProcessInstance,
    workflow: Any,
    effects: Effects,
    user: User | None = None,
    ready_now: list[Any] | None = None,
) -> list[Task]:
    """After any step (start, completion, timer): sync the Task rows, and when the process
    has reached its end, record that and let the effects act on it. ``ready_now``: the
    workflow's ready human tasks, when the caller has already asked for them."""
    ready = _sync_tasks(session, instance, workflow, effects, ready_now)
    if instance.state == "completed":
        audit.record(
            session,
            "process.completed",
            user=user,
            case_id=instance.case_id,
            object_type="process_instance",
            object_id=instance.id,
        )
        effects.process_finished(session, instance, bpmn.workflow_data(workflow))
    return ready


def store_workflow(instance: ProcessInstance, workflow: Any) -> None:
    """Keep the moved-on workflow in the instance, for the session to write."""
    for name, value in stored_columns(instance, workflow).items():
        setattr(instance, name, value)


def stored_columns(instance: ProcessInstance, workflow: Any) -> dict[str, Any]:
    """The instance's columns once the workflow has moved on."""
    now = clock.now()
    columns = {
        "workflow_json": bpmn.dump_workflow(workflow),
        "revision": (instance.revision or 0) + 1,
        "updated_at": now,
        "next_timer_at": bpmn.next_timer_at(workflow),
    }
    if bpmn.is_finished(workflow):
        columns.update(state="completed", completed_at=now, next_timer_at=None)
    return columns


def lock_instance(session: Session, instance_id: int) -> ProcessInstance:
    """The instance, locked until the transaction ends and read afresh under the lock."""
    return session.execute(
        select(ProcessInstance)
        .where(ProcessInstance.id == instance_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _sync_tasks(
    session: Session,
    instance: ProcessInstance,
    workflow: Any,
    effects: Effects,
    ready_now: list[Any] | None = None,
) -> list[Task]:
    """Make the Task rows match the workflow: new rows for new human tasks, cancel the gone."""
    live = {
        row.spiff_task_id: row
        for row in session.scalars(
            select(Task).where(Task.instance_id == instance.id, Task.state.in_(LIVE_TASK_STATES))
        )
    }
    ready = bpmn.ready_human_tasks(workflow) if ready_now is None else ready_now
    ready_ids = spiff_task_ids(ready)
    created: list[Task] = []
    timescales: dict[str, int] | None = None
    for spiff_task in ready:
        if str(spiff_task.id) in live:
            continue
        if timescales is None:
            # The case is already in the session wherever a process moves on: no statement.
            case = session.get_one(Case, instance.case_id)
            timescales = case_timescales(current_settings(session), case.risk_level)
        row = _new_task_row(session, instance, spiff_task, timescales, effects)
        effects.task_ready(session, row, spiff_task.data, bpmn.task_properties(spiff_task))
        created.append(row)
    for spiff_id, row in live.items():
        if spiff_id not in ready_ids:
            cancel_task_row(session, row, "the process moved on without it")
    if created:
        # Once the steps have had their say on the new tasks (given one to someone, say).
        tell_of_new_work(session, created)
    return created


def cancel_task_row(session: Session, row: Task, reason: str, user: User | None = None) -> None:
    """A live task no longer to be done, with the reason in the audit trail."""
    set_task_state(row, "cancelled")
    audit.record(
        session,
        "task.cancelled",
        user=user,
        case_id=row.case_id,
        object_type="task",
        object_id=row.id,
        detail={"task": row.spec_name, "reason": reason},
    )


def _new_task_row(
    session: Session,
    instance: ProcessInstance,
    spiff_task: Any,
    timescales: dict[str, int],
    effects: Effects,
) -> Task:
    spec = spiff_task.task_spec
    properties = bpmn.task_properties(spiff_task)
    role = spec.lane or ""
    title = spec.bpmn_name or spec.bpmn_id
    due_on = None
    try:
        if properties.get("due_on"):
            due_on = as_date(expressions.evaluate(properties["due_on"], spiff_task.data))
        elif properties.get("due"):
            due_on = parse_due_rule(properties["due"], timescales).due_on(
                spiff_task.data, timescales
            )
    except (DueRuleError, expressions.ExpressionError, ValueError, TypeError) as error:
        raise ProcessFailed(
            f"cannot work out when '{title}' is due: {error}",
            element_id=spec.bpmn_id or "",
            element_name=spec.bpmn_name or "",
        ) from None
    participants = _participants_for(session, instance.case_id, role, properties, spiff_task)
    assignees = {p.user_id for p in participants if p.user_id}
    assignee_id = assignees.pop() if len(assignees) == 1 and len(participants) == 1 else None
    state = "claimed" if assignee_id else "open"
    # The case is already in the session wherever a process moves on: no statement.
    district_id = session.get_one(Case, instance.case_id).district_id
    now = clock.now()
    row = Task(
        instance_id=instance.id,
        case_id=instance.case_id,
        spiff_task_id=str(spiff_task.id),
        spec_name=spec.name,
        title=title,
        role=role,
        form=properties.get("form", ""),
        state=state,
        assignee_id=assignee_id,
        claimed_at=now if assignee_id else None,
        due_on=due_on,
        created_at=now,
        candidates=[
            TaskCandidate(
                organisation_id=organisation_id,
                state=state,
                due_on=due_on,
                district_id=district_id,
                user_id=_only_person(participants, organisation_id),
            )
            for organisation_id in sorted({p.organisation_id for p in participants})
        ],
    )
    # Before the row is written, so that a task kept with its person is written claimed.
    holder = keep_with_previous_holder(session, row)
    effects.task_created(session, row, properties)
    _insert_at_once(session, row)
    audit.record(
        session,
        "task.created",
        case_id=instance.case_id,
        object_type="task",
        object_id=row.id,
        detail={
            "task": spec.name,
            "role": role,
            "organisations": row.organisation_ids,
            "due_on": due_on.isoformat() if due_on else None,
        },
    )
    if holder is not None:
        record_kept(session, row, holder)
    return row


def _insert_at_once(session: Session, row: Task) -> None:
    """Write a new task and its candidates now, with two INSERTs and no flush of the session
    (whose unit of work, sorting everything pending, cost more than the statements), and
    make them the session's own, loaded as written: what the step does to them next is
    written as an UPDATE, as if the session had inserted them."""
    task_values = _as_written(row, exclude={"id"})
    # Through the session, so a read session's refusal to write applies here too.
    row.id = session.execute(insert(_TASKS).returning(_TASKS.c.id), task_values).scalar_one()
    for candidate in row.candidates:
        candidate.task_id = row.id
    if row.candidates:
        session.execute(
            insert(_CANDIDATES), [_as_written(candidate) for candidate in row.candidates]
        )
    for written in (row, *row.candidates):
        make_transient_to_detached(written)
    session.add(row)  # its candidates with it (the relationship's cascade)


def _as_written(
    row: Task | TaskCandidate, exclude: frozenset[str] | set[str] = frozenset()
) -> dict[str, Any]:
    """Every column of a new row, as an INSERT writes it: what was given, else the column's
    default, given to the object too so that none of its attributes needs reading back."""
    values = {}
    for attribute in class_mapper(type(row)).column_attrs:
        if attribute.key in exclude:
            continue
        if attribute.key not in row.__dict__:
            default = attribute.columns[0].default
            if default is not None and not default.is_scalar:
                raise ValueError(f"{attribute.key} has a default that is not a constant")
            setattr(row, attribute.key, default.arg if default is not None else None)
        values[attribute.columns[0].key] = getattr(row, attribute.key)
    return values


def _participants_for(
    session: Session, case_id: int, role: str, properties: Mapping[str, str], spiff_task: Any
) -> list[CaseParticipant]:
    query = select(CaseParticipant).where(CaseParticipant.case_id == case_id)
    spec = spiff_task.task_spec
    element = {"element_id": spec.bpmn_id or "", "element_name": spec.bpmn_name or ""}
    chooser = properties.get("organisation_from")
    if chooser:
        try:
            organisation_key = expressions.evaluate(chooser, spiff_task.data)
        except expressions.ExpressionError as error:
            raise ProcessFailed(
                f"cannot tell which organisation does this task: {error}", **element
            ) from None
        chosen = session.scalars(
            query.join(Organisation).where(
                Organisation.key == str(organisation_key), CaseParticipant.role == role
            )
        ).all()
        if not chosen:
            raise ProcessFailed(
                f"'{spec.bpmn_name}' is for '{organisation_key}', which is not "
                f"a {role} participant on this case",
                **element,
            )
        return list(chosen)
    participants = session.scalars(query.where(CaseParticipant.role == role)).all()
    if not participants:
        # The council manages every review on behalf of the relevant bodies.
        participants = session.scalars(query.where(CaseParticipant.role == "council")).all()
    if not participants:
        raise ProcessFailed(f"no organisation plays the role '{role}' on this case", **element)
    return list(participants)


def _only_person(participants: list[CaseParticipant], organisation_id: int) -> int | None:
    """The one person through whom the organisation plays the lane (a review chair), or None
    when the organisation itself plays it."""
    people = {p.user_id for p in participants if p.organisation_id == organisation_id}
    return people.pop() if len(people) == 1 else None


def set_task_state(row: Task, state: str) -> None:
    """A task's state, given to its candidates' rows too."""
    row.state = state
    for candidate in row.candidates:
        candidate.state = state


def spiff_task_ids(spiff_tasks: list[Any]) -> set[str]:
    """The ids of SpiffWorkflow's tasks, as Task rows keep them."""
    return {str(spiff_task.id) for spiff_task in spiff_tasks}


def cancel_instance(
    session: Session, instance_id: int, reason: str, *, user: User | None = None
) -> list[int]:
    """End a running instance before it reaches its end, inside the caller's transaction: its
    waiting tasks are cancelled, no timer of it fires and nothing of it can be completed. The
    stored workflow is kept as it stood, for the record. Returns the cancelled tasks' ids; an
    instance that is no longer running is left alone."""
    instance = lock_instance(session, instance_id)
    if instance.state != "running":
        return []
    instance.state = "cancelled"
    instance.next_timer_at = None
    instance.updated_at = instance.completed_at = clock.now()
    cancelled = []
    for row in session.scalars(
        select(Task).where(Task.instance_id == instance.id, Task.state.in_(LIVE_TASK_STATES))
    ):
        cancel_task_row(session, row, reason, user)
        cancelled.append(row.id)
    audit.record(
        session,
        "process.cancelled",
        user=user,
        case_id=instance.case_id,
        object_type="process_instance",
        object_id=instance.id,
        detail={"reason": reason, "tasks": cancelled},
    )
    return cancelled


def erase_instance_data(session: Session, instance: ProcessInstance) -> None:
    """Erase the data held in a finished instance's stored workflow (retention); a running
    instance still needs its data and is refused."""
    if instance.state == "running":
        raise Conflict("a running process still needs its data")
    workflow = bpmn.load_workflow(
        instance.workflow_json, restored_definition(session, instance.definition_id)
    )
    bpmn.erase_data(workflow)
    store_workflow(instance, workflow)
