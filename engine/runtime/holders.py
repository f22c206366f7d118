"""Who may hold a task, and who a task that has just become ready goes to.

A person may hold a task (claim it, or be given it) while their account is active, their
organisation does the task (and, in a lane one person alone plays, they are that person) and
their roles work on cases: the check claiming, a manager's reassignment and the rule below
share.

Work stays with its person: the next task of a case in a lane goes to whoever completed the
case's previous task in that lane for the same organisation, while they may still hold it, so
the caseworker who knows the case is not asked to claim it again at every step. An area turns
this off with ``work_stays_with_its_person = false``. A lane one person alone plays (a review
chair's) is already that person's; a task anyone else holds is left alone.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from engine.core import audit, clock
from engine.core.area import work_stays_with_its_person
from engine.core.models import Task, TaskCandidate, User
from engine.people.access import works_on_cases

PREVIOUS_STEP = "previous_step"

# Who completed the latest completed task of the case in the lane that one of the organisations
# did, by the case's own index (a case has a few dozen tasks), with the roles ``may_hold``
# asks for: one statement rather than one for the task, one for the person, one for the roles.
_PREVIOUS_HOLDER = (
    select(User)
    .join(Task, Task.completed_by_id == User.id)
    .join(TaskCandidate, TaskCandidate.task_id == Task.id)
    .where(
        Task.case_id == bindparam("case_id"),
        Task.role == bindparam("role"),
        Task.state == "completed",
        Task.completed_by_id.is_not(None),
        TaskCandidate.organisation_id.in_(bindparam("organisations", expanding=True)),
    )
    .order_by(Task.completed_at.desc(), Task.id.desc())
    .limit(1)
    .options(joinedload(User.role_rows))
)


def may_hold(task: Task, user: User) -> bool:
    """Whether ``user`` may hold ``task`` now: active, of an organisation that does it (the
    one person of a lane one person plays), in a role that works on cases."""
    return user.active and task.is_for(user) and works_on_cases(user)


def previous_step_holder(session: Session, task: Task) -> User | None:
    """Who a task just made ready (its candidates set, no one holding it) goes to because they
    completed the case's previous step in its lane; None when it waits in the queue."""
    if task.assignee_id is not None or not task.candidates:
        return None
    if any(candidate.user_id is not None for candidate in task.candidates):
        return None  # a lane one person plays is theirs already, or for one of a few
    if not work_stays_with_its_person(session):
        return None
    person = (
        session.execute(
            _PREVIOUS_HOLDER,
            {"case_id": task.case_id, "role": task.role, "organisations": task.organisation_ids},
        )
        .unique()
        .scalar_one_or_none()
    )
    return person if person is not None and may_hold(task, person) else None


def keep_with_previous_holder(session: Session, task: Task) -> User | None:
    """Give a task just made ready, not yet written, to whoever completed the case's previous
    step in its lane (``previous_step_holder``), as claimed by them; returns them, or None
    when it waits in the queue. ``record_kept`` audits it once the task has its id."""
    holder = previous_step_holder(session, task)
    if holder is None:
        return None
    task.assignee_id = holder.id
    task.claimed_at = clock.now()
    task.assigned_because = PREVIOUS_STEP
    task.state = "claimed"
    for candidate in task.candidates:
        candidate.state = "claimed"
    return holder


def record_kept(session: Session, task: Task, holder: User) -> None:
    """The audit event of ``keep_with_previous_holder``'s hand-over, the service's act."""
    audit.record(
        session,
        "task.assigned",
        case_id=task.case_id,
        object_type="task",
        object_id=task.id,
        detail={"to_user_id": holder.id, "to": holder.name, "because": PREVIOUS_STEP},
    )
