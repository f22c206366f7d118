"""Apply (anyone may), appeal (the applicant, or the council for them), and read the
published figures."""

from __future__ import annotations

from typing import Any

from web.api.openapi.parts import PUBLIC, error_responses, json_response, ref, request_body


def paths() -> dict[str, Any]:
    return {
        "/applications": {
            "post": {
                "summary": "Apply for an ASB case review (the Community Trigger)",
                "description": "Public. A council caseworker's token may add received_on for "
                "an application that arrived on paper.",
                "security": PUBLIC,
                "requestBody": request_body(ref("Application")),
                "responses": {
                    "201": json_response(ref("Submitted"), "The case was opened"),
                    **error_responses(400, 401, 413, 422, 500),
                },
            }
        },
        "/appeals": {
            "post": {
                "summary": "Appeal to the OPCC: the applicant's own, or lodged for them",
                "description": "With an applicant's token (POST /applicant/token): their "
                "appeal on their own case, against their latest letter with an appeal route, "
                "while its window is open, on grounds that letter names (ApplicantAppeal). "
                "With a staff token: an officer of the council taking part in the case lodging "
                "an appeal on the applicant's behalf (one that came on paper, say), with the "
                "reason (Appeal). A case outside the caller's reach answers 404, as one that "
                "does not exist; without a token, 401.",
                "requestBody": request_body({"oneOf": [ref("ApplicantAppeal"), ref("Appeal")]}),
                "responses": {
                    "201": json_response(ref("Submitted"), "The appeal was lodged on the case"),
                    **error_responses(400, 401, 404, 413, 422, 500),
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
                    "200": json_response(ref("Statistics"), "The figures, districts in order"),
                    **error_responses(422, 500),
                },
            }
        },
    }
