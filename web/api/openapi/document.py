"""The document put together from its paths and schemas, and the route that serves it."""

from __future__ import annotations

from typing import Any

from flask import Response

from web.api import blueprint
from web.api.common import answer
from web.api.openapi import paths, schemas
from web.api.openapi.parts import PUBLIC, error_responses, json_response
from web.api.scopes import TAKES_NO_STAFF_TOKEN


def document() -> dict[str, Any]:
    """The OpenAPI document (paths relative to the server URL ``/api/v1``)."""
    return _scope_refusals(_document())


def _scope_refusals(described: dict[str, Any]) -> dict[str, Any]:
    """Every operation that takes a staff token may refuse one whose scope does not include
    it (403), whatever else it answers."""
    for path, item in described["paths"].items():
        for method, operation in item.items():
            if f"{method.upper()} /api/v1{path}" not in TAKES_NO_STAFF_TOKEN:
                operation["responses"].setdefault("403", error_responses(403)["403"])
    return described


def _document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "casereview: ASB Case Review (Community Trigger)",
            "version": "1",
            "description": "Apply and read the published figures without an account; "
            "partners work their inboxes, tasks and cases with a bearer token; an applicant "
            "follows their own case and appeals with a token for their one-time code. Errors are "
            '{"error": "..."}, with "fields" (field path to what to fix) on 422. A case or '
            "task outside the caller's need-to-know answers 404, like one that does not exist.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            **paths.tokens.paths(),
            **paths.intake.paths(),
            **paths.applicant.paths(),
            **paths.tasks.paths(),
            **paths.cases.paths(),
            **paths.process_definitions.paths(),
            "/openapi.json": {
                "get": {
                    "summary": "This description of the API",
                    "security": PUBLIC,
                    "responses": {"200": json_response({"type": "object"}, "The OpenAPI document")},
                }
            },
        },
        "components": {
            "schemas": {
                **schemas.errors.schemas(),
                **schemas.tokens.schemas(),
                **schemas.intake.schemas(),
                **schemas.applicant.schemas(),
                **schemas.tasks.schemas(),
                **schemas.cases.schemas(),
                **schemas.process_definitions.schemas(),
            },
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A staff token: from POST /auth/token (8 hours, reaching "
                    "everything its user may do), or a personal access token made on the "
                    "account's API tokens page (/account/tokens): named, working until the day "
                    "its owner chose, and read only (GET requests alone) or limited to the "
                    "routes chosen for it. A request outside a token's scope answers 403; a "
                    "revoked or expired token 401. An applicant's token, from POST "
                    "/applicant/token, is taken by the applicant's routes alone.",
                }
            },
        },
    }


@blueprint.get("/openapi.json")
def openapi() -> Response:
    return answer(document())
