"""The OpenAPI 3.1 description of the API, served at ``/api/v1/openapi.json``.

Written by hand, so it says what the API promises rather than what the code happens to do; the
tests check that it lists exactly the routes the app has and that every answer they receive
matches its schema. OpenAPI 3.1 schemas are JSON Schema 2020-12, as the task forms are.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from engine.cases.statistics import FIELDS
from engine.core.models import CASE_STATUSES, DECISION_BASES, PARTICIPANT_ROLES, TASK_STATES
from engine.review.appeal_rules import GROUNDS
from engine.work.inbox import MAX_LIMIT, SCOPES
from web.api import blueprint
from web.api.common import answer
from web.api.intake import CONTACT_PREFERENCES

JSON = "application/json"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: dict[str, Any], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """An object with exactly these properties, all present unless named optional."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


STRING = {"type": "string"}
TEXT = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
DATE_TIME = {"type": "string", "format": "date-time"}
KEY_NAME = _object({"key": STRING, "name": STRING})
PERSON_REF = _nullable(_object({"id": INTEGER, "name": STRING}))


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


def _errors(*statuses: int) -> dict[str, Any]:
    described = {
        400: "The body is not a JSON object",
        401: "No token, or an unknown or expired one",
        403: "The caller may see this but not do it",
        404: "No such thing, or it is outside the caller's need-to-know",
        409: "The task was already completed, is held by someone else, or has been dropped",
        413: "The request body is too large",
        422: "The data needs correcting; fields says what, by field path",
        429: "Too many failed sign-ins for this account or address; wait Retry-After seconds",
        500: "Something went wrong on the server; nothing was changed",
        503: "The database cannot be reached just now; try again after Retry-After seconds",
    }
    # Any route may meet a database that is restarting.
    return {str(status): _error(described[status]) for status in (*statuses, 503)}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {JSON: {"schema": schema}}}


TASK_ID = {
    "name": "task_id",
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
    "description": "The task's id",
}
REFERENCE = {
    "name": "reference",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "The case reference, such as CT-2026-00001",
}
BEARER = [{"bearer": []}]
PUBLIC: list[dict[str, list[str]]] = []
TASK_ANSWERS = _object(
    {"data": {"type": "object", "description": "The answers, as the task's form (schema) says"}}
)


def _schemas() -> dict[str, Any]:
    person = {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "address": {"type": "string", "maxLength": 500},
        "email": {"type": "string", "maxLength": 254},
        "phone": {"type": "string", "maxLength": 50},
    }
    task_properties = {
        "id": INTEGER,
        "title": STRING,
        "name": {"type": "string", "description": "The task's name in its diagram"},
        "form": STRING,
        "case_reference": STRING,
        "district": KEY_NAME,
        "organisations": {"type": "array", "items": KEY_NAME},
        "assignee": PERSON_REF,
        "state": {"enum": list(TASK_STATES)},
        "due_on": _nullable(DATE),
        "working_days_left": _nullable(INTEGER),
        "overdue": BOOLEAN,
        "overdue_by": {"type": "integer", "minimum": 0},
        "escalation_level": {"type": "integer", "minimum": 0},
        "process": STRING,
    }
    actions = ("claim", "release", "reassign", "save_draft", "complete")
    return {
        "Error": _object(
            {
                "error": {"type": "string", "minLength": 1},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
            optional=("fields",),
        ),
        "TokenRequest": _object({"email": STRING, "password": STRING}),
        "Token": _object(
            {"token": STRING, "token_type": {"const": "Bearer"}, "expires_in": INTEGER}
        ),
        "Applicant": _object(
            {
                **person,
                "contact_preference": {
                    "enum": list(CONTACT_PREFERENCES),
                    "description": "How letters should reach the applicant",
                },
            },
            optional=("address", "email", "phone", "contact_preference"),
        ),
        "Person": _object(person, optional=("address", "email", "phone")),
        "IncidentReport": _object(
            {
                "occurred_on": DATE,
                "reported_on": DATE,
                "reported_to": {
                    "type": "string",
                    "description": "An organisation's key, or a kind: council, police, "
                    "housing, health",
                },
                "reference": {"type": "string", "maxLength": 100},
                "description": {"type": "string", "maxLength": 5000},
            },
            optional=("reference", "description"),
        ),
        "Application": _object(
            {
                "district": {"type": "string", "description": "The district's key"},
                "applicant": _ref("Applicant"),
                "on_behalf": BOOLEAN,
                "victim": _ref("Person"),
                "victim_consent": BOOLEAN,
                "incidents": {
                    "type": "array",
                    "items": _ref("IncidentReport"),
                    "minItems": 1,
                    "maxItems": 500,
                },
                "hate_element": BOOLEAN,
                "impact": {"type": "string", "maxLength": 10000},
                "received_on": {
                    **DATE,
                    "description": "A paper application's date; council caseworkers only",
                },
            },
            optional=("victim", "victim_consent", "hate_element", "impact", "received_on"),
        ),
        "Appeal": _object(
            {
                "case_reference": STRING,
                "letter_date": DATE,
                "grounds": {
                    "type": "array",
                    "items": {"enum": list(GROUNDS)},
                    "uniqueItems": True,
                },
                "details": {"type": "string", "maxLength": 20000},
                "received_on": {**DATE, "description": "OPCC staff only"},
            },
            optional=("details", "received_on"),
        ),
        "Submitted": _object({"reference": STRING, "status": {"enum": list(CASE_STATUSES)}}),
        "Statistics": _object(
            {
                "year": INTEGER,
                "label": {"type": "string", "description": "The financial year, as 2021/22"},
                "districts": {
                    "type": "array",
                    "items": _object(
                        {"key": STRING, "name": STRING, **dict.fromkeys(FIELDS, INTEGER)}
                    ),
                },
                "totals": _object(dict.fromkeys(FIELDS, INTEGER)),
            }
        ),
        "Task": _object(task_properties),
        "TaskList": _object(
            {"scope": {"enum": list(SCOPES)}, "tasks": {"type": "array", "items": _ref("Task")}}
        ),
        "TaskFilters": _object(
            {
                "districts": {"type": "array", "items": KEY_NAME},
                "processes": {"type": "array", "items": KEY_NAME},
                "tasks": {"type": "array", "items": _object({"name": STRING, "title": STRING})},
            }
        ),
        "TaskDetail": _object(
            {
                **task_properties,
                "created_at": DATE_TIME,
                "claimed_at": _nullable(DATE_TIME),
                "completed_at": _nullable(DATE_TIME),
                "schema": {"type": "object", "description": "The form, a JSON Schema"},
                "draft": _nullable({"type": "object"}),
                "data": _nullable({"type": "object"}),
                "actions": _object(dict.fromkeys(actions, BOOLEAN)),
            }
        ),
        "DraftSaved": _object({**task_properties, "draft": {"type": "object"}}),
        "Reassignment": _object({"user_id": INTEGER}),
        "ChairChange": _object({"chair_email": STRING}),
        "ChairChanged": _object(
            {"reference": STRING, "chair": _object({"id": INTEGER, "name": STRING})}
        ),
        "Completion": _object(
            {
                "task": _ref("Task"),
                "ready": {"type": "array", "items": _ref("Task")},
                "process_finished": BOOLEAN,
            }
        ),
        "Document": _object(
            {
                "id": INTEGER,
                "kind": STRING,
                "version": INTEGER,
                "filename": STRING,
                "sha256": STRING,
                "created_at": DATE_TIME,
                "delivery": _nullable({"enum": ["email", "post"]}),
                "dispatched_at": _nullable(DATE_TIME),
            }
        ),
        "DocumentList": _object(
            {"reference": STRING, "documents": {"type": "array", "items": _ref("Document")}}
        ),
        "Case": _case_schema(),
        **_process_definition_schemas(),
    }


def _process_definition_schemas() -> dict[str, Any]:
    problem = _object(
        {
            "element_id": {
                "type": "string",
                "description": "The diagram element concerned; empty for the whole file",
            },
            "message": STRING,
        }
    )
    problems = {"type": "array", "items": problem}
    change = _object(
        {
            "element_id": STRING,
            "name": STRING,
            "what": {"type": "array", "items": STRING, "description": "What changed, in words"},
        }
    )
    changes = {"type": "array", "items": change}
    version = _object(
        {
            "version": INTEGER,
            "name": STRING,
            "content_hash": STRING,
            "deployed_at": DATE_TIME,
            "deployed_by": _nullable(STRING),
            "running": {"type": "integer", "minimum": 0, "description": "Cases running on it"},
        }
    )
    return {
        "ProcessList": _object(
            {
                "processes": {
                    "type": "array",
                    "items": _object(
                        {
                            "key": STRING,
                            "name": STRING,
                            "versions": {
                                "type": "array",
                                "items": version,
                                "description": "Newest first",
                            },
                        }
                    ),
                }
            }
        ),
        "Validation": _object(
            {
                "valid": BOOLEAN,
                "key": _nullable(STRING),
                "errors": problems,
                "warnings": problems,
            }
        ),
        "Deployed": _object(
            {"key": STRING, "version": INTEGER, "created": BOOLEAN, "warnings": problems}
        ),
        "DeploymentRefused": _object({"error": STRING, "errors": problems, "warnings": problems}),
        "Comparison": _object(
            {
                "key": STRING,
                "from": INTEGER,
                "to": INTEGER,
                "added": changes,
                "removed": changes,
                "changed": changes,
            }
        ),
        "MoveRequest": _object(
            {"instance_ids": {"type": "array", "items": INTEGER}}, optional=("instance_ids",)
        ),
        "MoveReport": _object(
            {
                "key": STRING,
                "from_version": INTEGER,
                "to_version": INTEGER,
                "moved": {"type": "array", "items": INTEGER},
                "refused": {
                    "type": "array",
                    "items": _object(
                        {"instance_id": INTEGER, "reasons": {"type": "array", "items": STRING}}
                    ),
                },
            }
        ),
    }


def _case_schema() -> dict[str, Any]:
    organisation = KEY_NAME
    contact = {"type": "object", "additionalProperties": True}
    return _object(
        {
            "reference": STRING,
            "status": {"enum": list(CASE_STATUSES)},
            "district": KEY_NAME,
            "received_on": DATE,
            "channel": STRING,
            "closed_on": _nullable(DATE),
            "erased_on": _nullable(DATE),
            "applicant": contact,
            "on_behalf": BOOLEAN,
            "victim": _nullable(contact),
            "victim_consent": BOOLEAN,
            "hate_element": BOOLEAN,
            "impact": TEXT,
            "decision": _object(
                {
                    "threshold_met": _nullable(BOOLEAN),
                    "basis": _nullable({"enum": list(DECISION_BASES)}),
                    "decided_on": _nullable(DATE),
                }
            ),
            "participants": {
                "type": "array",
                "items": _object(
                    {
                        "organisation": organisation,
                        "role": {"enum": list(PARTICIPANT_ROLES)},
                        "user": PERSON_REF,
                    }
                ),
            },
            "status_history": {
                "type": "array",
                "items": _object({"status": {"enum": list(CASE_STATUSES)}, "at": DATE_TIME}),
            },
            "incidents": {
                "type": "array",
                "description": "The chronology, in the order the behaviour happened",
                "items": _object(
                    {
                        "occurred_on": DATE,
                        "reported_on": DATE,
                        "reported_to": STRING,
                        "reported_to_name": STRING,
                        "reference": STRING,
                        "description": TEXT,
                        "source": {
                            "type": "string",
                            "description": "application, or the key of the organisation "
                            "whose information return gave it",
                        },
                        "source_name": STRING,
                    }
                ),
            },
            "tasks": {
                "type": "array",
                "items": _object(
                    {
                        "id": INTEGER,
                        "title": STRING,
                        "name": STRING,
                        "role": STRING,
                        "state": {"enum": ["open", "claimed", "completed"]},
                        "organisations": {"type": "array", "items": organisation},
                        "assignee": PERSON_REF,
                        "due_on": _nullable(DATE),
                        "created_at": DATE_TIME,
                        "completed_at": _nullable(DATE_TIME),
                        "completed_by": PERSON_REF,
                        "escalation_level": INTEGER,
                    }
                ),
            },
            "reviews": {
                "type": "array",
                "items": _object(
                    {
                        "number": INTEGER,
                        "chair": PERSON_REF,
                        "meeting_date": _nullable(DATE),
                        "held_on": _nullable(DATE),
                        "attendees": {"type": "array", "items": STRING},
                        "findings": TEXT,
                        "outcome_letter_sent_on": _nullable(DATE),
                        "closed_on": _nullable(DATE),
                        "recommendations": {
                            "type": "array",
                            "items": _object(
                                {
                                    "id": INTEGER,
                                    "organisation": organisation,
                                    "action": TEXT,
                                    "due_date": DATE,
                                    "status": {"enum": ["open", "done", "closed"]},
                                    "notes": TEXT,
                                    "completed_on": _nullable(DATE),
                                }
                            ),
                        },
                    }
                ),
            },
            "appeals": {
                "type": "array",
                "items": _object(
                    {
                        "id": INTEGER,
                        "received_on": DATE,
                        "letter_date": DATE,
                        "grounds": {"type": "array", "items": {"enum": list(GROUNDS)}},
                        "details": TEXT,
                        "channel": STRING,
                        "eligible": _nullable(BOOLEAN),
                        "eligibility_reasons": TEXT,
                        "outcome": _nullable({"enum": ["upheld", "not_upheld"]}),
                        "outcome_reasons": TEXT,
                        "decided_on": _nullable(DATE),
                    }
                ),
            },
            "documents": {"type": "array", "items": _ref("Document")},
            "attachments": {
                "type": "array",
                "items": _object(
                    {
                        "id": INTEGER,
                        "task_id": _nullable(INTEGER),
                        "filename": STRING,
                        "media_type": STRING,
                        "size": INTEGER,
                        "sha256": STRING,
                        "organisation": organisation,
                        "uploaded_at": DATE_TIME,
                    }
                ),
            },
            "processes": {
                "type": "array",
                "items": _object(
                    {
                        "id": INTEGER,
                        "key": STRING,
                        "name": STRING,
                        "version": INTEGER,
                        "state": {"enum": ["running", "completed", "failed", "cancelled"]},
                        "started_at": DATE_TIME,
                        "completed_at": _nullable(DATE_TIME),
                    }
                ),
            },
            "audit": {
                "type": "array",
                "description": "Only for the council managing the case and the OPCC",
                "items": _object(
                    {
                        "at": DATE_TIME,
                        "action": STRING,
                        "user": PERSON_REF,
                        "organisation": _nullable(organisation),
                        "object_type": STRING,
                        "object_id": STRING,
                        "detail": {"type": "object"},
                    }
                ),
            },
        },
        optional=("audit",),
    )


def _task_action(summary: str, *, body: dict[str, Any] | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "security": BEARER,
        "parameters": [TASK_ID],
        "responses": {
            "200": _json(_ref("Task"), "The task as it now is"),
            **_errors(401, 403, 404, 409, 500),
        },
    }
    if body is not None:
        operation["requestBody"] = _body(body)
        operation["responses"].update(_errors(400, 413, 422))
    return operation


def _paths() -> dict[str, Any]:
    return {
        "/auth/token": {
            "post": {
                "summary": "Exchange an email address and password for a bearer token",
                "security": PUBLIC,
                "requestBody": _body(_ref("TokenRequest")),
                "responses": {
                    "200": _json(_ref("Token"), "A token; send it as Authorization: Bearer"),
                    **_errors(400, 401, 413, 422, 429, 500),
                },
            }
        },
        "/applications": {
            "post": {
                "summary": "Apply for an ASB case review (the Community Trigger)",
                "description": "Public. A council caseworker's token may add received_on for "
                "an application that arrived on paper.",
                "security": PUBLIC,
                "requestBody": _body(_ref("Application")),
                "responses": {
                    "201": _json(_ref("Submitted"), "The case was opened"),
                    **_errors(400, 401, 413, 422, 500),
                },
            }
        },
        "/appeals": {
            "post": {
                "summary": "Appeal to the OPCC against a threshold decision or a review",
                "security": PUBLIC,
                "requestBody": _body(_ref("Appeal")),
                "responses": {
                    "201": _json(_ref("Submitted"), "The appeal was lodged on the case"),
                    **_errors(400, 401, 413, 422, 500),
                },
            }
        },
        "/statistics": {
            "get": {
                "summary": "The published figures per district for one financial year",
                "security": PUBLIC,
                "parameters": [
                    {
                        "name": "year",
                        "in": "query",
                        "schema": {"type": "integer"},
                        "description": "The year the financial year starts in (2021 for "
                        "2021/22); the current one when left out",
                    }
                ],
                "responses": {
                    "200": _json(_ref("Statistics"), "The figures, districts in order"),
                    **_errors(422, 500),
                },
            }
        },
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
                        "someone in your organisation; overdue: managers only",
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
                    "200": _json(_ref("TaskList"), "The tasks"),
                    **_errors(401, 403, 422, 500),
                },
            }
        },
        "/tasks/filters": {
            "get": {
                "summary": "What the caller's inboxes can be narrowed by",
                "security": BEARER,
                "responses": {
                    "200": _json(_ref("TaskFilters"), "Districts, processes and tasks"),
                    **_errors(401, 500),
                },
            }
        },
        "/tasks/{task_id}": {
            "get": {
                "summary": "A task with its form and current draft",
                "security": BEARER,
                "parameters": [TASK_ID],
                "responses": {
                    "200": _json(_ref("TaskDetail"), "The task"),
                    **_errors(401, 404, 500),
                },
            }
        },
        "/tasks/{task_id}/draft": {
            "put": {
                "summary": "Keep unfinished answers (checked only on completion)",
                "security": BEARER,
                "parameters": [TASK_ID],
                "requestBody": _body(TASK_ANSWERS),
                "responses": {
                    "200": _json(_ref("DraftSaved"), "The draft was kept"),
                    **_errors(400, 401, 403, 404, 409, 413, 422, 500),
                },
            }
        },
        "/tasks/{task_id}/claim": {"post": _task_action("Take a task to do it")},
        "/tasks/{task_id}/release": {
            "post": _task_action("Put a claimed task back (its holder or a manager)")
        },
        "/tasks/{task_id}/reassign": {
            "post": _task_action(
                "A manager gives the task to a colleague", body=_ref("Reassignment")
            )
        },
        "/tasks/{task_id}/complete": {
            "post": {
                "summary": "Complete a task with the answers its form asks for",
                "security": BEARER,
                "parameters": [TASK_ID],
                "requestBody": _body(TASK_ANSWERS),
                "responses": {
                    "200": _json(_ref("Completion"), "Done; with the tasks that became ready"),
                    **_errors(400, 401, 403, 404, 409, 413, 422, 500),
                },
            }
        },
        "/cases/{reference}": {
            "get": {
                "summary": "The case as the caller may see it (the look is audited)",
                "security": BEARER,
                "parameters": [REFERENCE],
                "responses": {
                    "200": _json(_ref("Case"), "The case"),
                    **_errors(401, 404, 500),
                },
            }
        },
        "/cases/{reference}/chair": {
            "post": {
                "summary": (
                    "Give the case's review another chair, until its meeting is recorded "
                    "(a manager of the council managing the review)"
                ),
                "security": BEARER,
                "parameters": [REFERENCE],
                "requestBody": _body(_ref("ChairChange")),
                "responses": {
                    "200": _json(_ref("ChairChanged"), "The review's new chair"),
                    **_errors(400, 401, 403, 404, 409, 413, 422, 500),
                },
            }
        },
        "/cases/{reference}/documents": {
            "get": {
                "summary": "The documents made for a case",
                "security": BEARER,
                "parameters": [REFERENCE],
                "responses": {
                    "200": _json(_ref("DocumentList"), "The documents, oldest first"),
                    **_errors(401, 404, 500),
                },
            }
        },
        "/cases/{reference}/documents/meeting-pack": {
            "get": {
                "summary": "The case review meeting pack, as a Word document",
                "security": BEARER,
                "parameters": [REFERENCE],
                "responses": {
                    "200": {
                        "description": "The meeting pack (OFFICIAL-SENSITIVE)",
                        "content": {DOCX: {"schema": {"type": "string", "format": "binary"}}},
                    },
                    **_errors(401, 404, 500),
                },
            }
        },
        **_process_definition_paths(),
        "/openapi.json": {
            "get": {
                "summary": "This description of the API",
                "security": PUBLIC,
                "responses": {"200": _json({"type": "object"}, "The OpenAPI document")},
            }
        },
    }


DIAGRAM_UPLOAD = {
    "required": True,
    "description": "The .bpmn file as the body itself, or as the 'file' field of a form",
    "content": {
        "application/xml": {"schema": {"type": "string"}},
        "multipart/form-data": {
            "schema": _object({"file": {"type": "string", "format": "binary"}})
        },
    },
}
PROCESS_KEY = {
    "name": "key",
    "in": "path",
    "required": True,
    "schema": STRING,
    "description": "The process id in the diagram, such as community_trigger_application",
}
VERSION = {"name": "version", "in": "path", "required": True, "schema": INTEGER}


def _process_definition_paths() -> dict[str, Any]:
    owners = "Process owners only (403 for anyone else)."
    return {
        "/process-definitions": {
            "get": {
                "summary": "Each process with its versions: who deployed each, when, and how "
                "many cases run on it",
                "description": owners,
                "security": BEARER,
                "responses": {
                    "200": _json(_ref("ProcessList"), "The processes"),
                    **_errors(401, 403, 500),
                },
            },
            "post": {
                "summary": "Check a diagram and deploy it as the next version of its process",
                "description": owners + " New cases start on the newest version; running "
                "cases keep theirs. A refused diagram changes nothing.",
                "security": BEARER,
                "requestBody": DIAGRAM_UPLOAD,
                "responses": {
                    "201": _json(_ref("Deployed"), "Deployed as a new version"),
                    "200": _json(_ref("Deployed"), "The newest version already has this content"),
                    "422": _json(_ref("DeploymentRefused"), "Refused, with every error"),
                    **_errors(400, 401, 403, 413, 500),
                },
            },
        },
        "/process-definitions/validate": {
            "post": {
                "summary": "Run every check a deployment makes, without deploying",
                "description": owners,
                "security": BEARER,
                "requestBody": DIAGRAM_UPLOAD,
                "responses": {
                    "200": _json(_ref("Validation"), "Errors (blocking) and warnings"),
                    **_errors(400, 401, 403, 413, 500),
                },
            }
        },
        "/process-definitions/{key}/versions/{version}": {
            "get": {
                "summary": "Download one version's BPMN",
                "description": owners,
                "security": BEARER,
                "parameters": [PROCESS_KEY, VERSION],
                "responses": {
                    "200": {
                        "description": "The diagram as deployed",
                        "content": {"application/xml": {"schema": {"type": "string"}}},
                    },
                    **_errors(401, 403, 404, 500),
                },
            }
        },
        "/process-definitions/{key}/compare": {
            "get": {
                "summary": "The elements added, removed and changed between two versions",
                "description": owners,
                "security": BEARER,
                "parameters": [
                    PROCESS_KEY,
                    {"name": "from", "in": "query", "required": True, "schema": INTEGER},
                    {"name": "to", "in": "query", "required": True, "schema": INTEGER},
                ],
                "responses": {
                    "200": _json(_ref("Comparison"), "What changed"),
                    **_errors(401, 403, 404, 422, 500),
                },
            }
        },
        "/process-definitions/{key}/versions/{version}/move": {
            "post": {
                "summary": "Move running cases of an older version to the newest",
                "description": owners + " A case moves only when nothing it has reached "
                "changed; the others stay as they are, with the reasons. Each move is in the "
                "case's audit trail. Without instance_ids, every running case of the version.",
                "security": BEARER,
                "parameters": [PROCESS_KEY, VERSION],
                "requestBody": {
                    "required": False,
                    "content": {JSON: {"schema": _ref("MoveRequest")}},
                },
                "responses": {
                    "200": _json(_ref("MoveReport"), "Moved and refused cases"),
                    **_errors(400, 401, 403, 404, 409, 413, 422, 500),
                },
            }
        },
    }


def document() -> dict[str, Any]:
    """The OpenAPI document (paths relative to the server URL ``/api/v1``)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "casereview: ASB Case Review (Community Trigger)",
            "version": "1",
            "description": "Apply, appeal and read the published figures without an account; "
            "partners work their inboxes, tasks and cases with a bearer token. Errors are "
            '{"error": "..."}, with "fields" (field path to what to fix) on 422. A case or '
            "task outside the caller's need-to-know answers 404, like one that does not exist.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@blueprint.get("/openapi.json")
def openapi() -> Response:
    return answer(document())
