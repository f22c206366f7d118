"""The plan for chasing a task: when its reminder and each level of escalation fall due, and
to whom, as the area and the task's diagram set them.

The area file sets the reminder (``reminder_days``) and the levels (``[escalation]``); a
diagram may override them for one user task with extension properties:

- ``reminder_days``: working days before the due date, ``0`` for no reminder;
- ``escalation_days``: working days for each level, comma-separated (``"2, 10"``: level 1 two
  working days after the due date, level 2 ten after level 1), or ``none``;
- ``escalation_to``: each level's recipients, levels separated by ``;`` and recipients by
  ``,`` (``"organisation_managers; district_spoc, lead_council_managers"``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.area import (
    DEFAULT_ESCALATION,
    MAX_ESCALATION_LEVELS,
    current_settings,
    recipient_problem,
)
from engine.core.models import LIVE_TASK_STATES, Task
from engine.core.workdays import add_working_days

log = logging.getLogger(__name__)

REMINDER_PROPERTY = "reminder_days"
DAYS_PROPERTY = "escalation_days"
TO_PROPERTY = "escalation_to"


class ChaseSettingError(ValueError):
    """A diagram's reminder or escalation property cannot be used; the message says why."""


@dataclass(frozen=True)
class Level:
    """One level of escalation: how many working days after the step before, and to whom."""

    after: int
    to: tuple[str, ...]
    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def recipients_for(self, role: str) -> tuple[str, ...]:
        return self.roles.get(role, self.to)


@dataclass(frozen=True)
class ChasePlan:
    reminder_days: int
    levels: tuple[Level, ...]


# --- the diagram's overrides -----------------------------------------------------------------


def _whole_number(text: str, name: str) -> int:
    value = text.strip()
    if not value.isdigit() or len(value) > 3:
        raise ChaseSettingError(f"{name} '{text}' must be a whole number of working days")
    return int(value)


def _recipient_list(text: str) -> list[str]:
    recipients = [part.strip() for part in text.split(",") if part.strip()]
    if not recipients:
        raise ChaseSettingError(f"{TO_PROPERTY} names a level with no recipients")
    for recipient in recipients:
        problem = recipient_problem(recipient)
        if problem:
            raise ChaseSettingError(f"{TO_PROPERTY}: {problem}")
    return recipients


def parse_chase_properties(properties: Mapping[str, str]) -> dict[str, Any] | None:
    """The overrides a diagram gives one user task, as stored on ``Task.chase``; None when it
    gives none. Raises ChaseSettingError."""
    override: dict[str, Any] = {}
    if properties.get(REMINDER_PROPERTY) is not None:
        override["reminder_days"] = _whole_number(properties[REMINDER_PROPERTY], REMINDER_PROPERTY)
    days_text = properties.get(DAYS_PROPERTY)
    if days_text is not None:
        if days_text.strip().lower() == "none":
            override["escalation_days"] = []
        else:
            level_days = [_whole_number(part, DAYS_PROPERTY) for part in days_text.split(",")]
            if any(day < 1 for day in level_days):
                raise ChaseSettingError(f"{DAYS_PROPERTY}: each level is at least 1 working day")
            override["escalation_days"] = level_days
    to_text = properties.get(TO_PROPERTY)
    if to_text is not None:
        override["escalation_to"] = [_recipient_list(level) for level in to_text.split(";")]
    days, to = override.get("escalation_days"), override.get("escalation_to")
    if days is not None and to is not None and len(days) != len(to):
        raise ChaseSettingError(
            f"{DAYS_PROPERTY} gives {len(days)} level(s) but {TO_PROPERTY} gives {len(to)}"
        )
    if len(days if days is not None else to or []) > MAX_ESCALATION_LEVELS:
        raise ChaseSettingError(f"a task has at most {MAX_ESCALATION_LEVELS} escalation levels")
    return override or None


def chase_property_problems(properties: Mapping[str, str]) -> list[str]:
    """What is wrong with a user task's reminder and escalation properties, for deployment."""
    try:
        parse_chase_properties(properties)
    except ChaseSettingError as error:
        return [str(error)]
    return []


def plan_for(settings: Mapping[str, Any], override: Mapping[str, Any] | None) -> ChasePlan:
    """The area's reminder and levels, with a task's overrides applied."""
    escalation = settings.get("escalation") or DEFAULT_ESCALATION
    area_levels = [
        Level(
            after=int(level["after"]),
            to=tuple(level["to"]),
            roles={role: tuple(to) for role, to in level.get("roles", {}).items()},
        )
        for level in escalation["levels"]
    ]
    override = override or {}
    reminder_days = int(override.get("reminder_days", settings.get("reminder_days", 2)))
    days, to = override.get("escalation_days"), override.get("escalation_to")
    if days is not None:
        count = len(days)
    elif to is not None:
        count = len(to)
    else:
        return ChasePlan(reminder_days, tuple(area_levels))
    levels = []
    for index in range(count):
        # A level the area does not have takes the recipients of the area's last level.
        base = area_levels[min(index, len(area_levels) - 1)] if area_levels else None
        after = days[index] if days is not None else (base.after if base else 1)
        if to is not None:
            levels.append(Level(after, tuple(to[index])))
        elif base is not None:
            levels.append(Level(after, base.to, base.roles))
        else:
            levels.append(Level(after, ("organisation_managers",)))
    return ChasePlan(reminder_days, tuple(levels))


# --- when the next step falls due ------------------------------------------------------------


class ChaseState(Protocol):
    """What chasing reads of a task: a Task row, or the sweep's copy of one."""

    state: str
    due_on: date | None
    reminded_at: datetime | None
    escalation_level: int
    escalated_at: datetime | None


def local_date(moment: datetime) -> date:
    return moment.astimezone(clock.LOCAL_ZONE).date()


def escalation_on(task: ChaseState, plan: ChasePlan) -> date | None:
    """The day the task's next escalation level falls due, or None when none is left.

    Level 1 counts from the due date; each later level from the day the level before it was
    actually sent, so every level has its full time to work even after a late sweep.
    """
    level = task.escalation_level or 0
    if task.due_on is None or level >= len(plan.levels):
        return None
    base = (
        local_date(task.escalated_at)
        if level != 0 and task.escalated_at is not None
        else task.due_on
    )
    return add_working_days(base, plan.levels[level].after)


def reminder_on(task: ChaseState, plan: ChasePlan, today: date) -> date | None:
    """The day of the task's reminder, or None once it is sent, overdue or not wanted."""
    if (
        task.due_on is None
        or plan.reminder_days <= 0
        or task.reminded_at is not None
        or (task.escalation_level or 0) > 0
        or today > task.due_on
    ):
        return None
    return add_working_days(task.due_on, -plan.reminder_days)


def next_chase_on(task: ChaseState, plan: ChasePlan, today: date) -> date | None:
    """The next day a sweep has something to do for this task (None: nothing, ever)."""
    if task.state not in LIVE_TASK_STATES:
        return None
    days = [day for day in (reminder_on(task, plan, today), escalation_on(task, plan)) if day]
    return min(days, default=None)


def schedule_new_task(
    session: Session, task: Task, properties: Mapping[str, str], today: date | None = None
) -> None:
    """Keep a new task's overrides and set when it is first chased (from task_created, before
    the row is written, so it has no id yet)."""
    try:
        task.chase = parse_chase_properties(properties)
    except ChaseSettingError as error:
        # Deployment refuses such diagrams; one deployed before that check keeps the area's.
        log.warning(
            "task '%s' of case %s: %s; the area's chasing settings apply",
            task.spec_name,
            task.case_id,
            error,
        )
        task.chase = None
    plan = plan_for(current_settings(session), task.chase)
    task.next_chase_on = next_chase_on(task, plan, today or clock.today())


def remind_afresh(session: Session, task: Task, today: date | None = None) -> None:
    """A task that passed to someone else: they are reminded of it too, if it is not yet
    overdue nor escalated; its escalations stand, and so does the record of a reminder that
    can have no successor."""
    task.handovers = (task.handovers or 0) + 1
    today = today or clock.today()
    if task.due_on is None or (task.escalation_level or 0) > 0 or today > task.due_on:
        return
    task.reminded_at = None
    task.next_chase_on = next_chase_on(task, plan_for(current_settings(session), task.chase), today)
