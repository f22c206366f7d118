"""A case's one clear status, with the history of every change."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.models import CASE_STATUSES, Case, CaseStatusChange, User


def set_status(session: Session, case: Case, status: str, *, user: User | None = None) -> None:
    if status not in CASE_STATUSES:
        raise ValueError(f"'{status}' is not a case status; use one of {', '.join(CASE_STATUSES)}")
    if case.status == status and case.id is not None and _has_history(session, case):
        return
    previous = case.status
    case.status = status
    session.add(
        CaseStatusChange(
            case_id=case.id, status=status, at=clock.now(), user_id=user.id if user else None
        )
    )
    if previous == status:
        # A new case starts at its first status: the history row dates it, and "received to
        # received" would tell the trail's reader nothing ("case.opened" is there already).
        return
    audit.record(
        session,
        "case.status_changed",
        user=user,
        case_id=case.id,
        object_type="case",
        object_id=case.reference,
        detail={"from": previous, "to": status},
    )


def _has_history(session: Session, case: Case) -> bool:
    return bool(
        session.scalar(
            select(func.count())
            .select_from(CaseStatusChange)
            .where(CaseStatusChange.case_id == case.id)
        )
    )
