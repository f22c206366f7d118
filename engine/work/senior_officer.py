"""What the tasks of a vulnerable victim decision show: the managers who may be named its
senior officer, the decision waiting for their confirmation, and their answer when they did
not confirm it (the council deciding again sees why)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from engine.core.models import Case, Task
from engine.documents.content import latest_task_data, user_names
from engine.procedure.senior_officer_steps import (
    CONFIRMATION_FORM,
    DECISION_FORM,
    senior_officers,
)

# The tasks deciding the threshold, which show the service's count of qualifying complaints.
FORMS = frozenset({DECISION_FORM, CONFIRMATION_FORM})


@dataclass(frozen=True)
class ToConfirm:
    """The decision as recorded, for its senior officer to confirm."""

    recorded_by: str
    recorded_at: datetime | None
    reasons: str
    persistence: str
    harm: str
    adequacy: str


@dataclass(frozen=True)
class NotConfirmed:
    """A senior officer's answer that sent the decision back to the council."""

    answered_by: str
    answered_at: datetime | None
    reason: str


def officer_choices(session: Session, case: Case) -> list[tuple[str, str]]:
    """The managers who may be named, as the form offers them (email address, words)."""
    return [(o.email, f"{o.name} ({o.email})") for o in senior_officers(session, case)]


def decision_to_confirm(session: Session, task: Task) -> ToConfirm | None:
    """On the senior officer's confirmation, the decision they are asked to confirm."""
    if task.form != CONFIRMATION_FORM:
        return None
    answers, decided = latest_task_data(session, task.case, DECISION_FORM)
    by = decided.completed_by_id if decided is not None else None
    return ToConfirm(
        recorded_by=user_names(session, {by}).get(by, "") if by is not None else "",
        recorded_at=decided.completed_at if decided is not None else None,
        reasons=str(answers.get("reasons", "")),
        persistence=str(answers.get("persistence", "")),
        harm=str(answers.get("harm", "")),
        adequacy=str(answers.get("adequacy", "")),
    )


def not_confirmed(session: Session, task: Task) -> NotConfirmed | None:
    """On a threshold decision, the senior officer's answer not confirming the case's latest
    decision; None when it was not sent back."""
    if task.form != DECISION_FORM:
        return None
    answers, answer = latest_task_data(session, task.case, CONFIRMATION_FORM)
    _, decided = latest_task_data(session, task.case, DECISION_FORM)
    if answer is None or answers.get("decision_confirmed") is not False:
        return None
    if decided is not None and decided.id > answer.id:
        return None  # decided again since (a task made later has a higher id)
    by = answer.completed_by_id
    return NotConfirmed(
        answered_by=user_names(session, {by}).get(by, "") if by is not None else "",
        answered_at=answer.completed_at,
        reason=str(answers.get("not_confirmed_reason", "")),
    )
