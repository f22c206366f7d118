"""Supporting files agencies attach to their tasks: checked by content, kept with a sha256.

A file's type is decided by what it contains, never by its name: a renamed program is refused
whatever it is called. Files are read only by those with need-to-know, and every download is
recorded as a disclosure.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from email.parser import BytesHeaderParser

import filetype
from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from engine.core import audit, clock
from engine.core.db import Database
from engine.core.errors import Conflict, InvalidData, NotAllowed, NotFound
from engine.core.models import LIVE_TASK_STATES, Attachment, Task, User
from engine.people.access import is_participant, record_disclosure, visible_task

MAX_BYTES = 10 * 1024 * 1024
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OLE = "application/x-ole-storage"
DOC = "application/msword"
OUTLOOK = "application/vnd.ms-outlook"
EMAIL = "message/rfc822"
IMAGES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/tiff"}
ACCEPTED = "PDF, Word, an image (PNG, JPEG, GIF, WebP, TIFF) or an email (.eml or .msg)"
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EMAIL_HEADERS = {"from", "to", "subject", "date", "message-id", "received"}


def _problem(message: str) -> InvalidData:
    return InvalidData(message, {"file": message})


def _is_docx(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "word/document.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _is_email(content: bytes) -> bool:
    head = content[: 64 * 1024]
    if b"\x00" in head:
        return False
    headers = BytesHeaderParser().parsebytes(head)
    present = {key.lower() for key in headers}
    return len(present & _EMAIL_HEADERS) >= 2 and "from" in present


def media_type_of(filename: str, content: bytes) -> str:
    """The file's type from its bytes; InvalidData when it is not a type we accept."""
    if not content:
        raise _problem("The selected file is empty")
    if len(content) > MAX_BYTES:
        raise _problem("The selected file must be smaller than 10 MB")
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(_OLE_SIGNATURE):
        # Word 97 documents and Outlook messages share one container; the name tells which.
        return OUTLOOK if filename.lower().endswith(".msg") else DOC
    if content.startswith(b"PK\x03\x04") and _is_docx(content):
        return DOCX
    guessed = filetype.guess_mime(content)
    if guessed in IMAGES:
        return guessed
    if guessed is None and _is_email(content):
        return EMAIL
    raise _problem(f"The selected file must be {ACCEPTED}")


def safe_filename(filename: str) -> str:
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if ch.isprintable())
    return name.strip().lstrip(".")[:255] or "attachment"


def attach_file(db: Database, task_id: int, user: User, filename: str, content: bytes) -> int:
    """Keep a file on a live task the user's organisation works on; returns its id."""
    media_type = media_type_of(filename, content)
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
            filename=safe_filename(filename),
            media_type=media_type,
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
        return attachment.id


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
