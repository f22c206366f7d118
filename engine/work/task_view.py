"""One task as a person works on it: what it asks, their draft, and what they may do to it.

These are the task actions the task page and the JSON API share. Each checks need-to-know the
same way before the runtime takes its lock: a task is invisible (``NotFound``) to anyone whose
roles do not work on cases or whose organisation neither does it nor takes part in its case,
and visible but not theirs to act on (``NotAllowed``) for another participant of the case.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from engine import procedure, runtime
from engine.cases.assessment import assess_case
from engine.cases.threshold import ThresholdAssessment
from engine.core import audit
from engine.core.db import Database
from engine.core.errors import InvalidData, NotAllowed, NotFound, ProcessFailed
from engine.core.forms import FormError, load_form
from engine.core.models import (
    LIVE_TASK_STATES,
    MAX_ROW_ID,
    CaseParticipant,
    Organisation,
    ProcessDefinition,
    ProcessInstance,
    Task,
    User,
)
from engine.documents import Letter
from engine.intake.appeals import APPEAL_PROCESS
from engine.people.access import (
    participant_roles,
    visible_cases,
    visible_task,
    works_on_cases,
)
from engine.procedure import ACTION_ROLES
from engine.records.attachments import appeal_attachments, task_attachments
from engine.review.applicant_part import ApplicantPart, applicant_part
from engine.review.independence import chair_choices
from engine.review.reviews import current_review
from engine.work import senior_officer
from engine.work.case_view import case_summary
from engine.work.inbox import InboxRow, colleagues, rows_for_tasks
from engine.work.letter_preview import task_letter

# The tasks that decide or use the applicant's part in the review show it beside the form.
SHOW_APPLICANT_PART = frozenset(
    {"meeting_invitation", "meeting_pack", "meeting_record", "applicant_views", "final_action_plan"}
)
# A draft is work in progress, not a document store: big enough for any form's answers.
MAX_DRAFT_BYTES = 512 * 1024


@dataclass(frozen=True)
class Completion:
    """A completed task and the tasks its completion made ready, as inboxes list them."""

    task: InboxRow
    ready: list[InboxRow] = field(default_factory=list)
    process_finished: bool = False
    # The task is completed, but the diagram failed after it: the process has stopped, and
    # its process owners see why.
    process_failed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "task": self.task.as_dict(),
            "ready": [row.as_dict() for row in self.ready],
            "process_finished": self.process_finished,
            "process_failed": self.process_failed,
        }


def _ours(session: Session, user: User, task_id: int) -> Task:
    """A task the user's organisation does; NotAllowed when it is only on a case they share."""
    task = visible_task(session, user, task_id)
    _refuse_unless_for(user, task)
    return task


def _refuse_unless_for(user: User, task: Task) -> None:
    if not task.is_for(user):
        raise NotAllowed("this task is for another organisation or person taking part in the case")


def _ours_to_complete(user: User) -> runtime.Authorisation:
    """``_ours``, read with the task the runtime locks: whether the user takes part in its
    case comes in the same statement."""

    def check(task: Task, takes_part: bool) -> None:
        if not takes_part:
            raise NotFound("there is no such task")
        _refuse_unless_for(user, task)

    return runtime.Authorisation(visible_cases(user, case_id=Task.case_id), check)


def allowed_actions(user: User, task: Task) -> dict[str, bool]:
    """What the user may do to the task now (what a page offers, not a promise: the runtime
    checks again under its lock)."""
    ours = task.is_for(user) and works_on_cases(user)
    live = task.state in LIVE_TASK_STATES
    free_or_mine = task.assignee_id in (None, user.id)
    manager = user.has_role("manager")
    return {
        "claim": ours and task.state == "open",
        "release": ours and task.state == "claimed" and (task.assignee_id == user.id or manager),
        "reassign": ours and live and manager,
        "save_draft": ours and live and free_or_mine,
        "complete": ours and live and free_or_mine,
    }


def task_detail(session: Session, user: User, task_id: int, forms_dir: Path) -> dict[str, Any]:
    """The task as ``user`` may see it, with its form and current draft; ``NotFound`` outside
    need-to-know. The draft and answers may hold personal data, so the look is audited: call
    it inside a write transaction.

    Keys: those of ``InboxRow.as_dict()`` (id, title, name, form, case_reference, district,
    organisations, assignee, state, due_on, working_days_left, overdue, overdue_by,
    escalation_level, process, risk_level), then created_at, claimed_at, completed_at, schema
    (the form's JSON Schema), draft (saved answers or None), data (the answers it was
    completed with, or None) and actions (``allowed_actions``).
    """
    task = visible_task(session, user, task_id)
    try:
        schema = load_form(forms_dir, task.form)
    except FormError as error:
        raise ProcessFailed(str(error)) from None
    (row,) = rows_for_tasks(session, [task.id])
    audit.record(
        session,
        "case.viewed",
        user=user,
        case_id=task.case_id,
        object_type="task",
        object_id=task.id,
        detail={"purpose": "task"},
    )
    return {
        **row.as_dict(),
        "created_at": task.created_at,
        "claimed_at": task.claimed_at,
        "completed_at": task.completed_at,
        "schema": schema,
        "draft": task.draft,
        "data": task.data,
        "actions": allowed_actions(user, task),
    }


@dataclass(frozen=True)
class TaskForm:
    """A task's form: its JSON Schema, and the choices the case gives some of its answers."""

    schema: dict[str, Any]
    choices: dict[str, list[tuple[str, str]]]


@dataclass(frozen=True)
class AttachedFile:
    """A file on the task, as listed beside it (its content is downloaded separately)."""

    id: int
    filename: str
    size: int
    organisation_id: int
    organisation_name: str


@dataclass(frozen=True)
class TaskPage:
    """Everything the task page shows, read in one go within need-to-know (and audited)."""

    task: Task
    case: dict[str, Any]
    form: TaskForm
    actions: dict[str, bool]
    # Who does it: the organisations' names, or the one person whose task it is alone.
    organisations: str
    only_person: str
    # Colleagues a manager may give it to (id, name).
    colleagues: list[tuple[int, str]]
    attachments: list[AttachedFile]
    # The applicant's part in the review, on the tasks that decide or use it.
    applicant_part: ApplicantPart | None = None
    # On the OPCC's tasks of an appeal: the files the applicant sent with it.
    appeal_files: list[AttachedFile] = field(default_factory=list)
    # On the threshold decision: the service's count, and each incident with why it counts.
    threshold: ThresholdAssessment | None = None
    # On its senior officer's confirmation: the decision to confirm; on the decision made
    # again: the officer's answer that sent it back.
    to_confirm: senior_officer.ToConfirm | None = None
    not_confirmed: senior_officer.NotConfirmed | None = None
    # On a task that sends a letter: the letter as it would go today.
    letter: Letter | None = None

    @property
    def finished(self) -> bool:
        return self.task.state not in LIVE_TASK_STATES


def _form_of(session: Session, task: Task, forms_dir: Path) -> TaskForm:
    try:
        schema = load_form(forms_dir, task.form)
    except FormError as error:
        raise ProcessFailed(str(error)) from None
    organisations = [
        (key, name)
        for key, name in session.execute(
            select(Organisation.key, Organisation.name)
            .join(CaseParticipant, CaseParticipant.organisation_id == Organisation.id)
            .where(CaseParticipant.case_id == task.case_id, CaseParticipant.role.in_(ACTION_ROLES))
            .distinct()
            .order_by(Organisation.name)
        )
    ]
    # An action is given to one of the case's own agencies; a vulnerable victim decision
    # names one of the managing council's managers.
    choices = {"recommendations[].organisation": organisations}
    if "senior_officer" in schema.get("properties", {}):
        officers = senior_officer.officer_choices(session, task.case)
        if officers:
            choices["senior_officer"] = officers
    # The review chairs and the area's list, each marked independent of the case or not.
    if "chair_email" in schema.get("properties", {}):
        chairs = chair_choices(session, task.case)
        if chairs:
            choices["chair_email"] = chairs
    return TaskForm(schema, choices)


def task_form(session: Session, user: User, task_id: int, forms_dir: Path) -> TaskForm:
    """The form of a task the user may see, to read answers sent to it."""
    return _form_of(session, visible_task(session, user, task_id), forms_dir)


def task_page(session: Session, user: User, task_id: int, forms_dir: Path) -> TaskPage:
    """The task page's content; ``NotFound`` outside need-to-know. It shows the case, so the
    look is audited: call it inside a write transaction."""
    task = session.execute(
        select(Task)
        .where(Task.id == task_id)
        .options(
            selectinload(Task.candidates),
            joinedload(Task.case),
            joinedload(Task.assignee),
            joinedload(Task.completed_by),
        )
    ).scalar_one_or_none()
    if task is None:
        raise NotFound("there is no such task")
    visible_task(session, user, task_id)
    case = case_summary(session, user, task.case.reference, purpose=f"task {task_id}")
    actions = allowed_actions(user, task)
    givable = []
    if actions["reassign"]:
        givable = [
            (colleague.id, colleague.name)
            for colleague in colleagues(session, user)
            if task.is_for(colleague)
        ]
    # A review chair's task is the chair's alone, not their organisation's.
    person = next((c.user_id for c in task.candidates if c.user_id), None)
    holder = session.get(User, person) if person else None
    organisations = " or ".join(
        session.scalars(
            select(Organisation.name)
            .where(Organisation.id.in_(task.organisation_ids))
            .order_by(Organisation.name)
        )
    )
    return TaskPage(
        task=task,
        case=case,
        form=_form_of(session, task, forms_dir),
        actions=actions,
        organisations=organisations,
        only_person=holder.name if holder else "",
        colleagues=givable,
        attachments=_attached_files(session, task),
        applicant_part=(
            applicant_part(session, task.case, current_review(session, task.case))
            if task.form in SHOW_APPLICANT_PART
            else None
        ),
        appeal_files=_appeal_files(session, user, task),
        threshold=assess_case(session, task.case) if task.form in senior_officer.FORMS else None,
        to_confirm=senior_officer.decision_to_confirm(session, task),
        not_confirmed=senior_officer.not_confirmed(session, task),
        letter=task_letter(session, user, task),
    )


def _appeal_files(session: Session, user: User, task: Task) -> list[AttachedFile]:
    """For the OPCC alone, as the files are (``open_attachment``)."""
    if "opcc" not in participant_roles(session, user, task.case_id):
        return []
    process = session.scalar(
        select(ProcessDefinition.key)
        .join(ProcessInstance, ProcessInstance.definition_id == ProcessDefinition.id)
        .where(ProcessInstance.id == task.instance_id)
    )
    if process != APPEAL_PROCESS:
        return []
    files = appeal_attachments(session, task.case_id, task.created_at)
    return [AttachedFile(file.id, file.filename, file.size, 0, "the applicant") for file in files]


def _attached_files(session: Session, task: Task) -> list[AttachedFile]:
    files = task_attachments(session, task.id)
    names = {
        id_: name
        for id_, name in session.execute(
            select(Organisation.id, Organisation.name).where(
                Organisation.id.in_({file.organisation_id for file in files})
            )
        )
    }
    # A task's files are its organisations' (the applicant's go with their appeal alone).
    return [
        AttachedFile(file.id, file.filename, file.size, org, names[org])
        for file in files
        if (org := file.organisation_id) is not None
    ]


def task_row(session: Session, user: User, task_id: int) -> InboxRow:
    """The task as an inbox lists it, within need-to-know (no personal data, not audited)."""
    task = visible_task(session, user, task_id)
    (row,) = rows_for_tasks(session, [task.id])
    return row


def save_draft(db: Database, task_id: int, user: User, data: Mapping[str, Any]) -> Task:
    """Keep unfinished answers on a task: its holder's, or while unclaimed anyone's in an
    organisation that does it. The answers are checked only when the task is completed.

    ``Conflict`` when the task is completed, cancelled or held by someone else.
    """
    if not isinstance(data, Mapping):
        raise InvalidData("The draft must be the form's answers", {"data": "Send a JSON object"})
    draft = dict(data)
    try:
        size = len(json.dumps(draft).encode("utf-8"))
    except (TypeError, ValueError):
        raise InvalidData(
            "The draft must be the form's answers", {"data": "Send plain JSON values"}
        ) from None
    if size > MAX_DRAFT_BYTES:
        raise InvalidData(
            "The draft is too large", {"data": f"At most {MAX_DRAFT_BYTES // 1024} KB"}
        )
    with db.transaction() as session:
        _ours(session, user, task_id)
        # Lock the row so a draft cannot land on a task completed a moment before.
        task = session.execute(
            select(Task)
            .where(Task.id == task_id)
            .options(selectinload(Task.candidates))
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one()
        runtime.check_may_work_on(task, user)
        task.draft = draft
        audit.record(
            session,
            "task.draft_saved",
            user=user,
            case_id=task.case_id,
            object_type="task",
            object_id=task.id,
            detail={"fields": sorted(draft)},
        )
        return task


def claim_task(db: Database, task_id: int, user: User) -> Task:
    """Take an open task of the user's organisation; ``Conflict`` if someone else holds it."""
    with db.read() as session:
        _ours(session, user, task_id)
    return runtime.claim_task(db, task_id, user)


def release_task(db: Database, task_id: int, user: User) -> Task:
    """Put a claimed task back in its organisations' queue (its holder or a manager)."""
    with db.read() as session:
        _ours(session, user, task_id)
    return runtime.release_task(db, task_id, user)


def reassign_task(db: Database, task_id: int, manager: User, to_user_id: int) -> Task:
    """A manager gives a live task to an active colleague who works on cases, who is told.

    ``NotAllowed`` for anyone but a manager of an organisation that does the task;
    ``InvalidData`` (field ``user_id``) when the colleague cannot take it.
    """
    if not 0 < to_user_id <= MAX_ROW_ID:
        raise InvalidData(
            "The task cannot be given to that person",
            {"user_id": "Select an active colleague in your organisation who works on cases"},
        )
    with db.read() as session:
        _ours(session, manager, task_id)
    return runtime.reassign_task(db, task_id, manager, to_user_id)


def complete_task(
    db: Database, task_id: int, user: User, data: Mapping[str, Any], *, forms_dir: Path
) -> Completion:
    """Complete a task with the form's answers, all or nothing (``procedure.complete_task``).

    ``InvalidData`` with ``fields`` when answers need correcting, ``Conflict`` when the task
    was already completed or is held by someone else.
    """
    # One transaction: the need-to-know check under the instance's lock, the completion, and
    # the rows the answer lists (read before the commit, so they are what was committed).
    with db.transaction() as session:
        result = procedure.complete_task_in(
            session,
            task_id,
            user,
            data,
            forms_dir=forms_dir,
            authorise=_ours_to_complete(user),
        )
        rows = rows_for_tasks(session, [task_id, *(task.id for task in result.ready)])
    (done,) = [row for row in rows if row.task_id == task_id]
    ready = [row for row in rows if row.task_id != task_id]
    return Completion(done, ready, result.process_finished, result.process_failed)
