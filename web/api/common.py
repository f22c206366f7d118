"""What the API's routes share: who is calling, the JSON body, and turning answers into JSON."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response, jsonify, request
from werkzeug.exceptions import BadRequest, Unauthorized

from engine.errors import InvalidData
from engine.models import User
from web.context import bearer_token, current_user


def answer(value: Any, status: int = 200) -> Response:
    response = jsonify(value)
    response.status_code = status
    return response


def signed_in() -> User:
    """The caller, from their bearer token; 401 without a valid one."""
    user = current_user()
    if user is None:
        raise Unauthorized()
    return user


def optional_user() -> User | None:
    """The caller of a public route: anyone, but a token that is sent must be valid."""
    user = current_user()
    if user is None and bearer_token() is not None:
        raise Unauthorized("The token is unknown or has expired; ask for a new one")
    return user


def json_body() -> dict[str, Any]:
    # ``force``: a client that forgets the Content-Type header still gets a useful answer.
    try:
        body = request.get_json(force=True, silent=True)
    except RecursionError:
        raise BadRequest("The request body is nested too deeply") from None
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object")
    return body


def form_answers(body: Mapping[str, Any]) -> dict[str, Any]:
    """The ``data`` member of a body (a task's answers); anything else is for the engine to
    refuse with its fields, so only its shape is checked here."""
    data = body.get("data")
    if not isinstance(data, dict):
        raise InvalidData("Send the form's answers", {"data": "Send the answers as a JSON object"})
    return data
