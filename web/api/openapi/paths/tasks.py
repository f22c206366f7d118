"""Tasks: the inboxes, one task, its draft, and claiming, releasing, reassigning and
completing it."""

from __future__ import annotations

from typing import Any

from engine.work.inbox import MAX_LIMIT, SCOPES, TEAM_LIMIT
from web.api.openapi.parts import (
    BEARER,
    STRING,
    error_responses,
    exact_object,
    json_response,
    ref,
    request_body,
)

TASK_ID = {
    "name": "task_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
    "description": "The task's id",
}
TASK_ANSWERS = exact_object(
    {"data": {"type": "object", "description": "The answers, as the task's form (schema) says"}}
)


def _task_action(summary: str, *, body: dict[str, Any] | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "security": BEARER,
        "parameters": [TASK_ID],
        "responses": {
            "200": json_response(ref("Task"), "The task as it now is"),
            **error_responses(401, 403, 404, 409, 500),
        },
    }
    if body is not None:
        operation["requestBody"] = request_body(body)
        operation["responses"].update(error_responses(400, 413, 422))
    return operation


def paths() -> dict[str, Any]:
    return {
        "/tasks": {
            "get": {
                "summary": "An inbox: soonest due first",
                "security": BEARER,
                "parameters": [
                    {
                        "name": "scope",
                        "in": "query",
                        "schema": {"enum": list(SCOPES), "default": "mine"},
                        "description": "mine: claimed by you; organisation: waiting for "
                        "someone in your organisation; overdue (managers only): your "
                        "organisation's tasks past their due date, claimed or not; team "
                        "(managers only): every live task of your organisation, whoever holds it",
                    },
                    {"name": "district", "in": "query", "schema": STRING},
                    {"name": "process", "in": "query", "schema": STRING},
                    {"name": "task", "in": "query", "schema": STRING},
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                    },
                ],
                "responses": {
                    "200": json_response(ref("TaskList"), "The tasks"),
                    **error_responses(401, 403, 422, 500),
                },
            }
        },
        "/tasks/filters": {
            "get": {
                "summary": "What the caller's inboxes can be narrowed by",
                "security": BEARER,
                "responses": {
                    "200": json_response(ref("TaskFilters"), "Districts, processes and tasks"),
                    **error_responses(401, 500),
                },
            }
        },
        "/team": {
            "get": {
                "summary": "A manager's view of their organisation's work, by who holds it",
                "description": "Every live task of the caller's organisation (the soonest "
                f"{TEAM_LIMIT} listed, every one counted): each colleague's with how many they "
                "hold and how many of those are overdue, then anyone else still holding some "
                "(who may no longer do them), and those no one has claimed. Give a task to a "
                "colleague with POST /tasks/{task_id}/reassign, or return it to the queue with "
                "POST /tasks/{task_id}/release.",
                "security": BEARER,
                "responses": {
                    "200": json_response(ref("Team"), "The team's work"),
                    **error_responses(401, 403, 500),
                },
            }
        },
        "/tasks/{task_id}": {
            "get": {
                "summary": "A task with its form and current draft",
                "security": BEARER,
                "parameters": [TASK_ID],
                "responses": {
                    "200": json_response(ref("TaskDetail"), "The task"),
                    **error_responses(401, 404, 500),
                },
            }
        },
        "/tasks/{task_id}/draft": {
            "put": {
                "summary": "Keep unfinished answers (checked only on completion)",
                "security": BEARER,
                "parameters": [TASK_ID],
                "requestBody": request_body(TASK_ANSWERS),
                "responses": {
                    "200": json_response(ref("DraftSaved"), "The draft was kept"),
                    **error_responses(400, 401, 403, 404, 409, 413, 422, 500),
                },
            }
        },
        "/tasks/{task_id}/claim": {"post": _task_action("Take a task to do it")},
        "/tasks/{task_id}/release": {
            "post": _task_action("Put a claimed task back (its holder or a manager)")
        },
        "/tasks/{task_id}/reassign": {
            "post": _task_action(
                "A manager gives the task to a colleague, who is told", body=ref("Reassignment")
            )
        },
        "/tasks/{task_id}/complete": {
            "post": {
                "summary": "Complete a task with the answers its form asks for",
                "security": BEARER,
                "parameters": [TASK_ID],
                "requestBody": request_body(TASK_ANSWERS),
                "responses": {
                    "200": json_response(
                        ref("Completion"), "Done; with the tasks that became ready"
                    ),
                    **error_responses(400, 401, 403, 404, 409, 413, 422, 500),
                },
            }
        },
    }
