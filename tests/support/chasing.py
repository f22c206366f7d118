"""What chasing late work leaves behind: the task as it stands, who was told and what they
read, and what the audit trail says; and a manager to be told."""

from __future__ import annotations

from sqlalchemy import select

from engine.core.db import Database
from engine.core.models import AuditEvent, Notification, Task
from engine.people.accounts import add_user


def task_row(db: Database, task_id: int) -> Task:
    with db.read() as session:
        return session.get(Task, task_id)


def told(db: Database, task_id: int, kind: str) -> list[str]:
    """Who was told about a task, by address, sorted."""
    with db.read() as session:
        return sorted(
            session.scalars(
                select(Notification.email).where(
                    Notification.task_id == task_id, Notification.kind == kind
                )
            )
        )


def audit_actions(db: Database, task_id: int) -> list[tuple[str, dict]]:
    with db.read() as session:
        events = session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.object_type == "task",
                AuditEvent.object_id == str(task_id),
                AuditEvent.action.in_(["task.reminded", "task.escalated"]),
            )
            .order_by(AuditEvent.id)
        ).all()
        return [(e.action, e.detail) for e in events]


def add_manager(db: Database, email: str, organisation: str) -> None:
    with db.transaction() as session:
        add_user(
            session,
            email=email,
            name="A Manager",
            organisation_key=organisation,
            roles=["manager"],
            password="long enough password",
        )


def body(db: Database, task_id: int, kind: str) -> str:
    """What a task's notification of this kind said."""
    with db.read() as session:
        return session.scalar(
            select(Notification.body).where(
                Notification.task_id == task_id, Notification.kind == kind
            )
        )
