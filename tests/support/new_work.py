"""Word of new work in the tests: who heard of a task, and a person's choice of how they hear."""

from __future__ import annotations

from sqlalchemy import select

from engine.core.db import Database
from engine.core.models import Notification, User
from engine.people.new_work_email import choose_new_work_email


def heard(db: Database, task_id: int) -> dict[str, Notification]:
    """Who was told of the task as it arrived, by the address of their account."""
    with db.read() as session:
        rows = session.execute(
            select(User.email, Notification)
            .join(User, User.id == Notification.user_id)
            .where(Notification.task_id == task_id, Notification.kind == "new_work")
        ).all()
        return {email: notification for email, notification in rows}


def choose(db: Database, email: str, choice: str, digest_time: str = "") -> None:
    """The person chooses how they hear of new tasks by email."""
    with db.transaction() as session:
        user_id = session.scalar(select(User.id).where(User.email == email))
        choose_new_work_email(
            session, user_id, {"new_work_email": choice, "digest_time": digest_time}
        )


def summaries(db: Database, email: str) -> list[Notification]:
    """The daily summaries written for the person, oldest first."""
    with db.read() as session:
        return list(
            session.scalars(
                select(Notification)
                .join(User, User.id == Notification.user_id)
                .where(User.email == email, Notification.kind == "new_work_digest")
                .order_by(Notification.id)
            )
        )
