"""The inboxes: queries on Task rows on Task rows; listing tasks never loads a workflow.

Each scope reads one index range in due-date order and stops at the limit:

- ``mine``: ``tasks (assignee_id, state, due_on)`` for the user's claimed tasks;
- ``organisation``: ``task_candidates (organisation_id, state, due_on)`` for the unclaimed
  tasks of the user's organisation;
- ``overdue`` (managers): the same candidate index, once for open and once for claimed tasks,
  up to today;
- ``team`` (managers): the same index, once for open and once for claimed tasks, whoever holds
  them: every live task of the organisation, for the team's view (``team``).

A task whose lane the organisation plays through one person alone (a review chair) is in
that person's inboxes only: the organisation's other people take no part in its case.

The walk along the index reads only the index's table (and those a filter needs) until the
limit is reached; a second query reads the rows listed by their ids, joining the case,
district, process, assignee and candidate organisations by key (one query planned with the
other was slower to plan on PostgreSQL than to run). Rows without a due date come after the
dated ones, read as a range of their own so the dated part still walks the index in order on
both databases (SQLite sorts NULL first, PostgreSQL last).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select, union_all
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.errors import InvalidData, NotAllowed
from engine.core.models import (
    LIVE_TASK_STATES,
    Case,
    District,
    ProcessDefinition,
    ProcessInstance,
    Task,
    TaskCandidate,
    User,
)
from engine.people.access import works_on_cases
from engine.work.inbox.rows import InboxRow, rows_for_tasks

SCOPES = ("mine", "organisation", "overdue", "team")
# The scopes that show colleagues' work, a manager's alone: why anyone else is refused.
MANAGERS_SCOPES = {
    "overdue": "only a manager can see all of their organisation's overdue tasks",
    "team": "only a manager can see the work of their whole organisation",
}
DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
# How far into an inbox a page may start: far enough for any real backlog, near enough that
# every part of the query stays a short index range.
MAX_OFFSET = 10_000


@dataclass(frozen=True)
class _Range:
    """One index range an inbox reads: its conditions and the columns it is ordered by."""

    source: Any
    conditions: tuple[ColumnElement[bool], ...]
    due: Any
    id: Any


def not_someone_elses(user: User) -> ColumnElement[bool]:
    """A candidate row of the organisation's own, or one whose lane the user alone plays."""
    return or_(TaskCandidate.user_id.is_(None), TaskCandidate.user_id == user.id)


def _ranges(scope: str, user: User) -> list[_Range]:
    if scope == "mine":
        mine = (Task.assignee_id == user.id, Task.state == "claimed")
        return [_Range(Task, mine, Task.due_on, Task.id)]
    candidate = (TaskCandidate.organisation_id == user.organisation_id, not_someone_elses(user))
    if scope == "organisation":
        return [
            _Range(
                TaskCandidate,
                (*candidate, TaskCandidate.state == "open"),
                TaskCandidate.due_on,
                TaskCandidate.task_id,
            )
        ]
    if scope == "team":
        # The organisation's own tasks: a lane its manager alone plays (a review chair's) is in
        # their own inboxes, not the team's.
        return [
            _Range(
                TaskCandidate,
                (
                    TaskCandidate.organisation_id == user.organisation_id,
                    TaskCandidate.user_id.is_(None),
                    TaskCandidate.state == state,
                ),
                TaskCandidate.due_on,
                TaskCandidate.task_id,
            )
            for state in LIVE_TASK_STATES
        ]
    # Overdue: one ordered range per live state, merged below, rather than one IN (...) that
    # would have to sort every overdue task of the organisation before the limit applies.
    return [
        _Range(
            TaskCandidate,
            (*candidate, TaskCandidate.state == state, TaskCandidate.due_on < clock.today()),
            TaskCandidate.due_on,
            TaskCandidate.task_id,
        )
        for state in LIVE_TASK_STATES
    ]


@dataclass(frozen=True)
class _Filters:
    district: str | None
    process: str | None
    task: str | None


def _first_ids(part: _Range, filters: _Filters, dated: bool, limit: int) -> Select[Any]:
    """The first ``limit`` task ids of one range: the walk along the index, joining only the
    tables a filter needs, so that no other table is read for rows that are not listed."""
    query = select(part.id.label("task_id"), part.due.label("due_on")).select_from(part.source)
    candidates = part.source is TaskCandidate
    if candidates and (filters.process or filters.task):
        query = query.join(Task, Task.id == TaskCandidate.task_id)
    if filters.district:
        district_id = select(District.id).where(District.key == filters.district)
        if candidates:
            # Candidate rows carry the district: the organisation's range narrows in the index.
            query = query.where(TaskCandidate.district_id == district_id.scalar_subquery())
        else:
            query = query.join(Case, Case.id == Task.case_id).where(
                Case.district_id == district_id.scalar_subquery()
            )
    if filters.process:
        versions = select(ProcessDefinition.id).where(ProcessDefinition.key == filters.process)
        query = query.join(ProcessInstance, ProcessInstance.id == Task.instance_id).where(
            ProcessInstance.definition_id.in_(versions)
        )
    if filters.task:
        query = query.where(
            (Task.spec_name == filters.task)
            | Task.spec_name.startswith(f"{filters.task} [", autoescape=True)
        )
    query = query.where(*part.conditions)
    if dated:
        query = query.where(part.due.is_not(None)).order_by(part.due, part.id)
    else:
        query = query.where(part.due.is_(None)).order_by(part.id)
    # Wrapped, because SQLite allows no ORDER BY or LIMIT on the parts of a UNION.
    first = query.limit(limit).subquery()
    return select(first.c.task_id, first.c.due_on)


def list_tasks(
    session: Session,
    user: User,
    scope: str = "mine",
    *,
    district: str | None = None,
    process: str | None = None,
    task: str | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> list[InboxRow]:
    """The tasks of one inbox, soonest due first (undated last), then in the order made;
    ``limit`` of them, after skipping the first ``offset`` (a page of a long inbox).

    ``scope`` is ``mine`` (claimed by the user), ``organisation`` (unclaimed, for the user's
    organisation), ``overdue`` (managers: their organisation's live tasks past their due
    date, claimed or not; ``NotAllowed`` for anyone else) or ``team`` (managers: every live
    task of their organisation, whoever holds it). ``district`` (a district key),
    ``process`` (a process key) and ``task`` (a task's name in its diagram) narrow the list.
    Someone whose roles do not work on cases has an empty inbox.

    At most two queries whatever the length: the page's task ids in order, then their rows
    with their candidate organisations (``rows_for_tasks``).
    """
    if scope not in SCOPES:
        raise InvalidData(
            "The inbox asked for does not exist", {"scope": f"Choose one of: {', '.join(SCOPES)}"}
        )
    if scope in MANAGERS_SCOPES and not user.has_role("manager"):
        raise NotAllowed(MANAGERS_SCOPES[scope])
    if not works_on_cases(user):
        return []
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, min(int(offset), MAX_OFFSET))
    filters = _Filters(district, process, task)
    parts = [
        _first_ids(part, filters, dated, offset + limit)
        for part in _ranges(scope, user)
        for dated in ((True,) if scope == "overdue" else (True, False))
    ]
    first = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    # The page's ids, then their rows: PostgreSQL took longer to plan the ranges joined with
    # the tables a row shows than to run them, and the two are quick to plan apart. A task
    # claimed or completed between the two (a read on PostgreSQL has no single snapshot) is
    # listed as it is now, which is what opening it would show.
    page = session.scalars(
        select(first.c.task_id)
        .order_by(first.c.due_on.is_(None), first.c.due_on, first.c.task_id)
        .offset(offset)
        .limit(limit)
    ).all()
    return rows_for_tasks(session, page)


def my_tasks(session: Session, user: User) -> list[InboxRow]:
    """The user's claimed tasks (the ``mine`` inbox)."""
    return list_tasks(session, user, "mine")


def organisation_tasks(session: Session, user: User) -> list[InboxRow]:
    """Tasks waiting for someone in the user's organisation to claim them."""
    return list_tasks(session, user, "organisation")
