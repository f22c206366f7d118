"""The sweep: every reminder and escalation due today, taken a batch at a time, each batch in
one transaction with its notifications and audit events."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from engine.chasing.escalation.batches import ChasedTask, due_batch
from engine.chasing.escalation.messages import (
    escalation_message,
    messages_to,
    reminder_key,
    reminder_message,
)
from engine.chasing.escalation.plan import (
    ChasePlan,
    escalation_on,
    next_chase_on,
    plan_for,
    reminder_on,
)
from engine.chasing.escalation.recipients import Directory
from engine.chasing.notifications import Message, notify_all
from engine.core import audit, clock
from engine.core.area import current_settings
from engine.core.db import Database
from engine.core.models import Task

log = logging.getLogger(__name__)

BATCH_SIZE = 200


@dataclass
class ChaseResult:
    reminded: int = 0
    escalated: int = 0


def _chase_one(
    session: Session,
    task: ChasedTask,
    plan: ChasePlan,
    directory: Directory,
    today: date,
    now: datetime,
    out: list[Message],
) -> str | None:
    """Take the one step due for a task (or none), then set when it is next due."""
    due_on = task.due_on
    if due_on is None:
        # Nothing falls due for a task without a due date: it is not chased again.
        task.next_chase_on = None
        return None
    step = None
    level = task.escalation_level or 0
    escalate_day = escalation_on(task, plan)
    remind_day = reminder_on(task, plan, today)
    if escalate_day is not None and escalate_day <= today:
        step, level = "escalated", level + 1
        names = plan.levels[level - 1].recipients_for(task.role)
        recipients = directory.resolve(names, task)
        text = escalation_message(task, due_on, level, directory, today)
        key = f"escalation:task:{task.id}:level:{level}"
        out += messages_to("escalation", key, task, recipients, text)
        task.escalation_level = level
        task.escalated_at = now
    elif remind_day is not None and remind_day <= today:
        step = "reminded"
        recipients = directory.holders(task)
        text = reminder_message(task, due_on, directory, today)
        out += messages_to("reminder", reminder_key(task), task, recipients, text)
        task.reminded_at = now
    task.next_chase_on = next_chase_on(task, plan, today)
    if step is None:
        return None
    if not recipients:
        log.warning("task %s %s with no one to tell: check the area's contacts", task.id, step)
    detail: dict[str, Any] = {
        "task": task.spec_name,
        "due_on": due_on.isoformat(),
        "to": [recipient.email for recipient in recipients],
    }
    if step == "escalated":
        detail["level"] = level
    audit.record(
        session,
        f"task.{step}",
        case_id=task.case_id,
        object_type="task",
        object_id=task.id,
        detail=detail,
    )
    return step


def chase_due(db: Database, *, batch_size: int = BATCH_SIZE) -> ChaseResult:
    """Send every reminder and escalation due today, in batches of one transaction each.

    Reads only tasks whose ``next_chase_on`` has come (an index range). On PostgreSQL the
    batch's rows are locked and rows another process holds are skipped, to be chased by the
    next sweep; on SQLite each batch holds the database's write lock.
    """
    today, now = clock.today(), clock.now()
    result = ChaseResult()
    with db.read() as session:
        settings = current_settings(session)
        directory = Directory.load(session)
    plans: dict[str, ChasePlan] = {}
    last = (date.min, 0)
    while True:
        with db.transaction() as session:
            tasks = due_batch(session, db, today, last, batch_size)
            if not tasks:
                break
            # Read before chasing moves the task's date on. Every task in the batch has one: it
            # was read for being due by today.
            last_day = tasks[-1].next_chase_on
            assert last_day is not None
            last = (last_day, tasks[-1].id)
            messages: list[Message] = []
            for task in tasks:
                cache_key = repr(task.chase)
                plan = plans.get(cache_key)
                if plan is None:
                    plan = plans[cache_key] = plan_for(settings, task.chase)
                step = _chase_one(session, task, plan, directory, today, now, messages)
                if step == "reminded":
                    result.reminded += 1
                elif step == "escalated":
                    result.escalated += 1
            session.execute(update(Task), [task.changes() for task in tasks])
            notify_all(session, messages)
    return result
