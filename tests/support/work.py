"""What people see of the work: the rows of their inboxes, as the task pages and the API
list them; and whose looks at a case the audit trail kept."""

from __future__ import annotations

from sqlalchemy import select

from engine.core.db import Database
from engine.core.models import AuditEvent
from engine.work.inbox import list_tasks
from tests.support.people import user


def rows(db: Database, email: str, scope: str = "mine", **filters) -> list:
    with db.read() as session:
        return list_tasks(session, user(db, email), scope, **filters)


def viewed(db: Database) -> list[tuple[int | None, int | None]]:
    """Each look at a case the audit trail holds, in order, as (case id, user id)."""
    with db.read() as session:
        return [
            (event.case_id, event.user_id)
            for event in session.scalars(
                select(AuditEvent).where(AuditEvent.action == "case.viewed").order_by(AuditEvent.id)
            )
        ]
