"""The audit trail: one append-only row for every state change, written in the same transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from engine import clock
from engine.models import AuditEvent, User


def record(
    session: Session,
    action: str,
    *,
    user: User | None = None,
    case_id: int | None = None,
    object_type: str = "",
    object_id: str | int = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        at=clock.now(),
        user_id=user.id if user else None,
        organisation_id=user.organisation_id if user else None,
        action=action,
        case_id=case_id,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail or {},
    )
    session.add(event)
    return event
