"""Deploying diagrams and running them for cases, one transaction per change.

Completing a task locks its process instance (``SELECT ... FOR UPDATE`` on PostgreSQL, the
write lock taken by ``BEGIN IMMEDIATE`` on SQLite), re-reads the task, validates the data,
runs the workflow, stores it, updates the Task rows and writes the audit event, then commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Update, bindparam, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from engine.chasing.due import DueRuleError, parse_due_rule
from engine.core import audit, clock
from engine.core.area import current_settings
from engine.core.db import WORK, Database, PerDatabase
from engine.core.errors import (
    Conflict,
    DeploymentRefused,
    InvalidData,
    NotAllowed,
    NotFound,
    Problem,
    ProcessFailed,
)
from engine.core.forms import FormError, coerce_data, load_form, validate_data
from engine.core.models import (
    LIVE_TASK_STATES,
    Base,
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
from engine.people.access import works_on_cases
from engine.runtime import bpmn, expressions, versions


class Effects:
    """What steps of a process mean for its case. The runtime calls these inside its
    transaction; the default means nothing, so the runtime can be used and tested alone."""

    def before_completion(
        self,
        session: Session,
        task: Task,
        data: Mapping[str, Any],
        user: User,
        context: Mapping[str, Any],
    ) -> dict[str, Any]:
        """Check and record a task's meaning; may raise InvalidData. Returns data to add.
        ``context`` is the task's data in the workflow before ``data`` is applied."""
        return {}

    def task_created(self, session: Session, task: Task, properties: Mapping[str, str]) -> None:
        """A human task's new Task row, before it is written (it has no id yet): what is set
        on it here goes into the same INSERT rather than an UPDATE after it."""

    def task_ready(
        self,
        session: Session,
        task: Task,
        data: Mapping[str, Any],
        properties: Mapping[str, str],
    ) -> None:
        """A human task became ready (its Task row is written); ``properties`` are the
        extension properties the diagram gives the task."""

    def process_finished(
        self, session: Session, instance: ProcessInstance, data: Mapping[str, Any]
    ) -> None:
        """The instance reached its end."""


NO_EFFECTS = Effects()


@dataclass
class DeployResult:
    definition: ProcessDefinition
    created: bool
    warnings: list[Problem] = field(default_factory=list)


@dataclass
class CompletionResult:
    task: Task
    ready: list[Task] = field(default_factory=list)
    process_finished: bool = False


# Deployed definitions never change, so their specs can be shared by every request on the
# same database.
_definitions: PerDatabase[int, bpmn.Definition] = PerDatabase()


def check_bpmn(
    session: Session, content: bytes, *, filename: str, forms_dir: Path
) -> versions.Validation:
    """Every check before a deployment, against the area's timescales; writes nothing."""
    timescales = current_settings(session).get("timescales", {})
    return versions.validate(content, filename=filename, forms_dir=forms_dir, timescales=timescales)


def deploy(
    session: Session,
    content: bytes,
    *,
    filename: str,
    forms_dir: Path,
    user: User | None = None,
    unless_deployed_before: bool = False,
) -> DeployResult:
    """Check a diagram and deploy it as the next version of its process.

    Refused diagrams raise DeploymentRefused and write nothing. Deploying the same content as
    the newest version again changes nothing; with ``unless_deployed_before``, neither does
    content any earlier version had, so set-up never undoes what a process owner deployed.
    """
    checked = check_bpmn(session, content, filename=filename, forms_dir=forms_dir)
    diagram = checked.diagram
    if diagram is None or checked.spec_json is None:
        raise DeploymentRefused(checked.errors)
    content_hash = hashlib.sha256(content).hexdigest()
    latest = latest_definition(session, diagram.key)
    if latest is not None and latest.content_hash == content_hash:
        return DeployResult(latest, created=False, warnings=checked.warnings)
    if unless_deployed_before:
        earlier = session.scalar(
            select(ProcessDefinition)
            .where(
                ProcessDefinition.key == diagram.key,
                ProcessDefinition.content_hash == content_hash,
            )
            .limit(1)
        )
        if earlier is not None:
            return DeployResult(earlier, created=False, warnings=checked.warnings)
    definition = ProcessDefinition(
        key=diagram.key,
        version=(latest.version + 1) if latest else 1,
        name=diagram.name,
        content_hash=content_hash,
        bpmn_xml=content.decode("utf-8"),
        spec_json=checked.spec_json,
        deployed_by_id=user.id if user else None,
        deployed_at=clock.now(),
    )
    session.add(definition)
    session.flush()
    audit.record(
        session,
        "definition.deployed",
        user=user,
        object_type="process_definition",
        object_id=definition.id,
        detail={"key": definition.key, "version": definition.version, "sha256": content_hash},
    )
    return DeployResult(definition, created=True, warnings=checked.warnings)


def latest_definition(session: Session, key: str) -> ProcessDefinition | None:
    return session.scalar(
        select(ProcessDefinition)
        .where(ProcessDefinition.key == key)
        .order_by(ProcessDefinition.version.desc())
        .limit(1)
    )


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


def _definition(session: Session, definition_id: int) -> bpmn.Definition:
    per_database = _definitions.of(session)
    cached = per_database.get(definition_id)
    if cached is None:
        spec_json = session.scalar(
            select(ProcessDefinition.spec_json).where(ProcessDefinition.id == definition_id)
        )
        cached = per_database[definition_id] = bpmn.Definition.restore(spec_json)
    return cached


def start_process(
    session: Session,
    case: Case,
    key: str,
    data: Mapping[str, Any],
    *,
    user: User | None = None,
    effects: Effects = NO_EFFECTS,
) -> ProcessInstance:
    """Start the newest version of process ``key`` for a case, inside the caller's transaction."""
    definition = latest_definition(session, key)
    if definition is None:
        # The service is not set up, which is for its process owners to put right, not for
        # the caller; the case is not stored.
        raise ProcessFailed(f"no version of the process '{key}' has been deployed")
    workflow = bpmn.new_workflow(_definition(session, definition.id), data)
    bpmn.advance(workflow)
    now = clock.now()
    instance = ProcessInstance(
        definition_id=definition.id,
        case_id=case.id,
        workflow_json="",
        started_at=now,
        updated_at=now,
    )
    session.add(instance)
    session.flush()
    _store(instance, workflow)
    audit.record(
        session,
        "process.started",
        user=user,
        case_id=case.id,
        object_type="process_instance",
        object_id=instance.id,
        detail={"key": key, "version": definition.version},
    )
    _after_step(session, instance, workflow, effects)
    return instance


def _after_step(
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


def _store(instance: ProcessInstance, workflow: Any) -> None:
    for name, value in _stored_workflow(instance, workflow).items():
        setattr(instance, name, value)


def _stored_workflow(instance: ProcessInstance, workflow: Any) -> dict[str, Any]:
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


# A completion's own rows are written with plain UPDATEs: under load, the session's unit of
# work (its change tracking and dependency sort) cost a worker more processor time for these
# three rows than the statements themselves. Each statement's SET list is the parameters it is
# given, other than the row's key.
_UPDATE_INSTANCE = update(ProcessInstance.__table__).where(
    ProcessInstance.__table__.c.id == bindparam("row_id")
)
_UPDATE_TASK = update(Task.__table__).where(Task.__table__.c.id == bindparam("row_id"))
_UPDATE_CANDIDATES_STATE = (
    update(TaskCandidate.__table__)
    .where(TaskCandidate.__table__.c.task_id == bindparam("of_task"))
    .values(state=bindparam("new_state"))
)


def _write_at_once(session: Session, statement: Update, row: Base, columns: dict[str, Any]) -> None:
    """UPDATE ``columns`` of one loaded row now, and give the loaded object the same values as
    stored, so that what the rest of the transaction reads from it (the revision, the state)
    is what was written, without reading it again.

    Nothing else in the transaction may change these columns through the ORM: the stored
    values given to the object replace any change to them it was still holding.
    """
    unknown = columns.keys() - statement.table.c.keys()
    if unknown:
        # A parameter that names no column would be left out of the SET list silently.
        raise ValueError(f"{statement.table.name} has no column {', '.join(sorted(unknown))}")
    # Through the session, so a read session's refusal to write applies here too.
    session.execute(statement, {"row_id": row.id, **columns})
    for name, value in columns.items():
        set_committed_value(row, name, value)


def _write_completion(
    session: Session,
    task: Task,
    instance: ProcessInstance,
    workflow: Any,
    user: User,
    data: Mapping[str, Any],
) -> None:
    """The completed task, its candidates and the stored workflow, written at once."""
    done = {
        "state": "completed",
        "assignee_id": user.id,
        "completed_at": clock.now(),
        "completed_by_id": user.id,
        "data": dict(data),
    }
    if task.draft is not None:
        done["draft"] = None
    _write_at_once(session, _UPDATE_TASK, task, done)
    session.execute(_UPDATE_CANDIDATES_STATE, {"of_task": task.id, "new_state": "completed"})
    for candidate in task.candidates:
        set_committed_value(candidate, "state", "completed")
    _write_at_once(session, _UPDATE_INSTANCE, instance, _stored_workflow(instance, workflow))


def _lock_instance(session: Session, instance_id: int) -> ProcessInstance:
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
    ready_ids = _ids(ready)
    created: list[Task] = []
    timescales: dict[str, int] | None = None
    for spiff_task in ready:
        if str(spiff_task.id) in live:
            continue
        if timescales is None:
            timescales = current_settings(session).get("timescales", {})
        row = _new_task_row(session, instance, spiff_task, timescales, effects)
        effects.task_ready(session, row, spiff_task.data, bpmn.task_properties(spiff_task))
        created.append(row)
    for spiff_id, row in live.items():
        if spiff_id not in ready_ids:
            _cancel_task(session, row, "the process moved on without it")
    return created


def _cancel_task(session: Session, row: Task, reason: str, user: User | None = None) -> None:
    _set_state(row, "cancelled")
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
        raise ProcessFailed(f"cannot work out when '{title}' is due: {error}") from None
    participants = _participants_for(session, instance.case_id, role, properties, spiff_task)
    assignees = {p.user_id for p in participants if p.user_id}
    assignee_id = assignees.pop() if len(assignees) == 1 and len(participants) == 1 else None
    state = "claimed" if assignee_id else "open"
    # The case is already in the session wherever a process moves on: no statement.
    district_id = session.get(Case, instance.case_id).district_id
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
    effects.task_created(session, row, properties)
    session.add(row)
    session.flush()
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
    return row


def _participants_for(
    session: Session, case_id: int, role: str, properties: Mapping[str, str], spiff_task: Any
) -> list[CaseParticipant]:
    query = select(CaseParticipant).where(CaseParticipant.case_id == case_id)
    chooser = properties.get("organisation_from")
    if chooser:
        try:
            organisation_key = expressions.evaluate(chooser, spiff_task.data)
        except expressions.ExpressionError as error:
            raise ProcessFailed(f"cannot tell which organisation does this task: {error}") from None
        chosen = session.scalars(
            query.join(Organisation).where(
                Organisation.key == str(organisation_key), CaseParticipant.role == role
            )
        ).all()
        if not chosen:
            raise ProcessFailed(
                f"'{spiff_task.task_spec.bpmn_name}' is for '{organisation_key}', which is not "
                f"a {role} participant on this case"
            )
        return list(chosen)
    participants = session.scalars(query.where(CaseParticipant.role == role)).all()
    if not participants:
        # The council manages every review on behalf of the relevant bodies.
        participants = session.scalars(query.where(CaseParticipant.role == "council")).all()
    if not participants:
        raise ProcessFailed(f"no organisation plays the role '{role}' on this case")
    return list(participants)


def _only_person(participants: list[CaseParticipant], organisation_id: int) -> int | None:
    """The one person through whom the organisation plays the lane (a review chair), or None
    when the organisation itself plays it."""
    people = {p.user_id for p in participants if p.organisation_id == organisation_id}
    return people.pop() if len(people) == 1 else None


def _set_state(row: Task, state: str) -> None:
    row.state = state
    for candidate in row.candidates:
        candidate.state = state


# The instance is found and locked by the task in one statement; the task is read after the
# lock, so what it says is what the lock holder may change. The case comes with the task:
# whatever acts on a task reads its case. Built once: every completion runs them.
_LOCK_INSTANCE_OF_TASK = (
    select(ProcessInstance)
    .where(
        ProcessInstance.id
        == select(Task.instance_id).where(Task.id == bindparam("task_id")).scalar_subquery()
    )
    .with_for_update()
    .execution_options(populate_existing=True)
)
_TASK_WITH_CASE = (
    select(Task)
    .where(Task.id == bindparam("task_id"))
    .options(joinedload(Task.candidates), joinedload(Task.case))
    .execution_options(populate_existing=True)
)


def _load_task_for_update(session: Session, task_id: int) -> tuple[Task, ProcessInstance]:
    by_task = {"task_id": task_id}
    instance = session.execute(_LOCK_INSTANCE_OF_TASK, by_task).scalar_one_or_none()
    if instance is None:
        raise NotFound("there is no such task")
    task = session.execute(_TASK_WITH_CASE, by_task).unique().scalar_one()
    return task, instance


def _check_may_work_on(task: Task, user: User) -> None:
    if not task.is_for(user):
        raise NotFound("there is no such task")
    if task.state == "completed":
        raise Conflict(
            f"'{task.title}' was already completed at {task.completed_at:%d %B %Y %H:%M}"
        )
    if task.state == "cancelled":
        raise Conflict(f"'{task.title}' is no longer needed: the process moved on")
    if task.assignee_id not in (None, user.id):
        raise Conflict(f"'{task.title}' is claimed by someone else; ask them or a manager")


def complete_task(
    db: Database,
    task_id: int,
    user: User,
    data: Mapping[str, Any],
    *,
    forms_dir: Path,
    effects: Effects = NO_EFFECTS,
) -> CompletionResult:
    """Complete a human task with data, all or nothing."""
    with db.transaction() as session:
        result = complete_task_in(
            session, task_id, user, data, forms_dir=forms_dir, effects=effects
        )
        return result


def complete_task_in(
    session: Session,
    task_id: int,
    user: User,
    data: Mapping[str, Any],
    *,
    forms_dir: Path,
    effects: Effects = NO_EFFECTS,
    authorise: Callable[[Session, Task], None] | None = None,
) -> CompletionResult:
    """``complete_task`` inside the caller's write transaction, which must commit all of it or
    nothing, so a caller can check and read in the same transaction rather than in three.

    ``authorise`` sees the task once its instance is locked, before any other check, and may
    raise (``NotFound``, ``NotAllowed``) to refuse it.
    """
    session.info[WORK] = "task completion"
    task, instance = _load_task_for_update(session, task_id)
    if authorise is not None:
        authorise(session, task)
    _check_may_work_on(task, user)
    try:
        schema = load_form(forms_dir, task.form)
    except FormError as error:
        raise ProcessFailed(str(error)) from None
    problems = validate_data(schema, data)
    if problems:
        raise InvalidData("Some answers need correcting", problems)
    workflow = bpmn.load_workflow(
        instance.workflow_json, _definition(session, instance.definition_id)
    )
    spiff_task = bpmn.find_task(workflow, task.spiff_task_id)
    if spiff_task is None or not bpmn.is_ready(spiff_task):
        raise Conflict(f"'{task.title}' is no longer waiting to be done")
    still_waiting = _ids(bpmn.ready_human_tasks(workflow)) - {task.spiff_task_id}
    added = effects.before_completion(session, task, data, user, spiff_task.data)
    bpmn.run_human_task(workflow, spiff_task, {**coerce_data(schema, dict(data)), **added})
    _write_completion(session, task, instance, workflow, user, data)
    audit.record(
        session,
        "task.completed",
        user=user,
        case_id=task.case_id,
        object_type="task",
        object_id=task.id,
        detail={"task": task.spec_name, "revision": instance.revision},
    )
    ready_now = bpmn.ready_human_tasks(workflow)
    if instance.state == "running" and _ids(ready_now) == still_waiting:
        # Only the completed task moved (one of several returns, say): the other tasks' rows
        # already match the workflow, so there is nothing to read or write for them.
        return CompletionResult(task, [], False)
    ready = _after_step(session, instance, workflow, effects, user, ready_now)
    return CompletionResult(task, ready, instance.state == "completed")


def _ids(spiff_tasks: list[Any]) -> set[str]:
    return {str(spiff_task.id) for spiff_task in spiff_tasks}


def claim_task(db: Database, task_id: int, user: User) -> Task:
    with db.transaction() as session:
        task, _instance = _load_task_for_update(session, task_id)
        _check_may_work_on(task, user)
        if task.assignee_id == user.id:
            return task
        return _hand_to(session, task, user, actor=user, action="task.claimed")


def release_task(db: Database, task_id: int, user: User) -> Task:
    """Put a claimed task back in its organisations' queue (its holder or a manager may)."""
    with db.transaction() as session:
        task, _instance = _load_task_for_update(session, task_id)
        if not task.is_for(user):
            raise NotFound("there is no such task")
        if task.state != "claimed":
            raise Conflict(f"'{task.title}' is not claimed")
        if task.assignee_id != user.id and not user.has_role("manager"):
            raise NotAllowed("only the person holding a task, or a manager, may release it")
        return _hand_to(session, task, None, actor=user, action="task.released")


def reassign_task(db: Database, task_id: int, manager: User, assignee_id: int) -> Task:
    """A manager gives a live task to someone else in their organisation (a candidate's)."""
    with db.transaction() as session:
        task, _instance = _load_task_for_update(session, task_id)
        if not task.is_for(manager):
            raise NotFound("there is no such task")
        if not manager.has_role("manager"):
            raise NotAllowed("only a manager may give a task to someone else")
        if task.state not in LIVE_TASK_STATES:
            raise Conflict(f"'{task.title}' is no longer waiting to be done")
        assignee = session.get(User, assignee_id)
        if (
            assignee is None
            or not assignee.active
            or assignee.organisation_id != manager.organisation_id
            or not task.is_for(assignee)
            or not works_on_cases(assignee)
        ):
            raise InvalidData(
                "The task cannot be given to that person",
                {"user_id": "Choose an active colleague in your organisation who works on cases"},
            )
        if task.assignee_id == assignee.id:
            return task
        return _hand_to(session, task, assignee, actor=manager, action="task.reassigned")


def _hand_to(
    session: Session, task: Task, assignee: User | None, *, actor: User, action: str
) -> Task:
    """Give a task to one person, or back to its organisations' queue, and audit it."""
    task.assignee_id = assignee.id if assignee else None
    task.claimed_at = clock.now() if assignee else None
    _set_state(task, "claimed" if assignee else "open")
    audit.record(
        session, action, user=actor, case_id=task.case_id, object_type="task", object_id=task.id
    )
    return task


def erase_instance_data(session: Session, instance: ProcessInstance) -> None:
    """Erase the data held in a finished instance's stored workflow (retention); a running
    instance still needs its data and is refused."""
    if instance.state == "running":
        raise Conflict("a running process still needs its data")
    workflow = bpmn.load_workflow(
        instance.workflow_json, _definition(session, instance.definition_id)
    )
    bpmn.erase_data(workflow)
    _store(instance, workflow)


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
            _mark_failed(db, instance_id, str(error))
    return fired


def _fire_instance_timers(
    db: Database, instance_id: int, moment: datetime, effects: Effects
) -> int:
    with db.transaction() as session:
        instance = _lock_instance(session, instance_id)
        if (
            instance.state != "running"
            or not instance.next_timer_at
            or (instance.next_timer_at > moment)
        ):
            return 0  # another process got here first
        workflow = bpmn.load_workflow(
            instance.workflow_json, _definition(session, instance.definition_id)
        )
        bpmn.advance(workflow)
        _store(instance, workflow)
        audit.record(
            session,
            "timer.fired",
            case_id=instance.case_id,
            object_type="process_instance",
            object_id=instance.id,
        )
        _after_step(session, instance, workflow, effects)
        return 1


def cancel_instance(
    session: Session, instance_id: int, reason: str, *, user: User | None = None
) -> list[int]:
    """End a running instance before it reaches its end, inside the caller's transaction: its
    waiting tasks are cancelled, no timer of it fires and nothing of it can be completed. The
    stored workflow is kept as it stood, for the record. Returns the cancelled tasks' ids; an
    instance that is no longer running is left alone."""
    instance = _lock_instance(session, instance_id)
    if instance.state != "running":
        return []
    instance.state = "cancelled"
    instance.next_timer_at = None
    instance.updated_at = instance.completed_at = clock.now()
    cancelled = []
    for row in session.scalars(
        select(Task).where(Task.instance_id == instance.id, Task.state.in_(LIVE_TASK_STATES))
    ):
        _cancel_task(session, row, reason, user)
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


def _mark_failed(db: Database, instance_id: int, reason: str) -> None:
    with db.transaction() as session:
        instance = _lock_instance(session, instance_id)
        instance.state = "failed"
        instance.next_timer_at = None
        audit.record(
            session,
            "process.failed",
            case_id=instance.case_id,
            object_type="process_instance",
            object_id=instance.id,
            detail={"reason": reason},
        )


@dataclass
class MoveReport:
    """Running instances moved from one version to the newest, and those refused, with why."""

    key: str
    from_version: int
    to_version: int
    moved: list[int] = field(default_factory=list)
    refused: dict[int, list[str]] = field(default_factory=dict)


def move_instances(
    db: Database,
    key: str,
    from_version: int,
    user: User | None,
    *,
    instance_ids: list[int] | None = None,
    effects: Effects = NO_EFFECTS,
) -> MoveReport:
    """Move running instances of an older version to the newest, one transaction each.

    An instance moves only when nothing it has reached differs in the newest version; a
    refused one is left exactly as it was, with the reasons in the report.
    """
    with db.read() as session:
        latest = latest_definition(session, key)
        source = session.scalar(
            select(ProcessDefinition).where(
                ProcessDefinition.key == key, ProcessDefinition.version == from_version
            )
        )
        if latest is None or source is None:
            raise NotFound(f"there is no version {from_version} of the process '{key}'")
        if source.id == latest.id:
            raise Conflict(f"version {from_version} is the newest; there is nothing to move to")
        running = session.scalars(
            select(ProcessInstance.id)
            .where(ProcessInstance.definition_id == source.id, ProcessInstance.state == "running")
            .order_by(ProcessInstance.id)
        ).all()
        source_id, target_id, target_version = source.id, latest.id, latest.version
    report = MoveReport(key, from_version, target_version)
    chosen = list(running) if instance_ids is None else list(dict.fromkeys(instance_ids))
    for instance_id in chosen:
        if instance_id not in running:
            report.refused[instance_id] = [f"it is not a running case on version {from_version}"]
            continue
        try:
            reasons = _move_instance(db, instance_id, source_id, target_id, report, user, effects)
        except ProcessFailed as error:
            reasons = [f"the new version could not carry it on: {error}"]
        if reasons:
            report.refused[instance_id] = reasons
        else:
            report.moved.append(instance_id)
    return report


def _move_instance(
    db: Database,
    instance_id: int,
    source_id: int,
    target_id: int,
    report: MoveReport,
    user: User | None,
    effects: Effects,
) -> list[str]:
    with db.transaction() as session:
        instance = _lock_instance(session, instance_id)
        if instance.definition_id != source_id or instance.state != "running":
            return [f"it is no longer running on version {report.from_version}"]
        outcome = versions.move_workflow(
            instance.workflow_json,
            _definition(session, source_id).spec_json,
            _definition(session, target_id).spec_json,
        )
        if outcome.workflow is None:
            return outcome.reasons
        bpmn.advance(outcome.workflow)
        instance.definition_id = target_id
        _store(instance, outcome.workflow)
        audit.record(
            session,
            "process.moved",
            user=user,
            case_id=instance.case_id,
            object_type="process_instance",
            object_id=instance.id,
            detail={
                "key": report.key,
                "from_version": report.from_version,
                "to_version": report.to_version,
            },
        )
        _after_step(session, instance, outcome.workflow, effects, user)
        return []
