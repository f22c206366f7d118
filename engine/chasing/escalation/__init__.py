"""Chasing late work: a reminder before a task is due, then escalation level by level.

Every live task carries the day its next reminder or escalation falls due
(``Task.next_chase_on``, indexed for the live tasks), set when the task is created and
again after each step. A sweep therefore reads only the tasks due for chasing, never every open
task and never a workflow. Each step writes its notifications (once each, by key), moves the
task's record on and writes its audit event in the same transaction, so a sweep run twice, two
processes racing or a process killed half-way sends every reminder and escalation once.

- ``plan``: the chase settings (the area's, and a diagram's overrides for one user task), and
  the days a task's reminder, escalations and next chase fall due;
- ``batches``: the tasks due for chasing, read a batch at a time;
- ``recipients``: who is told (the area's people and organisations, chairs who are gone,
  managers);
- ``messages``: what a reminder and an escalation say;
- ``sweep``: ``chase_due``, which takes every step due today, a batch at a time.
"""

from engine.chasing.escalation.messages import CHAIR_GONE
from engine.chasing.escalation.plan import (
    DAYS_PROPERTY,
    REMINDER_PROPERTY,
    TO_PROPERTY,
    ChasePlan,
    ChaseSettingError,
    ChaseState,
    Level,
    chase_property_problems,
    escalation_on,
    next_chase_on,
    parse_chase_properties,
    plan_for,
    remind_afresh,
    reminder_on,
    schedule_new_task,
)
from engine.chasing.escalation.recipients import OFFICER_ROLES
from engine.chasing.escalation.sweep import BATCH_SIZE, ChaseResult, chase_due

__all__ = [
    "BATCH_SIZE",
    "CHAIR_GONE",
    "DAYS_PROPERTY",
    "OFFICER_ROLES",
    "REMINDER_PROPERTY",
    "TO_PROPERTY",
    "ChasePlan",
    "ChaseResult",
    "ChaseSettingError",
    "ChaseState",
    "Level",
    "chase_due",
    "chase_property_problems",
    "escalation_on",
    "next_chase_on",
    "parse_chase_properties",
    "plan_for",
    "remind_afresh",
    "reminder_on",
    "schedule_new_task",
]
