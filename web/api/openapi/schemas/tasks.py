"""Tasks: an inbox, one task with its form, a draft, and what completing one made ready."""

from __future__ import annotations

from typing import Any

from engine.core.models import ASSIGNMENT_REASONS, RISK_LEVELS, TASK_STATES
from engine.work.inbox import SCOPES
from web.api.openapi.parts import (
    BOOLEAN,
    DATE,
    DATE_TIME,
    INTEGER,
    KEY_NAME,
    PERSON_REF,
    STRING,
    exact_object,
    nullable,
    ref,
)


def schemas() -> dict[str, Any]:
    task_properties = {
        "id": INTEGER,
        "title": STRING,
        "name": {"type": "string", "description": "The task's name in its diagram"},
        "form": STRING,
        "case_reference": STRING,
        "district": KEY_NAME,
        "organisations": {"type": "array", "items": KEY_NAME},
        "assignee": PERSON_REF,
        "assigned_because": {
            "anyOf": [{"enum": list(ASSIGNMENT_REASONS)}, {"type": "null"}],
            "description": "Why the holder has the task without claiming it: previous_step "
            "(they completed the case's previous step in its lane), manager (a manager gave "
            "it to them) or contact (they are the applicant's contact); null when they claimed "
            "it or no one holds it",
        },
        "state": {"enum": list(TASK_STATES)},
        "due_on": nullable(DATE),
        "working_days_left": nullable(INTEGER),
        "overdue": BOOLEAN,
        "overdue_by": {"type": "integer", "minimum": 0},
        "escalation_level": {"type": "integer", "minimum": 0},
        "process": STRING,
        "risk_level": {
            "anyOf": [{"enum": list(RISK_LEVELS)}, {"type": "null"}],
            "description": "The case's risk from its risk and vulnerability assessment: "
            "standard, medium or high; null before it is assessed",
        },
    }
    actions = ("claim", "release", "reassign", "save_draft", "complete")
    return {
        "Task": exact_object(task_properties),
        "TaskList": exact_object(
            {"scope": {"enum": list(SCOPES)}, "tasks": {"type": "array", "items": ref("Task")}}
        ),
        "TaskFilters": exact_object(
            {
                "districts": {"type": "array", "items": KEY_NAME},
                "processes": {"type": "array", "items": KEY_NAME},
                "tasks": {
                    "type": "array",
                    "items": exact_object({"name": STRING, "title": STRING}),
                },
            }
        ),
        "TaskDetail": exact_object(
            {
                **task_properties,
                "created_at": DATE_TIME,
                "claimed_at": nullable(DATE_TIME),
                "completed_at": nullable(DATE_TIME),
                "schema": {"type": "object", "description": "The form, a JSON Schema"},
                "draft": nullable({"type": "object"}),
                "data": nullable({"type": "object"}),
                "actions": exact_object(dict.fromkeys(actions, BOOLEAN)),
            }
        ),
        "DraftSaved": exact_object({**task_properties, "draft": {"type": "object"}}),
        "Reassignment": exact_object({"user_id": INTEGER}),
        "TeamHolder": exact_object(
            {
                "person": {
                    **PERSON_REF,
                    "description": "Who holds these tasks; null for those no one has claimed",
                },
                "may_hold": {
                    "type": "boolean",
                    "description": "false for someone who may no longer do the organisation's "
                    "work (their account closed, or they moved organisation)",
                },
                "count": {"type": "integer", "minimum": 0},
                "overdue": {"type": "integer", "minimum": 0},
                "tasks": {"type": "array", "items": ref("Task")},
            }
        ),
        "Team": exact_object(
            {
                "organisation": STRING,
                "count": {"type": "integer", "minimum": 0},
                "overdue": {"type": "integer", "minimum": 0},
                "listed": {"type": "integer", "minimum": 0},
                "people": {"type": "array", "items": ref("TeamHolder")},
                "unclaimed": ref("TeamHolder"),
                "colleagues": {
                    "type": "array",
                    "items": exact_object({"id": INTEGER, "name": STRING}),
                    "description": "Who a task may be given to",
                },
            }
        ),
        "Completion": exact_object(
            {
                "task": ref("Task"),
                "ready": {"type": "array", "items": ref("Task")},
                "process_finished": BOOLEAN,
                "process_failed": BOOLEAN,
            }
        ),
    }
