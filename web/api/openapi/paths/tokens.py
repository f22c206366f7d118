"""Signing in for a bearer token."""

from __future__ import annotations

from typing import Any

from web.api.openapi.parts import PUBLIC, error_responses, json_response, ref, request_body


def paths() -> dict[str, Any]:
    return {
        "/auth/token": {
            "post": {
                "summary": "Exchange an email address and password for a bearer token",
                "description": (
                    "A temporary password, one an administrator gave, gets no token (403): "
                    "its holder first chooses their own password on the service's pages. "
                    "Changing or resetting a password revokes every token of the account."
                ),
                "security": PUBLIC,
                "requestBody": request_body(ref("TokenRequest")),
                "responses": {
                    "200": json_response(ref("Token"), "A token; send it as Authorization: Bearer"),
                    **error_responses(400, 401, 403, 413, 422, 429, 500),
                },
            }
        },
    }
