"""Notifications: written in the same transaction as the event they tell of.

Each one is shown to its user in the service and, when it has an address, waits in the outbox
for the mail sender. Its ``key`` names the event (``reminder:task:42``), so whatever writes it
twice, a sweep run again or two processes racing, leaves exactly one.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from engine import clock
from engine.models import Notification, User


def notify(
    session: Session,
    *,
    key: str,
    kind: str,
    subject: str,
    body: str,
    user: User | None = None,
    email: str = "",
    organisation_id: int | None = None,
    case_id: int | None = None,
    task_id: int | None = None,
) -> Notification | None:
    """Write the notification once; None when one with this key already exists."""
    address = email or (user.email if user else "")
    now = clock.now()
    values = {
        "key": key,
        "kind": kind,
        "created_at": now,
        "user_id": user.id if user else None,
        "organisation_id": organisation_id
        if organisation_id is not None
        else (user.organisation_id if user else None),
        "email": address,
        "subject": subject[:300],
        "body": body,
        "case_id": case_id,
        "task_id": task_id,
        "state": "pending" if address else "not_sent",
        "attempts": 0,
        "next_attempt_at": now if address else None,
        "last_error": "",
    }
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    inserted = session.execute(
        insert(Notification).values(**values).on_conflict_do_nothing(index_elements=["key"])
    )
    if not inserted.rowcount:
        return None
    return session.scalar(select(Notification).where(Notification.key == key))
