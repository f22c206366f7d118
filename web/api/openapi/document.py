"""The document put together from its paths and schemas, and the route that serves it."""

from __future__ import annotations

from typing import Any

from flask import Response

from web.api import blueprint
from web.api.common import answer
from web.api.openapi import paths, schemas
from web.api.openapi.parts import PUBLIC, json_response


def document() -> dict[str, Any]:
    """The OpenAPI document (paths relative to the server URL ``/api/v1``)."""
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
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@blueprint.get("/openapi.json")
def openapi() -> Response:
    return answer(document())
