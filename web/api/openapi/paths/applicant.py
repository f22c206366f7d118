"""The applicant's side: a token for a one-time code, and their own case."""

from __future__ import annotations

from typing import Any

from web.api.openapi.parts import (
    BEARER,
    PUBLIC,
    error_responses,
    json_response,
    ref,
    request_body,
)


def paths() -> dict[str, Any]:
    return {
        "/applicant/token": {
            "post": {
                "summary": "Exchange an applicant's one-time code for a bearer token",
                "description": "Public. Send the sign-in link from the applicant's email (or "
                "its token), or the case reference, the access code from a letter and the "
                "applicant's postcode. The code is used up. The token lasts an hour and "
                "reaches that case alone: POST /appeals and GET /applicant/case take it; "
                "every other route answers it as it answers a caller with no token. A wrong, "
                "used or expired code is refused with the same words whatever was wrong; "
                "attempts are limited per address and per reference.",
                "security": PUBLIC,
                "requestBody": request_body(ref("ApplicantTokenRequest")),
                "responses": {
                    "200": json_response(
                        ref("ApplicantToken"), "A token; send it as Authorization: Bearer"
                    ),
                    **error_responses(400, 401, 413, 422, 429, 500),
                },
            }
        },
        "/applicant/case": {
            "get": {
                "summary": "The applicant's case, as their own pages show it",
                "description": "With an applicant's token only. Where the review stands and "
                "what happens next, the named contact, the letters sent to them, the actions "
                "agreed, whether and until when they may appeal, and the files sent with "
                "their latest appeal. Nothing about other people, nothing from the agencies' "
                "returns. Each look is in the case's audit trail.",
                "security": BEARER,
                "responses": {
                    "200": json_response(ref("ApplicantCase"), "The applicant's case"),
                    **error_responses(401, 500),
                },
            }
        },
    }
