"""What the steps of a process mean for its case: the hooks the runtime calls, inside its
transaction, as a process moves on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from engine.core.models import ProcessInstance, Task, User


class Effects:
    """What steps of a process mean for its case. The runtime calls these inside its
    transaction; the default means nothing, so the runtime can be used and tested alone."""

    def before_completion(
        self,
        session: Session,
        task: Task,
        data: Mapping[str, Any],
        user: User,
        context: Mapping[str, Any],
    ) -> dict[str, Any]:
        """Check and record a task's meaning; may raise InvalidData. Returns data to add.
        ``context`` is the task's data in the workflow before ``data`` is applied."""
        return {}

    def problems(
        self,
        session: Session,
        task: Task,
        data: Mapping[str, Any],
        user: User,
        context: Mapping[str, Any],
    ) -> dict[str, str]:
        """What the step's own rules find wrong with ``data`` as sent, by field, told beside
        the form's own problems so that a person sees every problem at once. ``data`` has not
        been checked against the form: any answer may be missing or malformed."""
        return {}

    def task_created(self, session: Session, task: Task, properties: Mapping[str, str]) -> None:
        """A human task's new Task row, before it is written (it has no id yet): what is set
        on it here goes into the same INSERT rather than an UPDATE after it."""

    def task_ready(
        self,
        session: Session,
        task: Task,
        data: Mapping[str, Any],
        properties: Mapping[str, str],
    ) -> None:
        """A human task became ready (its Task row is written); ``properties`` are the
        extension properties the diagram gives the task."""

    def process_finished(
        self, session: Session, instance: ProcessInstance, data: Mapping[str, Any]
    ) -> None:
        """The instance reached its end."""


NO_EFFECTS = Effects()
