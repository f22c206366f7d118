"""A live copy's reminders and escalations, as if the daily sweep had run up to yesterday."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from development.demo_load.dates import morning
from engine.chasing.escalation import ChasePlan, escalation_on, next_chase_on, reminder_on


@dataclass
class _Chase:
    state: str
    due_on: date | None
    reminded_at: datetime | None = None
    escalation_level: int = 0
    escalated_at: datetime | None = None


def chase_until_yesterday(task: dict[str, Any], plan: ChasePlan, today: date) -> None:
    """Set a live task's reminders and escalations as if a sweep had run every day so far."""
    state = _Chase(task["state"], task["due_on"])
    yesterday = today - timedelta(days=1)
    for _ in range(len(plan.levels) + 2):
        escalate = escalation_on(state, plan)
        remind = reminder_on(state, plan, yesterday)
        if escalate is not None and escalate <= yesterday:
            state.escalation_level += 1
            state.escalated_at = morning(escalate)
        elif remind is not None and remind <= yesterday:
            state.reminded_at = morning(remind)
        else:
            break
    task.update(
        reminded_at=state.reminded_at,
        escalation_level=state.escalation_level,
        escalated_at=state.escalated_at,
        next_chase_on=next_chase_on(state, plan, today),
    )
