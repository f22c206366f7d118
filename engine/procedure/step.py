"""A step of the procedure as the registry's handlers see it: the task being completed or
becoming ready, its case, and (on completion) what was submitted and by whom."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from engine.core.models import Case, Task, User


@dataclass(frozen=True)
class Step:
    """A task being completed: where it is, what was submitted, and by whom. ``context`` is
    the task's data in the workflow before the answers are applied."""

    session: Session
    case: Case
    task: Task
    data: Mapping[str, Any]
    user: User
    context: Mapping[str, Any]


@dataclass(frozen=True)
class Arrival:
    """A task that has just become ready (its row written), with the workflow's data."""

    session: Session
    case: Case
    task: Task
    data: Mapping[str, Any]


# Checks and records what a completion means; may raise InvalidData; returns data to add to
# the workflow.
Completion = Callable[[Step], dict[str, Any]]
# What a step's rules find wrong with what was sent, by field, before the form has checked
# it: every answer may be missing or malformed.
Check = Callable[[Step], dict[str, str]]
# Prepares a task that has just become ready (a suggested draft) or records its arrival.
Preparation = Callable[[Arrival], None]

# The review's agencies, who may be given actions: not its chair, nor the OPCC.
ACTION_ROLES = ("council", "police", "housing", "health")
LEGAL_BASIS = (
    "Anti-social Behaviour, Crime and Policing Act 2014, Schedule 4: the relevant bodies may "
    "request information from any person exercising public functions for an ASB case review"
)
