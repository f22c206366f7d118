"""Supporting files agencies attach to their tasks, and those the applicant sends with an
appeal: checked by content, kept with a sha256.

A file's type is decided by what it contains, never by its name, and it is kept under a name
that ends as its type does (see ``file_types``). Files are read only by those with
need-to-know (an appeal's by the OPCC hearing it), and every download is recorded as a
disclosure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from engine.core import audit, clock
from engine.core.db import Database
from engine.core.errors import Conflict, InvalidData, NotAllowed, NotFound
from engine.core.kept_files import keep_attachment
from engine.core.models import LIVE_TASK_STATES, Appeal, Attachment, Task, User
from engine.people.access import (
    is_participant,
    participant_roles,
    record_disclosure,
    visible_task,
)
from engine.records.file_types import CheckedFile, checked_file, safe_filename

# Enough for a few photographs, a diary and a letter; each within file_types.MAX_BYTES.
MOST_APPEAL_FILES = 5


@dataclass(frozen=True)
class Attached:
    id: int
    filename: str  # as kept: the name given, ending as the file's type does


def attach_file(db: Database, task_id: int, user: User, filename: str, content: bytes) -> int:
    """Keep a file on a live task the user's organisation works on; returns its id."""
    return keep_file(db, task_id, user, filename, content).id


def keep_file(db: Database, task_id: int, user: User, filename: str, content: bytes) -> Attached:
    """Keep a file on a live task the user's organisation works on, under the name it is given
    for its type; InvalidData when it is not a type we accept or is named as another."""
    checked = checked_file(filename, content)
    with db.transaction() as session:
        task = visible_task(session, user, task_id)
        if not task.is_for(user):
            raise NotAllowed("only an organisation that does this task can add files to it")
        if task.state not in LIVE_TASK_STATES:
            raise Conflict(f"'{task.title}' is finished: files can no longer be added to it")
        attachment = keep_attachment(
            session,
            case_id=task.case_id,
            task_id=task.id,
            organisation_id=user.organisation_id,
            user=user,
            filename=checked.filename,
            media_type=checked.media_type,
            content=content,
            created_at=clock.now(),
            detail={"task": task.id},
        )
        return Attached(attachment.id, attachment.filename)


@dataclass(frozen=True)
class Upload:
    """A file as sent: the name the sender's system gave it, and its bytes."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class CheckedUpload:
    checked: CheckedFile
    content: bytes


def checked_uploads(uploads: Sequence[Upload], *, most: int) -> list[CheckedUpload]:
    """Each file checked as any supporting file is; ``InvalidData`` naming every file refused
    and why (fields ``files``, then ``files:2`` and on), or saying there are too many."""
    if len(uploads) > most:
        raise InvalidData(
            "Too many files",
            {"files": f"Select no more than {most} files: you selected {len(uploads)}"},
        )
    kept, problems = [], []
    for upload in uploads:
        try:
            checked = checked_file(upload.filename, upload.content)
            kept.append(CheckedUpload(checked, upload.content))
        except InvalidData as refused:
            problems.append(_naming(upload.filename, refused.fields.get("file", str(refused))))
    if problems:
        fields = {"files" if n == 1 else f"files:{n}": text for n, text in enumerate(problems, 1)}
        raise InvalidData("A file needs changing", fields)
    return kept


def _naming(filename: str, reason: str) -> str:
    """A refusal written for one file chosen ("The selected file is empty") as one of several
    ("'diary.pdf' is empty")."""
    name = safe_filename(filename)
    return re.sub(r"^The selected (file|Word document)", lambda _: f"'{name}'", reason)


def keep_appeal_files(session: Session, appeal: Appeal, files: Sequence[CheckedUpload]) -> None:
    """Keep the applicant's files with their appeal, each addition in the case's audit trail."""
    for file in files:
        keep_attachment(
            session,
            case_id=appeal.case_id,
            appeal_id=appeal.id,
            filename=file.checked.filename,
            media_type=file.checked.media_type,
            content=file.content,
            created_at=clock.now(),
            detail={"appeal": appeal.id, "by": "applicant"},
        )


def appeal_attachments(session: Session, case_id: int, until: datetime) -> list[Attachment]:
    """The files sent with the case's latest appeal lodged by ``until`` (the appeal a task
    made then is about), without their content."""
    appeal_id = (
        select(Appeal.id)
        .where(Appeal.case_id == case_id, Appeal.created_at <= until)
        .order_by(Appeal.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return list(
        session.scalars(
            select(Attachment)
            .where(Attachment.appeal_id == appeal_id)
            .order_by(Attachment.id)
            .options(defer(Attachment.content))
        )
    )


def task_attachments(session: Session, task_id: int) -> list[Attachment]:
    """The files on one task, without their content."""
    return list(
        session.scalars(
            select(Attachment)
            .where(Attachment.task_id == task_id)
            .order_by(Attachment.id)
            .options(defer(Attachment.content))
        )
    )


def remove_attachment(db: Database, attachment_id: int, user: User) -> None:
    """Take a file off a task that is still open, by someone of the organisation that added it
    who may do the task. A chair's task is the chair's alone, whoever added its files: a new
    chair, perhaps of another organisation, may take off what the chair before them added."""
    with db.transaction() as session:
        attachment = session.get(Attachment, attachment_id, options=[defer(Attachment.content)])
        if attachment is None or not is_participant(session, user, attachment.case_id):
            raise NotFound("there is no such file")
        task = session.get(Task, attachment.task_id) if attachment.task_id else None
        if attachment.organisation_id != user.organisation_id and not _holds_in_person(task, user):
            raise NotFound("there is no such file")
        if task is not None and not task.is_for(user):
            raise NotAllowed("only whoever does this task can take files off it")
        if task is None or task.state not in LIVE_TASK_STATES:
            raise Conflict("files on a finished task are part of the record and stay")
        audit.record(
            session,
            "attachment.removed",
            user=user,
            case_id=attachment.case_id,
            object_type="attachment",
            object_id=attachment.id,
            detail={"sha256": attachment.sha256, "filename": attachment.filename},
        )
        session.delete(attachment)


def _holds_in_person(task: Task | None, user: User) -> bool:
    return task is not None and any(c.user_id == user.id for c in task.candidates)


def open_attachment(session: Session, user: User | None, attachment_id: int) -> Attachment:
    """A file for download by someone with need-to-know, recorded as a disclosure: a file
    sent with an appeal is for the OPCC hearing it alone."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or not is_participant(session, user, attachment.case_id):
        raise NotFound("there is no such file")
    if attachment.appeal_id is not None and (
        user is None or "opcc" not in participant_roles(session, user, attachment.case_id)
    ):
        raise NotFound("there is no such file")
    record_disclosure(
        session,
        user,
        attachment.case_id,
        "attachment downloaded",
        "attachment",
        attachment.id,
        {"sha256": attachment.sha256},
    )
    return attachment
