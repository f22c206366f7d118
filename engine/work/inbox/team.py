"""The team's view, for a manager: every live task of their organisation, grouped by who
holds it (and those no one has claimed yet), with how many each holds and how many of those
are overdue, and the colleagues a task can be given to.

The same few queries whatever the size of the team: the counts, grouped by holder, from the
candidate index ``task_candidates (organisation_id, state, due_on)`` joined to the tasks by
their key; the soonest due tasks, read as the ``team`` inbox is (``list_tasks``, two); the
colleagues with their roles (two); and, only when someone outside them still holds some of
the organisation's tasks, their names.
A lane one person alone plays (a review chair's) is that person's, not the team's, and is left
out, as it is of the organisation's inboxes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from engine.core import clock
from engine.core.errors import NotAllowed
from engine.core.models import LIVE_TASK_STATES, Task, TaskCandidate, User
from engine.people.access import works_on_cases
from engine.work.inbox.rows import InboxRow
from engine.work.inbox.scopes import MANAGERS_SCOPES, list_tasks

# Tasks the view lists: more than a team's screen, few enough to draw at once. The counts
# are of every task, however many there are.
TEAM_LIMIT = 500


@dataclass(frozen=True)
class Holder:
    """One person's share of the team's work (or, with no id, the tasks no one has claimed):
    how many they hold and how many of those are overdue, and the soonest due of them."""

    user_id: int | None
    name: str
    count: int
    overdue: int
    rows: list[InboxRow]
    # False for someone who holds tasks of the organisation but may no longer do them (their
    # account closed, or they moved to another organisation): a manager gives them to others.
    may_hold: bool = True

    @property
    def listed_all(self) -> bool:
        return len(self.rows) == self.count

    def as_dict(self) -> dict[str, Any]:
        return {
            "person": {"id": self.user_id, "name": self.name} if self.user_id else None,
            "may_hold": self.may_hold,
            "count": self.count,
            "overdue": self.overdue,
            "tasks": [row.as_dict() for row in self.rows],
        }


@dataclass(frozen=True)
class Team:
    """A manager's view of their organisation's work."""

    organisation: str
    people: list[Holder]
    unclaimed: Holder
    # Who a task may be given to (id, name): the organisation's active people whose roles
    # work on cases, by name.
    colleagues: list[tuple[int, str]]

    @property
    def count(self) -> int:
        return self.unclaimed.count + sum(person.count for person in self.people)

    @property
    def overdue(self) -> int:
        return self.unclaimed.overdue + sum(person.overdue for person in self.people)

    @property
    def listed(self) -> int:
        return len(self.unclaimed.rows) + sum(len(person.rows) for person in self.people)

    def as_dict(self) -> dict[str, Any]:
        """The view as plain values: the counts, each person's share, then the unclaimed."""
        return {
            "organisation": self.organisation,
            "count": self.count,
            "overdue": self.overdue,
            "listed": self.listed,
            "people": [person.as_dict() for person in self.people],
            "unclaimed": self.unclaimed.as_dict(),
            "colleagues": [{"id": id_, "name": name} for id_, name in self.colleagues],
        }


def _counts(session: Session, organisation_id: int) -> dict[int | None, tuple[int, int]]:
    """(tasks, overdue) by holder, None for those no one holds."""
    late = case((TaskCandidate.due_on < clock.today(), 1), else_=0)
    rows = session.execute(
        select(Task.assignee_id, func.count(), func.coalesce(func.sum(late), 0))
        .select_from(TaskCandidate)
        .join(Task, Task.id == TaskCandidate.task_id)
        .where(
            TaskCandidate.organisation_id == organisation_id,
            TaskCandidate.user_id.is_(None),
            TaskCandidate.state.in_(LIVE_TASK_STATES),
        )
        .group_by(Task.assignee_id)
    )
    return {holder: (int(count), int(overdue)) for holder, count, overdue in rows}


def colleagues(session: Session, manager: User) -> list[User]:
    """The people of the manager's organisation a task of theirs may be given to."""
    people = session.scalars(
        select(User)
        .where(User.organisation_id == manager.organisation_id, User.active.is_(True))
        .options(selectinload(User.role_rows))
        .order_by(User.name, User.id)
    )
    return [person for person in people if works_on_cases(person)]


def team_work(session: Session, manager: User, *, limit: int = TEAM_LIMIT) -> Team:
    """The manager's organisation's live tasks by holder; ``NotAllowed`` for anyone else.

    Each colleague is listed, holding tasks or not, by name; then anyone else holding the
    organisation's tasks (who may no longer do them), by name. Rows are the ``limit`` soonest
    due of all, in inbox order within each holder; counts are of every task.
    """
    if not manager.has_role("manager"):
        raise NotAllowed(MANAGERS_SCOPES["team"])
    counts = _counts(session, manager.organisation_id)
    rows = list_tasks(session, manager, "team", limit=limit)
    by_holder: dict[int | None, list[InboxRow]] = {}
    names: dict[int, str] = {}
    for row in rows:
        by_holder.setdefault(row.assignee_id, []).append(row)
        if row.assignee_id is not None:
            names[row.assignee_id] = row.assignee_name or ""
    team = colleagues(session, manager)

    def holder(user_id: int | None, name: str, *, may_hold: bool = True) -> Holder:
        count, overdue = counts.get(user_id, (0, 0))
        return Holder(user_id, name, count, overdue, by_holder.get(user_id, []), may_hold)

    people = [holder(person.id, person.name) for person in team]
    known = {person.id for person in team}
    others = [user_id for user_id in counts if user_id is not None and user_id not in known]
    if others:
        found = session.execute(select(User.id, User.name).where(User.id.in_(others)))
        names.update((user_id, name) for user_id, name in found)
        people += sorted(
            (holder(user_id, names.get(user_id, ""), may_hold=False) for user_id in others),
            key=lambda person: (person.name, person.user_id or 0),
        )
    return Team(
        organisation=manager.organisation.name if manager.organisation else "",
        people=people,
        unclaimed=holder(None, "Not yet claimed"),
        colleagues=[(person.id, person.name) for person in team],
    )
