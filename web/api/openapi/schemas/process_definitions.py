"""Process definitions: the versions deployed, checking and deploying a diagram, comparing two
versions and moving running cases to the newest."""

from __future__ import annotations

from typing import Any

from web.api.openapi.parts import BOOLEAN, DATE_TIME, INTEGER, STRING, exact_object, nullable


def schemas() -> dict[str, Any]:
    problem = exact_object(
        {
            "element_id": {
                "type": "string",
                "description": "The diagram element concerned; empty for the whole file",
            },
            "message": STRING,
        }
    )
    problems = {"type": "array", "items": problem}
    change = exact_object(
        {
            "element_id": STRING,
            "name": STRING,
            "what": {"type": "array", "items": STRING, "description": "What changed, in words"},
            "values": {
                "type": "array",
                "description": "Each thing that changed, as it was and as it is (empty for none)",
                "items": exact_object({"what": STRING, "before": STRING, "after": STRING}),
            },
        }
    )
    changes = {"type": "array", "items": change}
    version = exact_object(
        {
            "version": INTEGER,
            "name": STRING,
            "content_hash": STRING,
            "deployed_at": DATE_TIME,
            "deployed_by": nullable(STRING),
            "running": {"type": "integer", "minimum": 0, "description": "Cases running on it"},
        }
    )
    return {
        "ProcessList": exact_object(
            {
                "processes": {
                    "type": "array",
                    "items": exact_object(
                        {
                            "key": STRING,
                            "name": STRING,
                            "versions": {
                                "type": "array",
                                "items": version,
                                "description": "Newest first",
                            },
                        }
                    ),
                }
            }
        ),
        "Validation": exact_object(
            {
                "valid": BOOLEAN,
                "key": nullable(STRING),
                "errors": problems,
                "warnings": problems,
            }
        ),
        "Deployed": exact_object(
            {"key": STRING, "version": INTEGER, "created": BOOLEAN, "warnings": problems}
        ),
        "DeploymentRefused": exact_object(
            {"error": STRING, "errors": problems, "warnings": problems}
        ),
        "Comparison": exact_object(
            {
                "key": STRING,
                "from": INTEGER,
                "to": INTEGER,
                "added": changes,
                "removed": changes,
                "changed": changes,
            }
        ),
        "MoveRequest": exact_object(
            {"instance_ids": {"type": "array", "items": INTEGER}}, optional=("instance_ids",)
        ),
        "MoveReport": exact_object(
            {
                "key": STRING,
                "from_version": INTEGER,
                "to_version": INTEGER,
                "moved": {"type": "array", "items": INTEGER},
                "refused": {
                    "type": "array",
                    "items": exact_object(
                        {"instance_id": INTEGER, "reasons": {"type": "array", "items": STRING}}
                    ),
                },
            }
        ),
    }
