"""Inboxes are queries on Task rows; listing tasks never loads a workflow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import clock
from engine.models import Case, District, Task, TaskCandidate, User
from engine.workdays import working_days_between


@dataclass(frozen=True)
class InboxRow:
    task_id: int
    title: str
    case_reference: str
    district: str
    due_on: date | None
    state: str

    @property
    def working_days_left(self) -> int | None:
        if self.due_on is None:
            return None
        return working_days_between(clock.today(), self.due_on)


def _rows(session: Session, query) -> list[InboxRow]:  # type: ignore[no-untyped-def]
    query = (
        query.join(Case, Case.id == Task.case_id)
        .join(District, District.id == Case.district_id)
        .order_by(Task.due_on.is_(None), Task.due_on, Task.id)
        .limit(200)
    )
    return [InboxRow(*row) for row in session.execute(query)]


def my_tasks(session: Session, user: User) -> list[InboxRow]:
    return _rows(
        session,
        select(Task.id, Task.title, Case.reference, District.name, Task.due_on, Task.state).where(
            Task.assignee_id == user.id, Task.state == "claimed"
        ),
    )


def organisation_tasks(session: Session, user: User) -> list[InboxRow]:
    """Tasks waiting for someone in the user's organisation to claim them."""
    return _rows(
        session,
        select(Task.id, Task.title, Case.reference, District.name, Task.due_on, Task.state)
        .join(TaskCandidate, TaskCandidate.task_id == Task.id)
        .where(
            TaskCandidate.organisation_id == user.organisation_id, TaskCandidate.state == "open"
        ),
    )
