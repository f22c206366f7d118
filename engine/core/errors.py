"""Errors the engine raises for people to read; the web layer maps each to one HTTP answer."""

from __future__ import annotations

from dataclasses import dataclass


class EngineError(Exception):
    """Base class: ``str(error)`` is a plain-English message fit to show a user."""


class NotFound(EngineError):
    """It does not exist, or the caller may not know it exists (need-to-know)."""


class NotAllowed(EngineError):
    """The caller may see it but not do this to it."""


class Conflict(EngineError):
    """Someone else changed it first, e.g. the task was already completed."""


class TooManyAttempts(EngineError):
    """Too many failed sign-ins: refused, whatever was typed, for ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            "There have been too many attempts to sign in. "
            f"Wait {minutes} minute{'s' if minutes != 1 else ''} and try again."
        )
        self.retry_after = retry_after


class TooManySubmissions(EngineError):
    """Too much sent from one network address lately: refused for ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            "A lot has been sent from your internet connection in a short time, so to protect "
            f"the service nothing more can be sent from it for {minutes} "
            f"minute{'s' if minutes != 1 else ''}. Nothing has been sent."
        )
        self.retry_after = retry_after


class InvalidData(EngineError):
    """Submitted data is wrong; ``fields`` maps each field path to what to fix."""

    def __init__(self, message: str, fields: dict[str, str]) -> None:
        super().__init__(message)
        self.fields = fields


@dataclass(frozen=True)
class Problem:
    """One reason a diagram was refused, tied to the BPMN element it concerns."""

    element_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.element_id}: {self.message}" if self.element_id else self.message


class DeploymentRefused(EngineError):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        listed = "; ".join(str(problem) for problem in problems)
        super().__init__(f"the diagram was not deployed: {listed}")


class ProcessFailed(EngineError):
    """A step of the workflow could not run (for example a rule failed on the data given).
    ``element_id`` and ``element_name`` name the diagram's element that failed, when known."""

    def __init__(self, message: str, *, element_id: str = "", element_name: str = "") -> None:
        super().__init__(f"{element_id}: {message}" if element_id else message)
        self.reason = message
        self.element_id = element_id
        self.element_name = element_name
