"""Signing in for a bearer token."""

from __future__ import annotations

from typing import Any

from web.api.openapi.parts import INTEGER, STRING, exact_object


def schemas() -> dict[str, Any]:
    return {
        "TokenRequest": exact_object({"email": STRING, "password": STRING}),
        "Token": exact_object(
            {"token": STRING, "token_type": {"const": "Bearer"}, "expires_in": INTEGER}
        ),
    }
