"""How the API answers when something is wrong: JSON, with one plain English sentence.

Engine errors map to one status each. Errors Flask raises in the API's own views (bad JSON,
a body too large, a missing token, a crash) are answered here; errors raised before a route
is known (an unknown address, a method a route does not accept) are answered by the app's
handler, which also speaks JSON on ``/api/`` paths.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify
from werkzeug.exceptions import HTTPException

from engine.core.errors import (
    Conflict,
    EngineError,
    InvalidData,
    NotAllowed,
    NotFound,
    ProcessFailed,
    TooManyAttempts,
    TooManySubmissions,
)
from engine.documents import ConversionUnavailable

MESSAGES = {
    400: "The request could not be understood",
    401: (
        "Send a valid token: Authorization: Bearer <token> from POST /api/v1/auth/token, "
        "or a personal access token from your account's API tokens page"
    ),
    403: "You may not do this",
    404: "There is nothing at this address",
    405: "This address does not accept that method",
    413: "The request body is too large",
    415: "Send the request body as JSON",
    429: "Too many requests; wait and try again",
    500: "Something went wrong on our side; it has been logged. Try again later",
}


def json_error(status: int, message: str, fields: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {"error": message}
    if fields is not None:
        body["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="casereview"'
    return response


def engine_error(error: EngineError) -> Response:
    message = _sentence(str(error))
    if isinstance(error, InvalidData):
        return json_error(422, message, dict(error.fields))
    if isinstance(error, NotFound):
        return json_error(404, message)
    if isinstance(error, NotAllowed):
        return json_error(403, message)
    if isinstance(error, Conflict):
        return json_error(409, message)
    if isinstance(error, TooManyAttempts | TooManySubmissions):
        response = json_error(429, message)
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    if isinstance(error, ConversionUnavailable):
        # LibreOffice is missing or failed: the Word file can still be had, and this says why
        # the other format cannot.
        return json_error(
            503, f"The file cannot be made in that format just now: {error}; ask for format=docx"
        )
    if isinstance(error, ProcessFailed):
        # The process itself could not move on (a diagram's rule failed): nothing was changed,
        # and it is for the process owners to put right, not the caller.
        current_app.logger.error("process failed: %s", error)
        return json_error(500, f"The process could not move on: {message}")
    return json_error(400, message)


def http_error(error: HTTPException) -> Response:
    status = error.code or 500
    if status >= 500:
        # Flask has logged the exception; the caller learns nothing of our internals.
        return json_error(status, MESSAGES[500])
    # A description given where the error was raised says more than the generic one.
    custom = error.description != type(error).description
    message = error.description if custom and error.description else MESSAGES.get(status)
    return json_error(status, message or _sentence(error.name))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else "Something is wrong with the request"


def register(blueprint: Blueprint) -> None:
    blueprint.register_error_handler(EngineError, engine_error)
    blueprint.register_error_handler(HTTPException, http_error)
