"""Supporting files agencies attach to their tasks: checked by content, kept with a sha256.

A file's type is decided by what it contains, never by its name, and it is kept under a name
that ends as its type does (see ``file_types``). Files are read only by those with
need-to-know, and every download is recorded as a disclosure.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from engine.core import audit, clock
from engine.core.db import Database
from engine.core.errors import Conflict, NotAllowed, NotFound
from engine.core.models import LIVE_TASK_STATES, Attachment, Task, User
from engine.people.access import is_participant, record_disclosure, visible_task
from engine.records.file_types import checked_file


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
        attachment = Attachment(
            case_id=task.case_id,
            task_id=task.id,
            organisation_id=user.organisation_id,
            uploaded_by_id=user.id,
            filename=checked.filename,
            media_type=checked.media_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            created_at=clock.now(),
        )
        session.add(attachment)
        session.flush()
        audit.record(
            session,
            "attachment.added",
            user=user,
            case_id=task.case_id,
            object_type="attachment",
            object_id=attachment.id,
            detail={"task": task.id, "sha256": attachment.sha256, "size": attachment.size},
        )
        return Attached(attachment.id, attachment.filename)


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
    """A file for download by someone with need-to-know, recorded as a disclosure."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or not is_participant(session, user, attachment.case_id):
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
