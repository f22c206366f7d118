"""The JSON API, version 1, under ``/api/v1``: the same engine calls as the pages, as JSON.

Staff authenticate with a bearer token from ``POST /api/v1/auth/token``, or with a personal
access token made on their account's pages, held to its scope (``scopes``); an applicant with
one from ``POST /api/v1/applicant/token`` for their one-time code, which reaches their own case
alone; the session cookie is never read here (``web.context.current_user``), which is why the
API is exempt from CSRF.
Every error is ``{"error": "<plain English>"}``, with ``"fields"`` when data needs correcting.
"""

from __future__ import annotations

from flask import Blueprint, request

from web.api import errors

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
# A JSON request body is answers to a form, never a file: far below the app's upload limit.
MAX_BODY_BYTES = 4 * 1024 * 1024


@blueprint.before_request
def _limit_body() -> None:
    request.max_content_length = MAX_BODY_BYTES


errors.register(blueprint)

from web.api import (  # noqa: E402, F401 - routes
    applicant,
    cases,
    intake,
    openapi,
    process_definitions,
    scopes,
    tasks,
    tokens,
)
