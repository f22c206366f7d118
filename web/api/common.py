"""What the API's routes share: who is calling, the JSON body, and turning answers into JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import Response, jsonify, request
from werkzeug.exceptions import BadRequest, Unauthorized

from engine.core.errors import InvalidData
from engine.core.models import User
from web.context import api_applicant, bearer_token, current_user


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
    """The caller of a public route: anyone, but a token that is sent must be valid (an
    applicant's is, and they are answered as anyone is)."""
    user = current_user()
    if user is None and bearer_token() is not None and api_applicant() is None:
        raise Unauthorized("The token is unknown, has expired or was revoked; ask for a new one")
    return user


def json_body(*, empty: dict[str, Any] | None = None) -> dict[str, Any]:
    """The request's JSON object; ``empty`` (when given) stands for a body with nothing in it.

    Python's parser also takes what JSON does not allow and storage cannot keep, NaN and
    Infinity, and strings with a lone surrogate (which UTF-8 cannot encode): those are
    refused here, not left to fail later as a server error.
    """
    if empty is not None and not request.get_data():
        return empty
    # ``force``: a client that forgets the Content-Type header still gets a useful answer.
    try:
        body = request.get_json(force=True, silent=True)
    except RecursionError:
        raise BadRequest("The request body is nested too deeply") from None
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object")
    try:
        json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except ValueError:  # NaN or Infinity; a lone surrogate's UnicodeEncodeError is one too
        raise BadRequest(
            "The request body must be JSON in UTF-8, without NaN, Infinity or lone surrogates"
        ) from None
    return body


def form_answers(body: Mapping[str, Any]) -> dict[str, Any]:
    """The ``data`` member of a body (a task's answers); anything else is for the engine to
    refuse with its fields, so only its shape is checked here."""
    data = body.get("data")
    if not isinstance(data, dict):
        raise InvalidData("Send the form's answers", {"data": "Send the answers as a JSON object"})
    return data
