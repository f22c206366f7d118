"""Cases: one case as the caller may see it, its review's chair, and its documents."""

from __future__ import annotations

from typing import Any

from web.api.openapi.parts import BEARER, error_responses, json_response, ref, request_body

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
REFERENCE = {
    "name": "reference",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "The case reference, such as CT-2026-00001",
}


def paths() -> dict[str, Any]:
    return {
        "/cases/{reference}": {
            "get": {
                "summary": "The case as the caller may see it (the look is audited)",
                "security": BEARER,
                "parameters": [REFERENCE],
                "responses": {
                    "200": json_response(ref("Case"), "The case"),
                    **error_responses(401, 404, 500),
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
                "requestBody": request_body(ref("ChairChange")),
                "responses": {
                    "200": json_response(ref("ChairChanged"), "The review's new chair"),
                    **error_responses(400, 401, 403, 404, 409, 413, 422, 500),
                },
            }
        },
        "/cases/{reference}/documents": {
            "get": {
                "summary": "The documents made for a case",
                "security": BEARER,
                "parameters": [REFERENCE],
                "responses": {
                    "200": json_response(ref("DocumentList"), "The documents, oldest first"),
                    **error_responses(401, 404, 500),
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
                    **error_responses(401, 404, 500),
                },
            }
        },
    }
