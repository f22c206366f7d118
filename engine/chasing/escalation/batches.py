"""The tasks due for chasing, read a batch at a time as plain data the sweep changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select, tuple_
from sqlalchemy.orm import Session

from engine.core.db import Database
from engine.core.models import LIVE_TASK_STATES, Case, CaseParticipant, Task, TaskCandidate


@dataclass
class ChasedTask:
    """A task due for chasing as the sweep reads and changes it: plain data, so a batch's
    changes go to the database as one UPDATE run for every row."""

    id: int
    case_id: int
    spec_name: str
    title: str
    role: str
    state: str
    assignee_id: int | None
    handovers: int
    due_on: date | None
    chase: dict[str, Any] | None
    reminded_at: datetime | None
    escalation_level: int
    escalated_at: datetime | None
    next_chase_on: date | None
    reference: str
    district_id: int
    organisation_ids: list[int] = field(default_factory=list)
    # Those organisations that play the task's lane through one person alone: that person.
    persons: dict[int, int] = field(default_factory=dict)
    # The council taking part in the case, which manages its review (and may change its chair).
    council_id: int | None = None

    def changes(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "reminded_at": self.reminded_at,
            "escalation_level": self.escalation_level,
            "escalated_at": self.escalated_at,
            "next_chase_on": self.next_chase_on,
        }


_COLUMNS = (
    Task.id,
    Task.case_id,
    Task.spec_name,
    Task.title,
    Task.role,
    Task.state,
    Task.assignee_id,
    Task.handovers,
    Task.due_on,
    Task.chase,
    Task.reminded_at,
    Task.escalation_level,
    Task.escalated_at,
    Task.next_chase_on,
    Case.reference,
    Case.district_id,
)


# The live states written out, not bound, so that PostgreSQL sees the condition of the partial
# index ``ix_tasks_live_next_chase`` in the query, whatever plan it keeps for the statement.
_LIVE = Task.state.in_(bindparam("live", LIVE_TASK_STATES, expanding=True, literal_execute=True))


def due_batch(
    session: Session, db: Database, today: date, after: tuple[date, int], size: int
) -> list[ChasedTask]:
    """The next ``size`` live tasks due to be chased by ``today``, in the order of the sweep's
    index (day, then id) from just after ``after``."""
    query = (
        select(*_COLUMNS)
        .join(Case, Case.id == Task.case_id)
        .where(
            _LIVE,
            Task.next_chase_on <= today,
            tuple_(Task.next_chase_on, Task.id) > tuple_(*after),
        )
        .order_by(Task.next_chase_on, Task.id)
        .limit(size)
    )
    if not db.is_sqlite:
        query = query.with_for_update(of=Task, skip_locked=True)
    tasks = [ChasedTask(**row._mapping) for row in session.execute(query)]
    by_id = {task.id: task for task in tasks}
    if by_id:
        for task_id, organisation_id, user_id in session.execute(
            select(TaskCandidate.task_id, TaskCandidate.organisation_id, TaskCandidate.user_id)
            .where(TaskCandidate.task_id.in_(by_id))
            .order_by(TaskCandidate.task_id, TaskCandidate.organisation_id)
        ):
            by_id[task_id].organisation_ids.append(organisation_id)
            if user_id is not None:
                by_id[task_id].persons[organisation_id] = user_id
        councils = dict(
            session.execute(
                select(CaseParticipant.case_id, CaseParticipant.organisation_id).where(
                    CaseParticipant.case_id.in_({task.case_id for task in tasks}),
                    CaseParticipant.role == "council",
                )
            ).all()
        )
        for task in tasks:
            task.council_id = councils.get(task.case_id)
    return tasks
