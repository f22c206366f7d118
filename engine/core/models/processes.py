"""The procedure as it runs: deployed diagrams, their running instances, and the human tasks
they make ready with the organisations that may do them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.core.models.base import Base
from engine.core.models.cases import Case
from engine.core.models.people import User

TASK_STATES = ("open", "claimed", "completed", "cancelled")
# Why a task went to its holder without their claiming it: they completed the case's previous
# step in its lane, a manager gave it to them, or they are the applicant's contact.
ASSIGNMENT_REASONS = ("previous_step", "manager", "contact", "senior_officer")
LIVE_TASK_STATES = ("open", "claimed")
# The same, as SQL: the condition of the partial indexes on live tasks.
LIVE_TASKS_SQL = f"state IN ({', '.join(repr(state) for state in LIVE_TASK_STATES)})"


class ProcessDefinition(Base):
    """One deployed version of a BPMN diagram. Versions are never changed once deployed."""

    __tablename__ = "process_definitions"
    __table_args__ = (UniqueConstraint("key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(200), default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    spec_json: Mapped[str] = mapped_column(Text)
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deployed_at: Mapped[datetime]


class ProcessInstance(Base):
    __tablename__ = "process_instances"
    __table_args__ = (
        CheckConstraint("state IN ('running','completed','failed','cancelled')", name="state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="running")
    workflow_json: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(default=1)
    next_timer_at: Mapped[datetime | None] = mapped_column(index=True)
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    # Why a failed instance stopped, for its process owners: when, at which element of the
    # diagram (its BPMN id and name), and the reason in plain English.
    failed_at: Mapped[datetime | None]
    failed_element_id: Mapped[str | None] = mapped_column(String(200))
    failed_element_name: Mapped[str | None] = mapped_column(String(300))
    failure_reason: Mapped[str | None] = mapped_column(Text)
    definition: Mapped[ProcessDefinition] = relationship()
    case: Mapped[Case] = relationship()


class Task(Base):
    """A human task that became ready in a workflow: what inboxes list, without the workflow."""

    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("instance_id", "spiff_task_id"),
        CheckConstraint("state IN ('open','claimed','completed','cancelled')", name="state"),
        Index("ix_tasks_assignee_state_due", "assignee_id", "state", "due_on"),
        Index("ix_tasks_instance_state", "instance_id", "state"),
        Index("ix_tasks_state_due", "state", "due_on"),
        # The daily sweep's: PostgreSQL walks the live tasks in the order they fall due to be
        # chased and stops at a batch (finished tasks keep their last date, so they are left
        # out); SQLite, which plans without statistics, reads the due range of each live state
        # and sorts it.
        Index("ix_tasks_state_next_chase", "state", "next_chase_on"),
        Index(
            "ix_tasks_live_next_chase",
            "next_chase_on",
            "id",
            postgresql_where=text(LIVE_TASKS_SQL),
            sqlite_where=text(LIVE_TASKS_SQL),
        ),
        # How the procedure runs (``engine.work.step_timings``): the live tasks by step, read
        # from an index that holds all the figures need, never from the tasks' wide rows
        # (SQLite reads the state from the index too, though the index holds one state only).
        # The completed tasks' figures are counted as they complete (``StepDuration``).
        Index(
            "ix_tasks_live_steps",
            "spec_name",
            "due_on",
            "instance_id",
            "state",
            postgresql_where=text(LIVE_TASKS_SQL),
            sqlite_where=text(LIVE_TASKS_SQL),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    spec_name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    form: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20), default="open")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    data: Mapped[dict[str, Any] | None]
    draft: Mapped[dict[str, Any] | None]
    # Chasing late work: the BPMN's overrides of the area's reminder and escalation settings,
    # the next day a reminder or escalation falls due (what the sweep's index range reads),
    # and what has been done so far.
    chase: Mapped[dict[str, Any] | None]
    next_chase_on: Mapped[date | None] = mapped_column(Date)
    reminded_at: Mapped[datetime | None]
    escalation_level: Mapped[int] = mapped_column(default=0, server_default="0")
    escalated_at: Mapped[datetime | None]
    # How many times the task passed to someone else undone (a review's new chair): each
    # holder is reminded of it once, however often it comes back to them.
    handovers: Mapped[int] = mapped_column(default=0, server_default="0")
    # Why the task is held by its holder when they did not claim it themselves
    # (``ASSIGNMENT_REASONS``), for the inbox and the task page to say; None when they claimed
    # it, or while no one holds it.
    assigned_because: Mapped[str | None] = mapped_column(String(20))
    instance: Mapped[ProcessInstance] = relationship()
    case: Mapped[Case] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])

    candidates: Mapped[list[TaskCandidate]] = relationship(cascade="all, delete-orphan")

    @property
    def organisation_ids(self) -> list[int]:
        return [candidate.organisation_id for candidate in self.candidates]

    def is_for(self, user: User) -> bool:
        """Whether the user may do the task: their organisation's, unless one person alone
        plays its lane for the organisation (a review chair), who must then be the user."""
        return any(candidate.is_for(user) for candidate in self.candidates)


class TaskCandidate(Base):
    """An organisation whose users may claim and complete a task (its lane's role on the case)."""

    __tablename__ = "task_candidates"
    __table_args__ = (
        Index("ix_task_candidates_organisation_state_due", "organisation_id", "state", "due_on"),
        Index(
            "ix_task_candidates_organisation_state_district_due",
            "organisation_id",
            "state",
            "district_id",
            "due_on",
        ),
    )
    task_id: Mapped[int] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True)
    # Copied from the task so an organisation's inbox is one index range scan.
    state: Mapped[str] = mapped_column(String(20), default="open")
    due_on: Mapped[date | None] = mapped_column(Date)
    # The case's district, so an inbox narrowed to one district is one index range too.
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    # Set when the organisation plays the task's lane through one person alone (a review
    # chair): the organisation's other people take no part in the case, so they neither see
    # the task in their inboxes nor hear when it is late.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def is_for(self, user: User) -> bool:
        return self.organisation_id == user.organisation_id and self.user_id in (None, user.id)


class StepDuration(Base):
    """How long the completed tasks of one step took: how many, per version of the process
    their instance runs on, task (``Task.spec_name``), day they were completed (in England)
    and working days taken, and of those how many had a due date and how many met it.

    Each day's row has its month's row beside it (``whole_month``, ``done_on`` the month's
    first day), so that a period of years reads a row per month and step rather than per day.
    Written in the transaction that completes the task (``engine.runtime.step_durations``);
    read by how the procedure runs (``engine.work.step_timings``) instead of the tasks."""

    __tablename__ = "step_durations"
    # SQLite keeps the rows in the order of their key, so a period's rows are read in one run.
    __table_args__ = {"sqlite_with_rowid": False}
    definition_id: Mapped[int] = mapped_column(
        ForeignKey("process_definitions.id"), primary_key=True
    )
    whole_month: Mapped[bool] = mapped_column(primary_key=True)
    done_on: Mapped[date] = mapped_column(Date, primary_key=True)
    spec_name: Mapped[str] = mapped_column(String(200), primary_key=True)
    working_days: Mapped[int] = mapped_column(primary_key=True)
    tasks: Mapped[int]
    with_due: Mapped[int]
    on_time: Mapped[int]
