"""An inbox's rows: one task as inboxes list it, read by task id with its candidate
organisations, and the working days it has left."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Integer, Select, any_, bindparam, select
from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.models import (
    Case,
    District,
    Organisation,
    ProcessDefinition,
    ProcessInstance,
    Task,
    TaskCandidate,
    User,
)
from engine.core.workdays import working_days_between

# A multi-instance task's rows are named after the diagram's task with a suffix such as
# " [child]"; people (and filters) know the task by the diagram's name alone.
_SPEC_SUFFIX = re.compile(r" \[[^\]]*\]$")


def working_days_left(due_on: date | None) -> int | None:
    """Working days until a due date: 0 on the day, negative once it has passed."""
    return None if due_on is None else working_days_between(clock.today(), due_on)


def overdue_by(working_days_left: int | None) -> int:
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
    # Why the holder has it when they did not claim it (``ASSIGNMENT_REASONS``), or None.
    assigned_because: str | None
    state: str
    due_on: date | None
    escalation_level: int
    process_key: str
    # The case's risk from its risk and vulnerability assessment (``engine.cases.risk``), or
    # None before it is assessed.
    risk_level: str | None = None

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
        return overdue_by(self.working_days_left)

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
            "assigned_because": self.assigned_because,
            "state": self.state,
            "due_on": self.due_on,
            "working_days_left": left,
            "overdue": self.is_overdue,
            "overdue_by": overdue_by(left),
            "escalation_level": self.escalation_level,
            "process": self.process_key,
            "risk_level": self.risk_level,
        }


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
        Task.assigned_because,
        Task.state,
        Task.due_on,
        Task.escalation_level,
        process_key.label("process_key"),
        Case.risk_level,
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


def sort_key(row: Mapping[str, Any]) -> tuple[bool, date, int]:
    """Inbox order: soonest due first, tasks with no due date last."""
    return (row["due_on"] is None, row["due_on"] or date.min, row["task_id"])


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
    ordered = sorted(rows.values(), key=sort_key)
    return [_inbox_row(row, organisations.get(row["task_id"], [])) for row in ordered]


def _inbox_row(values: dict[str, Any], organisations: list[tuple[str, str]]) -> InboxRow:
    return InboxRow(
        **{**values, "spec_name": task_name(values["spec_name"])},
        organisation_keys=tuple(key for key, _ in organisations),
        organisation_names=tuple(name for _, name in organisations),
    )
