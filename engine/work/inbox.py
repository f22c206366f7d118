"""Inboxes are queries on Task rows; listing tasks never loads a workflow.

Each scope reads one index range in due-date order and stops at the limit:

- ``mine``: ``tasks (assignee_id, state, due_on)`` for the user's claimed tasks;
- ``organisation``: ``task_candidates (organisation_id, state, due_on)`` for the unclaimed
  tasks of the user's organisation;
- ``overdue`` (managers): the same candidate index, once for open and once for claimed tasks,
  up to today.

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

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Integer,
    Select,
    any_,
    bindparam,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.db import PerDatabase
from engine.core.errors import InvalidData, NotAllowed
from engine.core.models import (
    LIVE_TASK_STATES,
    Case,
    District,
    Organisation,
    OrganisationDistrict,
    ProcessDefinition,
    ProcessInstance,
    Task,
    TaskCandidate,
    User,
)
from engine.core.workdays import working_days_between
from engine.people.access import works_on_cases
from engine.runtime.bpmn import BPMN_NAMESPACE, parse_xml_safely

SCOPES = ("mine", "organisation", "overdue")
DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
# How far into an inbox a page may start: far enough for any real backlog, near enough that
# every part of the query stays a short index range.
MAX_OFFSET = 10_000
# A multi-instance task's rows are named after the diagram's task with a suffix such as
# " [child]"; people (and filters) know the task by the diagram's name alone.
_SPEC_SUFFIX = re.compile(r" \[[^\]]*\]$")


def working_days_left(due_on: date | None) -> int | None:
    """Working days until a due date: 0 on the day, negative once it has passed."""
    return None if due_on is None else working_days_between(clock.today(), due_on)


def _overdue_by(working_days_left: int | None) -> int:
    return -working_days_left if working_days_left is not None and working_days_left < 0 else 0


def task_name(spec_name: str) -> str:
    """The diagram's name for a task, without SpiffWorkflow's multi-instance suffix."""
    return _SPEC_SUFFIX.sub("", spec_name)


@dataclass(frozen=True)
class InboxRow:
    """One task as an inbox lists it: what it is, whose it is, and when it is due."""

    task_id: int
    title: str
    spec_name: str
    form: str
    case_reference: str
    district_key: str
    district_name: str
    organisation_keys: tuple[str, ...]
    organisation_names: tuple[str, ...]
    assignee_id: int | None
    assignee_name: str | None
    state: str
    due_on: date | None
    escalation_level: int
    process_key: str

    @property
    def district(self) -> str:
        """The district's name (what the first inbox page showed)."""
        return self.district_name

    @property
    def working_days_left(self) -> int | None:
        return working_days_left(self.due_on)

    @property
    def is_overdue(self) -> bool:
        return self.due_on is not None and self.due_on < clock.today()

    @property
    def overdue_by(self) -> int:
        """Working days past the due date; 0 when not overdue (or overdue only by a weekend)."""
        return _overdue_by(self.working_days_left)

    def as_dict(self) -> dict[str, Any]:
        """The row with its working-day figures, as plain values (dates stay dates)."""
        left = self.working_days_left
        return {
            "id": self.task_id,
            "title": self.title,
            "name": self.spec_name,
            "form": self.form,
            "case_reference": self.case_reference,
            "district": {"key": self.district_key, "name": self.district_name},
            "organisations": [
                {"key": key, "name": name}
                for key, name in zip(self.organisation_keys, self.organisation_names, strict=True)
            ],
            "assignee": (
                {"id": self.assignee_id, "name": self.assignee_name}
                if self.assignee_id is not None
                else None
            ),
            "state": self.state,
            "due_on": self.due_on,
            "working_days_left": left,
            "overdue": self.is_overdue,
            "overdue_by": _overdue_by(left),
            "escalation_level": self.escalation_level,
            "process": self.process_key,
        }


@dataclass(frozen=True)
class _Range:
    """One index range an inbox reads: its conditions and the columns it is ordered by."""

    source: Any
    conditions: tuple[ColumnElement[bool], ...]
    due: Any
    id: Any


def _columns(*, joined: bool) -> Select[Any]:
    """A row's columns. Joined, the district, the assignee's name and the process come from
    joins; otherwise from subqueries, one table each."""

    def looked_up(column: Any, where: ColumnElement[bool]) -> Any:
        return column if joined else select(column).where(where).scalar_subquery()

    process_key = (
        ProcessDefinition.key
        if joined
        else select(ProcessDefinition.key)
        .join(ProcessInstance, ProcessInstance.definition_id == ProcessDefinition.id)
        .where(ProcessInstance.id == Task.instance_id)
        .scalar_subquery()
    )
    return select(
        Task.id.label("task_id"),
        Task.title,
        Task.spec_name,
        Task.form,
        Case.reference.label("case_reference"),
        looked_up(District.key, District.id == Case.district_id).label("district_key"),
        looked_up(District.name, District.id == Case.district_id).label("district_name"),
        Task.assignee_id,
        looked_up(User.name, User.id == Task.assignee_id).label("assignee_name"),
        Task.state,
        Task.due_on,
        Task.escalation_level,
        process_key.label("process_key"),
    )


_ROW_FIELDS = tuple(_columns(joined=True).selected_columns.keys())


def _rows_where(ids_match: ColumnElement[bool], *, joined: bool) -> Select[Any]:
    """A row per task and organisation, the organisations gathered by ``rows_for_tasks``."""
    query = (
        _columns(joined=joined)
        .add_columns(Organisation.key.label("organisation_key"), Organisation.name)
        .select_from(Task)
        .join(Case, Case.id == Task.case_id)
    )
    if joined:
        query = (
            query.join(District, District.id == Case.district_id)
            .join(ProcessInstance, ProcessInstance.id == Task.instance_id)
            .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
            .outerjoin(User, User.id == Task.assignee_id)
        )
    return (
        query.outerjoin(TaskCandidate, TaskCandidate.task_id == Task.id)
        .outerjoin(Organisation, Organisation.id == TaskCandidate.organisation_id)
        .where(ids_match)
        .order_by(Task.id, Organisation.name)
    )


# Built once: every inbox and every completion reads its rows with them. PostgreSQL takes
# longer to plan the eight tables' join than to run it (about 1 ms against 0.1 for one task,
# 1.6 against 0.7 for a page of 50), so its forms are made to be planned rarely: psycopg
# prepares a statement run often, and PostgreSQL then keeps a generic plan when it is no worse.
# A page of an inbox is one array, so pages of every length share one statement and its plan,
# and it joins, which runs fastest. A list of a few ids (a completion's new tasks) is a
# statement per count, each planned afresh until it has run about ten times on a connection,
# so it looks the district, the assignee and the process up in subqueries: four tables, which
# plan in a quarter of the time. An array of one id was planned afresh each time, its own plan
# being cheaper than the generic one, so one id is a list. SQLite plans either in microseconds.
_ROWS_BY_ID_LIST = _rows_where(Task.id.in_(bindparam("ids", expanding=True)), joined=True)
_ROWS_BY_FEW_IDS = _rows_where(Task.id.in_(bindparam("ids", expanding=True)), joined=False)
_ROWS_BY_ID_ARRAY = _rows_where(
    Task.id == any_(bindparam("ids", type_=ARRAY(Integer))), joined=True
)
_MOST_IDS_LISTED = 8


def _not_someone_elses(user: User) -> ColumnElement[bool]:
    """A candidate row of the organisation's own, or one whose lane the user alone plays."""
    return or_(TaskCandidate.user_id.is_(None), TaskCandidate.user_id == user.id)


def _ranges(scope: str, user: User) -> list[_Range]:
    if scope == "mine":
        mine = (Task.assignee_id == user.id, Task.state == "claimed")
        return [_Range(Task, mine, Task.due_on, Task.id)]
    candidate = (TaskCandidate.organisation_id == user.organisation_id, _not_someone_elses(user))
    if scope == "organisation":
        return [
            _Range(
                TaskCandidate,
                (*candidate, TaskCandidate.state == "open"),
                TaskCandidate.due_on,
                TaskCandidate.task_id,
            )
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


def _sort_key(row: Mapping[str, Any]) -> tuple[bool, date, int]:
    """Inbox order: soonest due first, tasks with no due date last."""
    return (row["due_on"] is None, row["due_on"] or date.min, row["task_id"])


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
    organisation) or ``overdue`` (managers: their organisation's live tasks past their due
    date, claimed or not; ``NotAllowed`` for anyone else). ``district`` (a district key),
    ``process`` (a process key) and ``task`` (a task's name in its diagram) narrow the list.
    Someone whose roles do not work on cases has an empty inbox.

    At most two queries whatever the length: the page's task ids in order, then their rows
    with their candidate organisations (``rows_for_tasks``).
    """
    if scope not in SCOPES:
        raise InvalidData(
            "The inbox asked for does not exist", {"scope": f"Choose one of: {', '.join(SCOPES)}"}
        )
    if scope == "overdue" and not user.has_role("manager"):
        raise NotAllowed("only a manager can see all of their organisation's overdue tasks")
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


def rows_for_tasks(session: Session, task_ids: Iterable[int]) -> list[InboxRow]:
    """Inbox rows for given tasks (whoever they are for), in inbox order.

    For callers that have already decided the tasks may be shown, such as the tasks a
    completion made ready on a case the user takes part in.
    """
    ids = sorted(set(task_ids))
    if not ids:
        return []
    rows: dict[int, dict[str, Any]] = {}
    organisations: dict[int, list[tuple[str, str]]] = {}
    statement = _ROWS_BY_ID_LIST
    if session.get_bind().dialect.name == "postgresql":
        statement = _ROWS_BY_ID_ARRAY if len(ids) > _MOST_IDS_LISTED else _ROWS_BY_FEW_IDS
    for *columns, organisation_key, organisation_name in session.execute(statement, {"ids": ids}):
        row = rows.setdefault(columns[0], dict(zip(_ROW_FIELDS, columns, strict=True)))
        if organisation_key is not None:
            organisations.setdefault(row["task_id"], []).append(
                (organisation_key, organisation_name)
            )
    ordered = sorted(rows.values(), key=_sort_key)
    return [_inbox_row(row, organisations.get(row["task_id"], [])) for row in ordered]


def _inbox_row(values: dict[str, Any], organisations: list[tuple[str, str]]) -> InboxRow:
    return InboxRow(
        **{**values, "spec_name": task_name(values["spec_name"])},
        organisation_keys=tuple(key for key, _ in organisations),
        organisation_names=tuple(name for _, name in organisations),
    )


# Deployed diagrams never change, so what tasks each has is read once per database.
_diagram_tasks_by_database: PerDatabase[int, tuple[tuple[str, str, str], ...]] = PerDatabase()


def _user_tasks(bpmn_xml: str) -> tuple[tuple[str, str, str], ...]:
    """(name, title, lane) of each user task of a diagram, in the order the diagram has them."""
    try:
        root = parse_xml_safely(bpmn_xml.encode("utf-8"))
    except Exception:  # noqa: BLE001 - a diagram stored before today's checks offers no filters
        return ()
    ns = {"bpmn": BPMN_NAMESPACE}
    lanes = {
        (ref.text or "").strip(): lane.get("name", "")
        for lane in root.iterfind(".//bpmn:lane", ns)
        for ref in lane.iterfind("bpmn:flowNodeRef", ns)
    }
    return tuple(
        (
            element.get("id", ""),
            element.get("name") or element.get("id", ""),
            lanes.get(element.get("id", ""), ""),
        )
        for element in root.iterfind(".//bpmn:userTask", ns)
    )


def _diagram_tasks(session: Session, ids: list[int]) -> dict[int, tuple[tuple[str, str, str], ...]]:
    cache = _diagram_tasks_by_database.of(session)
    missing = [definition_id for definition_id in ids if definition_id not in cache]
    if missing:
        for definition_id, bpmn_xml in session.execute(
            select(ProcessDefinition.id, ProcessDefinition.bpmn_xml).where(
                ProcessDefinition.id.in_(missing)
            )
        ):
            cache[definition_id] = _user_tasks(bpmn_xml)
    return {definition_id: cache[definition_id] for definition_id in ids}


def _plays(kind: str, lane: str) -> bool:
    """Whether an organisation of this kind can be given a task in this lane. The council
    manages every review and takes the tasks of any role no one plays on a case; a review
    chair may come from any partner."""
    return kind == "council" or lane in (kind, "chair")


def inbox_filters(session: Session, user: User) -> dict[str, list[dict[str, str]]]:
    """What a user can narrow their inboxes by, without reading the task rows.

    ``{"districts": [{"key", "name"}], "processes": [{"key", "name"}],
    "tasks": [{"name", "title"}]}``: the districts the organisation serves (and any other where
    it has live tasks, as a review chair does), in the published order; the deployed processes
    with a task in a lane the organisation can play, by name; and those tasks, by title.
    """
    if not works_on_cases(user):
        return {"districts": [], "processes": [], "tasks": []}
    organisation_id = user.organisation_id
    # The districts the organisation serves, and those where one of its people chairs a
    # review: each district it does not serve is one probe of the candidate index
    # (organisation, state, district) for a live task there, so the filter offers the districts
    # its inboxes can actually hold, however many cases it ever chaired.
    served = (
        select(OrganisationDistrict.district_id)
        .where(
            OrganisationDistrict.organisation_id == organisation_id,
            OrganisationDistrict.district_id == District.id,
        )
        .exists()
    )
    chaired = (
        select(TaskCandidate.task_id)
        .where(
            TaskCandidate.organisation_id == organisation_id,
            TaskCandidate.state.in_(LIVE_TASK_STATES),
            TaskCandidate.district_id == District.id,
            _not_someone_elses(user),
        )
        .exists()
    )
    districts = session.execute(
        select(District.key, District.name).where(served | chaired).order_by(District.position)
    ).all()
    # The user comes with their organisation (``USER_LOADS``), so its kind costs no statement.
    kind = (user.organisation.kind if user.organisation else None) or ""
    definitions = session.execute(
        select(ProcessDefinition.id, ProcessDefinition.key, ProcessDefinition.name).order_by(
            ProcessDefinition.key, ProcessDefinition.version
        )
    ).all()
    tasks_of = _diagram_tasks(session, [definition_id for definition_id, _, _ in definitions])
    processes: dict[str, str] = {}
    tasks: dict[str, str] = {}
    for definition_id, key, name in definitions:
        own = [
            (task, title)
            for task, title, lane in tasks_of.get(definition_id, ())
            if _plays(kind, lane)
        ]
        if own:
            processes[key] = name or key  # the newest version's name, as versions come in order
        for task, title in own:
            tasks[task] = title
    return {
        "districts": [{"key": row.key, "name": row.name} for row in districts],
        "processes": [
            {"key": key, "name": name}
            for key, name in sorted(processes.items(), key=lambda item: (item[1], item[0]))
        ],
        "tasks": [
            {"name": name, "title": title}
            for name, title in sorted(tasks.items(), key=lambda item: (item[1], item[0]))
        ],
    }


def my_tasks(session: Session, user: User) -> list[InboxRow]:
    """The user's claimed tasks (the ``mine`` inbox)."""
    return list_tasks(session, user, "mine")


def organisation_tasks(session: Session, user: User) -> list[InboxRow]:
    """Tasks waiting for someone in the user's organisation to claim them."""
    return list_tasks(session, user, "organisation")
