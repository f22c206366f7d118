"""The one shape of every error answer."""

from __future__ import annotations

from typing import Any

from web.api.openapi.parts import exact_object


def schemas() -> dict[str, Any]:
    return {
        "Error": exact_object(
            {
                "error": {"type": "string", "minLength": 1},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
            optional=("fields",),
        ),
    }
