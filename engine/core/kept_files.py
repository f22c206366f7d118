"""Keeping a file that comes with a case: its row, with the file's size and sha256, and its
addition in the case's audit trail. Every way a file arrives (on a task, with an appeal, with
a public body's answer) keeps it here, so each is kept and recorded alike."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.core import audit
from engine.core.models import Attachment, User


def keep_attachment(
    session: Session,
    *,
    case_id: int,
    filename: str,
    media_type: str,
    content: bytes,
    created_at: datetime,
    detail: Mapping[str, Any],
    user: User | None = None,
    organisation_id: int | None = None,
    task_id: int | None = None,
    appeal_id: int | None = None,
    information_request_id: int | None = None,
) -> Attachment:
    """Keep ``content`` on the case, linked to what it came with, and record its addition
    (``detail``, with the file's sha256 and size) by ``user``, if anyone signed in sent it."""
    attachment = Attachment(
        case_id=case_id,
        task_id=task_id,
        appeal_id=appeal_id,
        information_request_id=information_request_id,
        organisation_id=organisation_id,
        uploaded_by_id=user.id if user is not None else None,
        filename=filename,
        media_type=media_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        created_at=created_at,
    )
    session.add(attachment)
    session.flush()
    audit.record(
        session,
        "attachment.added",
        user=user,
        case_id=case_id,
        object_type="attachment",
        object_id=attachment.id,
        detail={**detail, "sha256": attachment.sha256, "size": attachment.size},
    )
    return attachment
