"""The small pieces the document's schemas and paths are written with."""

from __future__ import annotations

from typing import Any

JSON = "application/json"
BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
PUBLIC: list[dict[str, list[str]]] = []


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def exact_object(properties: dict[str, Any], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """An object with exactly these properties, all present unless named optional."""
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }


STRING = {"type": "string"}
TEXT = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
DATE_TIME = {"type": "string", "format": "date-time"}
KEY_NAME = exact_object({"key": STRING, "name": STRING})
PERSON_REF = nullable(exact_object({"id": INTEGER, "name": STRING}))


def json_response(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def error_responses(*statuses: int) -> dict[str, Any]:
    """The error answers an operation may give, each with the Error schema."""
    described = {
        400: "The body is not a JSON object",
        401: "No token, or an unknown or expired one",
        403: "The caller may see this but not do it, or their token's scope does not include it",
        404: "No such thing, or it is outside the caller's need-to-know",
        409: "The task was already completed, is held by someone else, or has been dropped",
        413: "The request body is too large",
        422: "The data needs correcting; fields says what, by field path",
        429: "Too many failed sign-ins for this account or address; wait Retry-After seconds",
        500: "Something went wrong on the server; nothing was changed",
        503: "The database cannot be reached just now; try again after Retry-After seconds",
    }
    # Any route may meet a database that is restarting.
    return {
        str(status): json_response(ref("Error"), described[status]) for status in (*statuses, 503)
    }


def request_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {JSON: {"schema": schema}}}
