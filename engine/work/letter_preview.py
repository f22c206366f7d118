"""The letter a task will send, shown on the task before it goes: composed from the case as
stored and the task's saved answers, dated today, with the paragraphs that quote what staff
recorded marked, as the task's form lets them be worded for the applicant."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import documents, procedure
from engine.core import audit
from engine.core.errors import NotAllowed
from engine.core.models import LIVE_TASK_STATES, Appeal, Task, User
from engine.documents import DOCX_MEDIA_TYPE, Download, Letter
from engine.people.access import visible_task


def task_letter(session: Session, user: User, task: Task) -> Letter | None:
    """The letter a live task will send, as it would go today with its saved answers; None
    for a task that sends none, or is finished (its letter is then among the case's
    documents)."""
    sent = procedure.meaning_of(task.form).letter
    if sent is None or task.state not in LIVE_TASK_STATES:
        return None
    appeal_id = None
    if sent.kind.startswith("appeal_"):
        # The OPCC hears one appeal of a case at a time: its latest.
        appeal_id = session.scalar(
            select(Appeal.id).where(Appeal.case_id == task.case_id).order_by(Appeal.id.desc())
        )
    return documents.preview_letter(
        session, task.case, sent.kind, user, dict(task.draft or {}), appeal_id=appeal_id
    )


def task_letter_document(
    session: Session,
    user: User,
    task_id: int,
    templates_dir: Path | None = None,
    *,
    large_print: bool = False,
) -> Download | None:
    """The letter a task will send as its Word document, for those who may send it (None for a
    task that sends none); the look is audited, as the letter holds the case's personal data.
    It is in large print when the applicant asked for it, or ``large_print`` asks for a copy
    in it."""
    task = visible_task(session, user, task_id)
    letter = task_letter(session, user, task)
    if letter is None:
        return None
    if not task.is_for(user):
        # The letter is for whoever is to send it; others who see the task read it once sent.
        raise NotAllowed("Only those who may send this letter can read it before it goes")
    audit.record(
        session,
        "letter.previewed",
        user=user,
        case_id=task.case_id,
        object_type="task",
        object_id=task.id,
        detail={"kind": letter.kind},
    )
    size = documents.large_print_for(session, task.case, asked=large_print)
    name = f"{letter.reference}-{letter.kind.replace('_', '-')}-preview"
    return Download(
        f"{name}-large-print.docx" if size else f"{name}.docx",
        DOCX_MEDIA_TYPE,
        documents.preview_document(letter, templates_dir, large_print=size),
    )
