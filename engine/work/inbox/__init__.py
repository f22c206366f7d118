"""Inboxes: queries on Task rows; listing tasks never loads a workflow.

- ``scopes``: the inboxes themselves (mine, my organisation's, overdue), as index ranges;
- ``rows``: one task as an inbox lists it, read by id, and its working days left;
- ``filters``: what an inbox can be narrowed by.
"""

from engine.work.inbox.filters import inbox_filters
from engine.work.inbox.rows import InboxRow, rows_for_tasks, task_name, working_days_left
from engine.work.inbox.scopes import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_OFFSET,
    SCOPES,
    list_tasks,
    my_tasks,
    organisation_tasks,
)

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "SCOPES",
    "InboxRow",
    "inbox_filters",
    "list_tasks",
    "my_tasks",
    "organisation_tasks",
    "rows_for_tasks",
    "task_name",
    "working_days_left",
]
