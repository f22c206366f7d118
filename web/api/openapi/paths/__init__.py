"""The document's paths, one module per area of the API: each module's ``paths()`` describes
the operations of the routes in the ``web.api`` module of the same name."""

from web.api.openapi.paths import applicant, cases, intake, process_definitions, tasks, tokens

__all__ = ["applicant", "cases", "intake", "process_definitions", "tasks", "tokens"]
