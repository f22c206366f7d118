"""What people see of the work: the rows of their inboxes, as the task pages and the API
list them."""

from __future__ import annotations

from engine.core.db import Database
from engine.work.inbox import list_tasks
from tests.support.people import user


def rows(db: Database, email: str, scope: str = "mine", **filters) -> list:
    with db.read() as session:
        return list_tasks(session, user(db, email), scope, **filters)
