"""The document's named schemas (``components.schemas``), one module per area of the API as
its paths are, each with a ``schemas()``; ``errors`` holds the shape every error answer has."""

from web.api.openapi.schemas import (
    applicant,
    cases,
    errors,
    intake,
    process_definitions,
    tasks,
    tokens,
)

__all__ = ["applicant", "cases", "errors", "intake", "process_definitions", "tasks", "tokens"]
