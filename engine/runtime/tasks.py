"""Working on a task: completing it, one transaction per completion, and claiming, releasing
and handing it over.

Completing a task locks its process instance (``SELECT ... FOR UPDATE`` on PostgreSQL, the
write lock taken by ``BEGIN IMMEDIATE`` on SQLite), re-reads the task, validates the data,
runs the workflow, stores it, updates the Task rows and writes the audit event, then commits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import CTE, ColumnElement, Table, Update, bindparam, select, update
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from engine.chasing.notifications import notify
from engine.core import audit, clock
from engine.core.area import service_url
from engine.core.db import WORK, Database
from engine.core.errors import Conflict, InvalidData, NotAllowed, NotFound, ProcessFailed
from engine.core.forms import FormError, coerce_data, load_form, validate_data
from engine.core.models import LIVE_TASK_STATES, Base, ProcessInstance, Task, TaskCandidate, User
from engine.runtime import bpmn, step_durations
from engine.runtime.effects import NO_EFFECTS, Effects
from engine.runtime.holders import may_hold
from engine.runtime.instances import set_task_state, spiff_task_ids, stored_columns
from engine.runtime.kept_workflows import keep_once_committed, workflow_of
from engine.runtime.steps import fail_instance, step_or_fail

# Why a task went to its holder, when a manager gave it (``Task.assigned_because``).
MANAGER = "manager"


@dataclass
class CompletionResult:
    task: Task
    ready: list[Task] = field(default_factory=list)
    process_finished: bool = False
    # The task is completed, but its process failed after it and stopped (``steps``).
    process_failed: bool = False


# A completion's own rows are written with plain UPDATEs: under load, the session's unit of
# work (its change tracking and dependency sort) cost a worker more processor time for these
# three rows than the statements themselves. Each statement's SET list is the parameters it is
# given, other than the row's key.
def _table_of(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)  # each model is mapped to a table of its own
    return table


_INSTANCES = _table_of(ProcessInstance)
_TASKS = _table_of(Task)
_CANDIDATES = _table_of(TaskCandidate)
_UPDATE_INSTANCE = update(_INSTANCES).where(_INSTANCES.c.id == bindparam("row_id"))
_UPDATE_TASK = update(_TASKS).where(_TASKS.c.id == bindparam("row_id"))
_UPDATE_CANDIDATES_STATE = (
    update(_CANDIDATES)
    .where(_CANDIDATES.c.task_id == bindparam("of_task"))
    .values(state=bindparam("new_state"))
)


def _check_columns(table: Table, columns: Mapping[str, Any]) -> None:
    unknown = columns.keys() - table.c.keys()
    if unknown:
        # A parameter that names no column would be left out of the SET list silently.
        raise ValueError(f"{table.name} has no column {', '.join(sorted(unknown))}")


def _write_at_once(
    session: Session, statement: Update, row: ProcessInstance | Task, columns: dict[str, Any]
) -> None:
    """UPDATE ``columns`` of one loaded row now, and give the loaded object the same values as
    stored (``_as_stored``)."""
    table = statement.table
    assert isinstance(table, Table)  # the statements above each update one table
    _check_columns(table, columns)
    # Through the session, so a read session's refusal to write applies here too.
    session.execute(statement, {"row_id": row.id, **columns})
    _as_stored(row, columns)


def _as_stored(row: Base, columns: Mapping[str, Any]) -> None:
    """Give a loaded object the values just written to its row, so that what the rest of the
    transaction reads from it (the revision, the state) is what was written, without reading
    it again.

    Nothing else in the transaction may change these columns through the ORM: the stored
    values given to the object replace any change to them it was still holding.
    """
    for name, value in columns.items():
        set_committed_value(row, name, value)


def _completion_in_one_statement(
    task_id: int,
    instance_id: int,
    done: Mapping[str, Any],
    stored: Mapping[str, Any],
    counted: CTE,
) -> Update:
    """The three UPDATEs of a completion and the step's duration counted, as one PostgreSQL
    statement (all but the instance's in its WITH clause), so they cost one round trip, not
    four. They change four different tables, so running them on one snapshot changes
    nothing."""
    _check_columns(_TASKS, done)
    _check_columns(_INSTANCES, stored)
    done_task = (
        update(_TASKS)
        .where(_TASKS.c.id == task_id)
        .values(dict(done))
        .returning(_TASKS.c.id)
        .cte("done_task")
    )
    done_candidates = (
        update(_CANDIDATES)
        .where(_CANDIDATES.c.task_id == task_id)
        .values(state="completed")
        .returning(_CANDIDATES.c.task_id)
        .cte("done_candidates")
    )
    return (
        update(_INSTANCES)
        .where(_INSTANCES.c.id == instance_id)
        .values(dict(stored))
        .add_cte(done_task, done_candidates, counted)
    )


def _write_completion(
    session: Session,
    task: Task,
    instance: ProcessInstance,
    workflow: Any,
    user: User,
    data: Mapping[str, Any],
) -> str:
    """The completed task, its candidates and the stored workflow, written at once: returns
    the workflow's JSON as stored."""
    completed_at = clock.now()
    done: dict[str, Any] = {
        "state": "completed",
        "assignee_id": user.id,
        "completed_at": completed_at,
        "completed_by_id": user.id,
        "data": dict(data),
    }
    if task.draft is not None:
        done["draft"] = None
    stored = stored_columns(instance, workflow)
    if session.get_bind().dialect.name == "postgresql":
        # Through the session, so a read session's refusal to write applies here too.
        counted = step_durations.counting_completion(task, instance.definition_id, completed_at)
        session.execute(_completion_in_one_statement(task.id, instance.id, done, stored, counted))
        _as_stored(task, done)
        _as_stored(instance, stored)
    else:
        _write_at_once(session, _UPDATE_TASK, task, done)
        session.execute(_UPDATE_CANDIDATES_STATE, {"of_task": task.id, "new_state": "completed"})
        _write_at_once(session, _UPDATE_INSTANCE, instance, stored)
        step_durations.count_completion(session, task, instance.definition_id)
    for candidate in task.candidates:
        set_committed_value(candidate, "state", "completed")
    return str(stored["workflow_json"])


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
    task, instance, _ = _load_task_reading(session, task_id, None)
    return task, instance


def _load_task_reading(
    session: Session, task_id: int, also: ColumnElement[Any] | None
) -> tuple[Task, ProcessInstance, Any]:
    """The locked task and instance, and the value of ``also`` read with the task."""
    by_task = {"task_id": task_id}
    instance = session.execute(_LOCK_INSTANCE_OF_TASK, by_task).scalar_one_or_none()
    if instance is None:
        raise NotFound("there is no such task")
    if also is None:
        return session.execute(_TASK_WITH_CASE, by_task).unique().scalar_one(), instance, None
    task, value = session.execute(_TASK_WITH_CASE.add_columns(also), by_task).unique().one()
    return task, instance, value


@dataclass(frozen=True)
class Authorisation:
    """A caller's check of a task about to be completed, made once its instance is locked,
    before any other check: ``reads`` is read with the task, in the same statement (whether
    the person takes part in its case, say), and ``check`` sees the task and that value and
    may raise (``NotFound``, ``NotAllowed``) to refuse it."""

    reads: ColumnElement[Any]
    check: Callable[[Task, Any], None]


def check_may_work_on(task: Task, user: User) -> None:
    """Refuse ``user`` a task they may not work on now: ``NotFound`` when it is not for them,
    so they learn nothing of it; ``Conflict`` when it is completed, no longer needed or held
    by someone else."""
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
    authorise: Authorisation | None = None,
) -> CompletionResult:
    """``complete_task`` inside the caller's write transaction, which must commit all of it or
    nothing, so a caller can check and read in the same transaction rather than in three.
    ``authorise``: the caller's own check of the task (``Authorisation``)."""
    session.info[WORK] = "task completion"
    task, instance, read = _load_task_reading(
        session, task_id, authorise.reads if authorise is not None else None
    )
    if authorise is not None:
        authorise.check(task, read)
    check_may_work_on(task, user)
    if instance.state != "running":
        raise Conflict(f"'{task.title}' is no longer needed: its process has stopped")
    try:
        schema = load_form(forms_dir, task.form)
    except FormError as error:
        raise ProcessFailed(str(error)) from None
    workflow = workflow_of(session, instance)
    spiff_task = bpmn.find_task(workflow, task.spiff_task_id)
    if spiff_task is None or not bpmn.is_ready(spiff_task):
        raise Conflict(f"'{task.title}' is no longer waiting to be done")
    # The step's rules and the form's checks together: every problem at once. Where both
    # find fault with an answer, the form's words are kept.
    problems = {
        **effects.problems(session, task, data, user, spiff_task.data),
        **validate_data(schema, data),
    }
    if problems:
        raise InvalidData("Some answers need correcting", problems)
    # Only a set to compare with afterwards: the walk that lists ready tasks in order is done
    # once, after the step.
    still_waiting = bpmn.ready_human_task_ids(workflow) - {task.spiff_task_id}
    added = effects.before_completion(session, task, data, user, spiff_task.data)
    failure = None
    try:
        bpmn.run_human_task(workflow, spiff_task, {**coerce_data(schema, dict(data)), **added})
    except ProcessFailed as failed:
        # What the person did stands; the process stops where its diagram failed after it.
        failure = failed
    stored_json = _write_completion(session, task, instance, workflow, user, data)
    audit.record(
        session,
        "task.completed",
        user=user,
        case_id=task.case_id,
        object_type="task",
        object_id=task.id,
        detail={"task": task.spec_name, "revision": instance.revision},
    )
    if failure is not None:
        fail_instance(session, instance, failure, user=user)
        return CompletionResult(task, [], False, process_failed=True)
    ready_now = bpmn.ready_human_tasks(workflow)
    if instance.state == "running" and spiff_task_ids(ready_now) == still_waiting:
        # Only the completed task moved (one of several returns, say): the other tasks' rows
        # already match the workflow, so there is nothing to read or write for them.
        keep_once_committed(session, instance, stored_json, workflow)
        return CompletionResult(task, [], False)
    ready = step_or_fail(session, instance, workflow, effects, user, ready_now)
    if instance.state == "running":
        keep_once_committed(session, instance, stored_json, workflow)
    return CompletionResult(
        task, ready, instance.state == "completed", process_failed=instance.state == "failed"
    )


def claim_task(db: Database, task_id: int, user: User) -> Task:
    with db.transaction() as session:
        task, _instance = _load_task_for_update(session, task_id)
        check_may_work_on(task, user)
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
        holder = session.get(User, task.assignee_id) if task.assignee_id != user.id else None
        detail = {"from_user_id": holder.id, "from": holder.name} if holder else None
        return _hand_to(session, task, None, actor=user, action="task.released", detail=detail)


def reassign_task(db: Database, task_id: int, manager: User, assignee_id: int) -> Task:
    """A manager gives a live task to someone else in their organisation who may hold it
    (``may_hold``), who is told in the service and by email."""
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
            or assignee.organisation_id != manager.organisation_id
            or not may_hold(task, assignee)
        ):
            raise InvalidData(
                "The task cannot be given to that person",
                {"user_id": "Select an active colleague in your organisation who works on cases"},
            )
        if task.assignee_id == assignee.id:
            task.assignee = assignee
            return task
        previous = session.get(User, task.assignee_id) if task.assignee_id else None
        _hand_to(
            session,
            task,
            assignee,
            actor=manager,
            action="task.reassigned",
            detail={
                "to_user_id": assignee.id,
                "to": assignee.name,
                "from_user_id": previous.id if previous else None,
                "from": previous.name if previous else None,
            },
        )
        if assignee.id != manager.id:
            task.assigned_because = MANAGER
            _tell_new_holder(session, task, assignee)
        return task


def _tell_new_holder(session: Session, task: Task, holder: User) -> None:
    """The person a manager gave a task to hears of it: the subject names only the task."""
    reference = task.case.reference
    notify(
        session,
        # Each hand-over is news, however often the task comes back to the same person.
        key=f"task-given:{task.id}:{holder.id}:{clock.now().isoformat()}",
        kind="assignment",
        subject=f"A task was given to you: {task.title}",
        body=(
            f"A manager of your organisation gave you the task '{task.title}' of case "
            f"{reference}. It is in your tasks now.\n\n"
            f"{service_url(session)}/tasks/{task.id}\n"
        ),
        user=holder,
        case_id=task.case_id,
        task_id=task.id,
    )


def _hand_to(
    session: Session,
    task: Task,
    assignee: User | None,
    *,
    actor: User,
    action: str,
    detail: dict[str, Any] | None = None,
) -> Task:
    """Give a task to one person, or back to its organisations' queue, and audit it."""
    task.assignee_id = assignee.id if assignee else None
    task.assignee = assignee  # so the caller can name the new holder after the commit
    task.claimed_at = clock.now() if assignee else None
    task.assigned_because = None
    set_task_state(task, "claimed" if assignee else "open")
    audit.record(
        session,
        action,
        user=actor,
        case_id=task.case_id,
        object_type="task",
        object_id=task.id,
        detail=detail,
    )
    return task
