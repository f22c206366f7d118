"""Inboxes: queries on Task rows; listing tasks never loads a workflow.

- ``scopes``: the inboxes themselves (mine, my organisation's, overdue, the team's), as index
  ranges;
- ``rows``: one task as an inbox lists it, read by id, and its working days left;
- ``filters``: what an inbox can be narrowed by;
- ``team``: a manager's view of their organisation's work, by who holds it.
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
from engine.work.inbox.team import TEAM_LIMIT, Holder, Team, colleagues, team_work

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "MAX_OFFSET",
    "SCOPES",
    "TEAM_LIMIT",
    "Holder",
    "InboxRow",
    "Team",
    "colleagues",
    "inbox_filters",
    "list_tasks",
    "my_tasks",
    "organisation_tasks",
    "rows_for_tasks",
    "task_name",
    "team_work",
    "working_days_left",
]
