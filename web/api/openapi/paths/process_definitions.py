"""Process definitions, for process owners: list, check, deploy, download and compare versions,
and move running cases to the newest."""

from __future__ import annotations

from typing import Any

from web.api.openapi.parts import (
    BEARER,
    INTEGER,
    JSON,
    STRING,
    error_responses,
    exact_object,
    json_response,
    ref,
)

DIAGRAM_UPLOAD = {
    "required": True,
    "description": "The .bpmn file as the body itself, or as the 'file' field of a form",
    "content": {
        "application/xml": {"schema": {"type": "string"}},
        "multipart/form-data": {
            "schema": exact_object({"file": {"type": "string", "format": "binary"}})
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


def paths() -> dict[str, Any]:
    owners = "Process owners only (403 for anyone else)."
    return {
        "/process-definitions": {
            "get": {
                "summary": "Each process with its versions: who deployed each, when, and how "
                "many cases run on it",
                "description": owners,
                "security": BEARER,
                "responses": {
                    "200": json_response(ref("ProcessList"), "The processes"),
                    **error_responses(401, 403, 500),
                },
            },
            "post": {
                "summary": "Check a diagram and deploy it as the next version of its process",
                "description": owners + " New cases start on the newest version; running "
                "cases keep theirs. A refused diagram changes nothing.",
                "security": BEARER,
                "requestBody": DIAGRAM_UPLOAD,
                "responses": {
                    "201": json_response(ref("Deployed"), "Deployed as a new version"),
                    "200": json_response(
                        ref("Deployed"), "The newest version already has this content"
                    ),
                    "422": json_response(ref("DeploymentRefused"), "Refused, with every error"),
                    **error_responses(400, 401, 403, 413, 500),
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
                    "200": json_response(ref("Validation"), "Errors (blocking) and warnings"),
                    **error_responses(400, 401, 403, 413, 500),
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
                    **error_responses(401, 403, 404, 500),
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
                    "200": json_response(ref("Comparison"), "What changed"),
                    **error_responses(401, 403, 404, 422, 500),
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
                    "content": {JSON: {"schema": ref("MoveRequest")}},
                },
                "responses": {
                    "200": json_response(ref("MoveReport"), "Moved and refused cases"),
                    **error_responses(400, 401, 403, 404, 409, 413, 422, 500),
                },
            }
        },
    }
